"""Enrollment's lines of the home-page worklists: visits whose window is open today, and
eligible candidates waiting for the investigator (registered in enrollment.registry)."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from enrollment.models import EligibilityDeviation, Screening
from enrollment.schedule.selectors import visits_open_today
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
    """Eligible candidates to enrol, and eligibility deviations to assess (one query: the
    screenings with either, each with its deviations not reviewed yet)."""
    deviations = EligibilityDeviation.objects.filter(
        screening=OuterRef("pk"), reviewed_at__isnull=True
    ).order_by("pk")
    screenings = list(
        scope_to_sites(Screening.objects.all(), user)
        .filter(Q(status=Screening.Status.ELIGIBLE) | Q(Exists(deviations)))
        .annotate(open_deviations=ArraySubquery(deviations.values("pk")))
        .select_related("site")
        .order_by("screening_number")
    )
    return [
        WorkItem(
            _("%(screening)s is eligible: confirm and enrol") % {"screening": s.screening_number},
            reverse("enrollment:screening_detail", args=[s.pk]),
            site=s.site.code,
        )
        for s in screenings
        if s.status == Screening.Status.ELIGIBLE
    ] + [
        WorkItem(
            _("%(screening)s: assess an eligibility deviation") % {"screening": s.screening_number},
            reverse("enrollment:screening_detail", args=[s.pk]),
            site=s.site.code,
        )
        for s in screenings
        for _deviation in s.open_deviations
    ]
