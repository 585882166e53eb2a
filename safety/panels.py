"""Vital signs, blood gases, the trend chart and the 30-day reports, and the subject's
adverse events as they stand now, on the subject dashboard (registered panels)."""

from django.utils.translation import gettext as _

from safety import selectors
from safety.labs.selectors import first_dose_start_of, worst_grade_table
from safety.models import AdverseEvent
from safety.selectors import (
    latest_first,
    subject_blood_gases,
    subject_reports,
    subject_trends,
    subject_vitals,
    vitals_missing_days,
)
from trial_edc.core.charts import Series, trend_svg
from trial_edc.core.clock import site_today
from trial_edc.core.registry import DashboardPanel, dashboard_panels


def vitals_panel(request, subject) -> dict:
    """Recent vital signs with flags, missing days, blood gases and the trend chart."""
    today = site_today(subject.site)
    trends = subject_trends(subject)
    days = set(trends.spo2) | set(trends.heart_rate) | set(trends.pf_ratio) | trends.dose_days
    chart = trend_svg(
        [
            Series(_("SpO2 (%), lowest of the day"), trends.spo2, "#0d6efd", 80, 100),
            Series(_("PaO2/FiO2 (mmHg)"), trends.pf_ratio, "#6f42c1", 50, 500),
            Series(
                _("Heart rate (beats/min), highest of the day"),
                trends.heart_rate,
                "#b02a37",
                40,
                160,
            ),
        ],
        dose_days=trends.dose_days,
        first_day=min(days | {1}),
        last_day=max(days | {14}),
    )
    return {
        "subject": subject,
        "vitals": latest_first(subject_vitals(subject), "measured_at"),
        "blood_gases": latest_first(subject_blood_gases(subject), "sampled_at"),
        "vitals_missing": vitals_missing_days(subject, today),
        "safety_reports": subject_reports(subject),
        "chart": chart,
    }


def adverse_events_panel(request, subject) -> dict:
    """The subject's AEs with their worst grade, current outcome and end date (a fixed
    number of queries)."""
    events = selectors.with_last_dose_given(
        AdverseEvent.objects.filter(subject=subject).select_related("subject__site")
    ).order_by("aestdtc", "id")
    return {
        "subject": subject,
        "rows": [(ae, selectors.current_state(ae)) for ae in events],
    }


def labs_panel(request, subject) -> dict:
    """The worst CTCAE grade of each safety laboratory analyte per study day, each with the
    rule and inputs that gave it (one query: the first dose from the doses the panels share)."""
    table = worst_grade_table(subject.pk, first_doses=first_dose_start_of(subject))
    return {"subject": subject, "table": table}


def register() -> None:
    dashboard_panels.register(
        DashboardPanel("vitals", "safety/vitals_panel.html", vitals_panel, order=20)
    )
    dashboard_panels.register(
        DashboardPanel(
            "safety_labs",
            "safety/labs/dashboard_panel.html",
            labs_panel,
            permission="safety.view_safetylabpanel",
            order=22,
        )
    )
    dashboard_panels.register(
        DashboardPanel(
            "adverse_events",
            "safety/ae_panel.html",
            adverse_events_panel,
            permission="safety.view_adverseevent",
            order=25,
        )
    )
