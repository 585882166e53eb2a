"""Safety's lines of the home-page worklists: today's vital signs still to enter
(coordinators), adverse events to sign and SAE clocks running (investigators); registered in
safety.registry."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment.schedule.selectors import sites_today
from safety.models import AdverseEvent, LabSignal
from safety.selectors import open_sae_reports, sae_deadline, without_vitals_today
from safety.services.signatures import to_sign
from trial_edc.accounts.selectors import scope_to_sites
from trial_edc.core.registry import WorkItem


def vitals_today(user) -> list[WorkItem]:
    """Subjects in treatment today at their site with no vital signs for today (3 queries)."""
    return [
        WorkItem(
            _("%(subject)s: today's vital signs (day %(day)d)")
            % {"subject": due.subject, "day": due.day},
            reverse("portal:treatment_day", args=[due.subject.pk, due.day]),
            site=due.site_day.site.code,
        )
        for due in without_vitals_today(sites_today(user))
    ]


def adverse_events_to_sign(user) -> list[WorkItem]:
    aes = to_sign(scope_to_sites(AdverseEvent.objects.all(), user, "subject__site"))
    return [
        WorkItem(
            _("%(subject)s: sign %(term)s") % {"subject": ae.subject, "term": ae.aeterm},
            reverse("safety:adverse_event_detail", args=[ae.pk]),
            site=ae.subject.site.code,
        )
        for ae in aes.select_related("subject__site").order_by("subject__subject_number", "pk")
    ]


def sae_clocks(user) -> list[WorkItem]:
    reports = scope_to_sites(open_sae_reports(), user, "adverse_event__subject__site")
    now = timezone.now()
    items = []
    for report in reports.select_related("adverse_event__subject__site").order_by("pk"):
        ae = report.adverse_event
        deadline = sae_deadline(report)
        items.append(
            WorkItem(
                _("%(subject)s: report the SAE %(term)s to the sponsor")
                % {"subject": ae.subject, "term": ae.aeterm},
                reverse("safety:adverse_event_detail", args=[ae.pk]),
                site=ae.subject.site.code,
                detail=(
                    _("overdue")
                    if deadline and deadline < now
                    else _("due %(at)s")
                    % {"at": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")}
                )
                if deadline
                else "",
            )
        )
    return items


def lab_ae_proposals(user) -> list[WorkItem]:
    """Laboratory values at grade 3 or more, or risen 2 grades from baseline, for the
    investigator to confirm as an AE or not (one query)."""
    signals = scope_to_sites(
        LabSignal.objects.filter(status=LabSignal.Status.OPEN), user, "subject__site"
    ).select_related("subject__site", "ctcae_term")
    return [
        WorkItem(
            _("%(subject)s: %(term)s grade %(grade)d on %(on)s — an adverse event?")
            % {
                "subject": s.subject,
                "term": s.ctcae_term.term if s.ctcae_term_id else s.test_code,
                "grade": s.grade,
                "on": s.specimen_on.isoformat(),
            },
            reverse("safety:lab_signals"),
            site=s.subject.site.code,
            detail=s.explanation,
        )
        for s in signals.order_by("subject__subject_number", "specimen_on", "pk")
    ]
