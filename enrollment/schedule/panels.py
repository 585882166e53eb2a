"""The visit schedule on the subject dashboard (a registered panel)."""

from enrollment.schedule import selectors
from trial_edc.core.registry import DashboardPanel, dashboard_panels


def visit_schedule(request, subject) -> dict:
    """The schedule with, per visit, its status and which required forms are missing, and any
    eligibility deviation waiting for the investigator."""
    return {
        "subject": subject,
        "rows": selectors.visit_rows(subject),
        # an enrolled subject found ineligible after a correction, until the investigator
        # has reviewed it (the screening page keeps every one)
        "open_eligibility_deviations": subject.open_eligibility_deviations
        if hasattr(subject, "open_eligibility_deviations")
        else subject.screening.eligibility_deviations.filter(reviewed_at=None).count(),
    }


def register() -> None:
    dashboard_panels.register(
        DashboardPanel("schedule", "enrollment/visit_schedule.html", visit_schedule, order=30)
    )
