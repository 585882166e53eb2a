"""The visit schedule on the subject dashboard (a registered panel)."""

from enrollment.schedule import selectors
from trial_edc.core.registry import DashboardPanel, dashboard_panels


def visit_schedule(request, subject) -> dict:
    """The schedule with, per visit, its status and which required forms are missing."""
    return {"subject": subject, "rows": selectors.visit_rows(subject)}


def register() -> None:
    dashboard_panels.register(
        DashboardPanel("schedule", "enrollment/visit_schedule.html", visit_schedule, order=30)
    )
