from django.urls import path

from safety.views import adverse_events as ae_views
from safety.views import death as death_views
from safety.views import labs as lab_views
from safety.views import reports as report_views
from safety.views import vitals as views

app_name = "safety"

urlpatterns = [
    path("subjects/<int:pk>/death/", death_views.death_record_view, name="death_record"),
    path("subjects/<int:pk>/vitals/new/", views.vitals_edit, name="vitals_create"),
    path("subjects/<int:pk>/vitals/<int:vitals_pk>/", views.vitals_edit, name="vitals_edit"),
    path("subjects/<int:pk>/labs/", lab_views.subject_labs, name="subject_labs"),
    path("subjects/<int:pk>/labs/new/", lab_views.lab_panel_edit, name="lab_panel_create"),
    path("subjects/<int:pk>/labs/<int:panel_pk>/", lab_views.lab_panel_edit, name="lab_panel_edit"),
    path("lab-ranges/", lab_views.lab_ranges, name="lab_ranges"),
    path("lab-ranges/new/", lab_views.lab_range_edit, name="lab_range_create"),
    path("lab-ranges/<int:range_pk>/", lab_views.lab_range_edit, name="lab_range_edit"),
    path("lab-proposals/", lab_views.lab_signals, name="lab_signals"),
    path(
        "lab-proposals/<int:signal_pk>/not-an-ae/",
        lab_views.lab_signal_not_ae,
        name="lab_signal_not_ae",
    ),
    path("labs/listing.pdf", lab_views.lab_listing, name="lab_listing"),
    path("adverse-events/", ae_views.adverse_event_list, name="adverse_event_list"),
    path("adverse-events/open-sae/", ae_views.open_saes, name="open_saes"),
    path("adverse-events/to-sign/", ae_views.to_sign, name="to_sign"),
    path("adverse-events/listings/", report_views.safety_listings, name="safety_listings"),
    path("safety-reports/", report_views.safety_reports, name="safety_reports"),
    path(
        "safety-reports/<int:report_pk>/download/",
        report_views.safety_report_download,
        name="safety_report_download",
    ),
    path(
        "adverse-events/<int:ae_pk>/reported/",
        ae_views.sae_mark_reported,
        name="sae_mark_reported",
    ),
    path(
        "subjects/<int:pk>/adverse-events/",
        ae_views.subject_adverse_events,
        name="subject_adverse_events",
    ),
    path(
        "subjects/<int:pk>/adverse-events/new/",
        ae_views.adverse_event_edit,
        name="adverse_event_create",
    ),
    path("adverse-events/<int:ae_pk>/", ae_views.adverse_event_detail, name="adverse_event_detail"),
    path(
        "adverse-events/<int:ae_pk>/edit/", ae_views.adverse_event_edit, name="adverse_event_edit"
    ),
    path(
        "adverse-events/<int:ae_pk>/follow-up/",
        ae_views.follow_up_create,
        name="adverse_event_follow_up",
    ),
]
