from django.urls import path

from dosing import views

app_name = "dosing"

urlpatterns = [
    path("subjects/<int:pk>/day/<int:day>/dose/", views.dose_edit, name="dose_edit"),
    path("subjects/<int:pk>/conmeds/", views.conmed_list, name="conmed_list"),
    path("subjects/<int:pk>/conmeds/new/", views.conmed_edit, name="conmed_create"),
    path("subjects/<int:pk>/conmeds/<int:conmed_pk>/", views.conmed_edit, name="conmed_edit"),
    path("subjects/<int:pk>/prior-treatment/", views.prior_treatment, name="prior_treatment"),
    path(
        "subjects/<int:pk>/prior-treatment/new/",
        views.prior_treatment_create,
        name="prior_treatment_create",
    ),
    path("treatment/missing-doses/", views.missing_doses, name="missing_doses"),
]
