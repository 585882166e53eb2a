from django.urls import path

from datamanagement.sdv import views as sdv_views

app_name = "datamanagement"

urlpatterns: list = []

# --- source data verification and casebook sign-off (issue 14, points 5, 6, 11) ---------
urlpatterns += [
    path("sdv/", sdv_views.sdv_overview, name="sdv_overview"),
    path("sdv/verify/<str:label>/<int:pk>/", sdv_views.verify_record, name="sdv_verify_record"),
    path("sdv/verify-visit/<int:pk>/", sdv_views.verify_visit, name="sdv_verify_visit"),
    path("casebook/<int:subject_id>/", sdv_views.casebook, name="casebook"),
]
