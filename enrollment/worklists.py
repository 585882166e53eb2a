"""Enrollment's lines of the home-page worklists: visits whose window is open today, and
eligible candidates waiting for the investigator (registered in enrollment.registry)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from enrollment.models import EligibilityDeviation, Screening
from enrollment.schedule.selectors import visits_open_today
from enrollment.selectors import screenings_for
from trial_edc.accounts.selectors import scope_to_sites
from trial_edc.core.registry import WorkItem


def visits_open(user) -> list[WorkItem]:
    return [
        WorkItem(
            _("%(subject)s: %(visit)s, window open until %(end)s")
            % {"subject": v.subject, "visit": v.display_name, "end": v.window_end.isoformat()},
            reverse("portal:subject_dashboard", args=[v.subject_id]),
            site=v.subject.site.code,
        )
        for v in visits_open_today(user)
    ]


def eligibility_to_confirm(user) -> list[WorkItem]:
    """Eligible candidates to enrol, and eligibility deviations to assess (two queries)."""
    eligible = screenings_for(user).filter(status=Screening.Status.ELIGIBLE).select_related("site")
    deviations = scope_to_sites(
        EligibilityDeviation.objects.filter(reviewed_at__isnull=True),
        user,
        "screening__site",
    ).select_related("screening__site")
    return [
        WorkItem(
            _("%(screening)s is eligible: confirm and enrol") % {"screening": s.screening_number},
            reverse("enrollment:screening_detail", args=[s.pk]),
            site=s.site.code,
        )
        for s in eligible.order_by("screening_number")
    ] + [
        WorkItem(
            _("%(screening)s: assess an eligibility deviation")
            % {"screening": d.screening.screening_number},
            reverse("enrollment:screening_detail", args=[d.screening_id]),
            site=d.screening.site.code,
        )
        for d in deviations.order_by("screening__screening_number", "pk")
    ]
