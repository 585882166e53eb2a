from django.urls import path

from efficacy.views import summary
from efficacy.views import visits as views

visit = "subjects/<int:pk>/visits/<str:code>/"

app_name = "efficacy"

urlpatterns = [
    path("subjects/<int:pk>/blood-gas/new/", views.blood_gas_edit, name="blood_gas_create"),
    path("subjects/<int:pk>/blood-gas/<int:gas_pk>/", views.blood_gas_edit, name="blood_gas_edit"),
    path(visit, views.visit_detail, name="visit_detail"),
    path(visit + "date/", views.visit_date_edit, name="visit_date_edit"),
    path(visit + "oxygenation/", views.visit_blood_gas, name="visit_blood_gas"),
    path(visit + "pft/", views.pft_edit, name="pft_edit"),
    path(visit + "labs/", views.lab_panel_edit, name="lab_panel_edit"),
    path(visit + "hrct/", views.hrct_edit, name="hrct_edit"),
    path(visit + "follow-up/", views.follow_up_edit, name="follow_up_edit"),
    path("efficacy/", summary.study_summary, name="efficacy_summary"),
    path("efficacy/summary.csv", summary.study_summary_csv, name="efficacy_summary_csv"),
    path("efficacy/table-1/", summary.table_one, name="table_one"),
    path("efficacy/table-1.csv", summary.table_one_csv, name="table_one_csv"),
    path("efficacy/summary.pdf", summary.study_summary_pdf, name="efficacy_summary_pdf"),
]
