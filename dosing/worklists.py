"""Dosing's line of the coordinators' worklist: today's nebulization still to record, per
subject in treatment, by the site's clock (registered in dosing.registry)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from dosing.selectors import without_dose_today
from enrollment.schedule.selectors import sites_today
from trial_edc.core.registry import WorkItem


def doses_today(user) -> list[WorkItem]:
    """Subjects in treatment today at their site with no dose record for today (3 queries)."""
    return [
        WorkItem(
            _("%(subject)s: today's dose (day %(day)d)") % {"subject": due.subject, "day": due.day},
            reverse("portal:treatment_day", args=[due.subject.pk, due.day]),
            site=due.site_day.site.code,
        )
        for due in without_dose_today(sites_today(user))
    ]
