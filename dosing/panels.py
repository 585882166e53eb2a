"""The dose strip and compliance on the subject dashboard (a registered panel)."""

from django.utils.translation import gettext_lazy as _

from dosing.selectors import treatment_overview
from trial_edc.core.clock import site_today
from trial_edc.core.registry import DashboardPanel, dashboard_panels

STATE_LABELS = {
    "given": _("given"),
    "interrupted": _("interr."),
    "not_given": _("not given"),
    "missing": _("missing"),
    "not_yet_due": "",
    "not_applicable": _("n/a"),
}


def treatment_panel(request, subject) -> dict:
    """The 14-cell dose strip and compliance (one query)."""
    overview = treatment_overview(subject, site_today(subject.site))
    for cell in overview.strip:
        object.__setattr__(cell, "state_label", STATE_LABELS[cell.state])
    return {"subject": subject, "overview": overview}


def register() -> None:
    dashboard_panels.register(
        DashboardPanel("treatment", "dosing/treatment_panel.html", treatment_panel, order=10)
    )
