"""Change from baseline on the subject dashboard (a registered panel)."""

from efficacy import endpoints, selectors
from trial_edc.core.registry import DashboardPanel, dashboard_panels


def change_from_baseline(request, subject) -> dict:
    """Each measure by visit with change and % change from baseline (four queries)."""
    return {"rows": selectors.subject_change_table(subject), "visits": endpoints.efficacy_visits()}


def register() -> None:
    dashboard_panels.register(
        DashboardPanel("change", "efficacy/change_table.html", change_from_baseline, order=40)
    )
