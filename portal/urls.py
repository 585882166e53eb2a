from django.urls import path

from portal.views import audit_trail, dashboard, home, treatment_day

app_name = "portal"

urlpatterns = [
    path("", home.home, name="home"),
    path("subjects/<int:pk>/", dashboard.subject_dashboard, name="subject_dashboard"),
    path("subjects/<int:pk>/day/<int:day>/", treatment_day.treatment_day, name="treatment_day"),
    path(
        "audit/<str:app_label>/<str:model_name>/<int:pk>/",
        audit_trail.record_audit,
        name="record_audit",
    ),
]
