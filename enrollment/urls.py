from django.urls import path

from enrollment.baseline import views as baseline
from enrollment.views import screening as views
from enrollment.views import subjects

app_name = "enrollment"

urlpatterns = [
    path("screenings/", views.screening_log, name="screening_log"),
    path("screenings/new/", views.screening_create, name="screening_create"),
    path("screenings/<int:pk>/", views.screening_detail, name="screening_detail"),
    path("screenings/<int:pk>/edit/", views.screening_edit, name="screening_edit"),
    path("screenings/<int:pk>/eligibility/", views.checklist_edit, name="checklist_edit"),
    path("screenings/<int:pk>/consent/", views.consent_edit, name="consent_edit"),
    path("screenings/<int:pk>/demographics/", baseline.demographics_edit, name="demographics_edit"),
    path(
        "screenings/<int:pk>/medical-history/",
        baseline.medical_history_list,
        name="medical_history",
    ),
    path(
        "screenings/<int:pk>/medical-history/new/",
        baseline.medical_history_edit,
        name="medical_history_create",
    ),
    path(
        "screenings/<int:pk>/medical-history/<int:entry_pk>/",
        baseline.medical_history_edit,
        name="medical_history_edit",
    ),
    path(
        "screenings/<int:pk>/disease-history/",
        baseline.disease_history_edit,
        name="disease_history_edit",
    ),
    path("screenings/<int:pk>/enrol/", views.enroll, name="enroll"),
    path("screenings/<int:pk>/withdraw/", views.screening_withdraw, name="screening_withdraw"),
    path("screenings/<int:pk>/rescreen/", views.rescreen, name="rescreen"),
    path(
        "screenings/<int:pk>/eligibility-deviations/<int:deviation_pk>/",
        views.eligibility_deviation_review,
        name="eligibility_deviation_review",
    ),
    path("subjects/", subjects.subject_list, name="subject_list"),
    path("subjects/<int:pk>/end/", subjects.subject_end, name="subject_end"),
    path("subjects/<int:pk>/day1/", subjects.subject_day1_move, name="subject_day1_move"),
    path(
        "subjects/<int:pk>/visits/<str:code>/missed/",
        subjects.visit_missed,
        name="visit_missed",
    ),
    path("enrolment-summary/", subjects.consort, name="consort"),
    path("visits/deviations/", subjects.deviations, name="visit_deviations"),
]
