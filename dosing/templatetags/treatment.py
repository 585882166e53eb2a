from django import template
from django.utils.translation import gettext_lazy as _

from dosing.selectors import treatment_overview
from enrollment.services import site_date

register = template.Library()

STATE_LABELS = {
    "given": _("given"),
    "interrupted": _("interr."),
    "not_given": _("not given"),
    "missing": _("missing"),
    "not_yet_due": "",
    "not_applicable": _("n/a"),
}


@register.inclusion_tag("dosing/treatment_panel.html")
def treatment_panel(subject):
    """The 14-cell dose strip and compliance (one query)."""
    overview = treatment_overview(subject, site_date(subject.site))
    for cell in overview.strip:
        object.__setattr__(cell, "state_label", STATE_LABELS[cell.state])
    return {"subject": subject, "overview": overview}
