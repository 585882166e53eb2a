"""Dosing's line of the coordinators' worklist: today's nebulization still to record, per
subject in treatment, by the site's clock (registered in dosing.registry)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from dosing.models import DoseAdministration
from enrollment.schedule.selectors import sites_today, subjects_in_treatment
from trial_edc.core.clock import treatment_study_day
from trial_edc.core.registry import WorkItem


def doses_today(user) -> list[WorkItem]:
    """Subjects in treatment today at their site with no dose record for today (3 queries)."""
    days = sites_today(user)
    subjects = subjects_in_treatment(days)
    if not subjects:
        return []
    today = {d.site.pk: d for d in days}
    recorded = set(
        DoseAdministration.objects.filter(
            subject_id__in=[s.pk for s in subjects],
            date__in={today[s.site_id].today for s in subjects},
        ).values_list("subject_id", "date")
    )
    items = []
    for subject in subjects:
        d = today[subject.site_id]
        if (subject.pk, d.today) in recorded:
            continue
        day = treatment_study_day(subject.day1, d.today)
        items.append(
            WorkItem(
                _("%(subject)s: today's dose (day %(day)d)") % {"subject": subject, "day": day},
                reverse("portal:treatment_day", args=[subject.pk, day]),
                site=d.site.code,
            )
        )
    return items
