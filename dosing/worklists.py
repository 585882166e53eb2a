"""Dosing's line of the coordinators' worklist: today's nebulization still to record, per
subject in treatment, by the site's clock (registered in dosing.registry)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from enrollment.schedule.selectors import in_treatment_today
from trial_edc.core.clock import treatment_study_day
from trial_edc.core.registry import WorkItem


def doses_today(user) -> list[WorkItem]:
    """Subjects in treatment today at their site with no dose record for today: what
    `dosing.selectors.without_dose_today` finds, from the subjects the home page reads once
    (`subjects_of`, with `dose_facts`)."""
    return [
        WorkItem(
            _("%(subject)s: today's dose (day %(day)d)")
            % {"subject": subject, "day": treatment_study_day(subject.day1, day.today)},
            reverse(
                "portal:treatment_day",
                args=[subject.pk, treatment_study_day(subject.day1, day.today)],
            ),
            site=day.site.code,
        )
        for subject, day in in_treatment_today(user)
        if day.today not in subject.dose_dates
    ]
