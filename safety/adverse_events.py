"""Adverse events: recording with the protocol's rules, and the derived flags."""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from dosing.models import DoseAdministration
from dosing.selectors import last_dose_given
from enrollment.rules import problems_as_errors
from enrollment.services import site_date
from safety import rules
from safety.models import AdverseEvent, AdverseEventFollowUp, SeriousAdverseEventReport
from safety.signatures import signatures_void
from trial_edc.audit.services import audit_context, audited_save
from trial_edc.study import study

GIVEN = [DoseAdministration.Status.COMPLETED, DoseAdministration.Status.INTERRUPTED]


def facts_of(ae: AdverseEvent) -> rules.AdverseEventFacts:
    consent = ae.subject.screening.consent
    return rules.AdverseEventFacts(
        onset=ae.aestdtc,
        end=ae.aeendtc,
        ongoing=ae.ongoing,
        grade=ae.aetoxgr,
        serious=ae.aeser,
        criteria={name: getattr(ae, name) for name in AdverseEvent.SERIOUSNESS_CRITERIA},
        outcome=ae.aeout,
        consent_date=site_date(ae.subject.site, consent.signed_at),
    )


@transaction.atomic
def adverse_event_record(*, ae: AdverseEvent, user, reason: str = "") -> AdverseEvent:
    problems = rules.adverse_event_problems(facts_of(ae))
    if ae.aestdtc > site_date(ae.subject.site):
        problems.append(rules.Problem("aestdtc", _("The onset cannot be in the future.")))
    if problems:
        raise ValidationError(problems_as_errors(problems))
    if ae.recorded_by_id is None:
        ae.recorded_by = user
    is_change = not ae._state.adding
    audited_save(instance=ae, user=user, reason=reason)
    if is_change:
        signatures_void(ae, user=user)
    if ae.aeser:
        _sae_clock_start(ae)
    return ae


def _sae_clock_start(ae: AdverseEvent) -> None:
    """First time an AE is saved as serious: start the clock and alert after commit."""
    from safety.tasks import sae_alert_send

    report, created = SeriousAdverseEventReport.objects.get_or_create(
        adverse_event=ae, defaults={"serious_since": timezone.now()}
    )
    if created:
        transaction.on_commit(lambda: sae_alert_send.delay(report.pk))


def sae_deadline(report: SeriousAdverseEventReport):
    return report.serious_since + timedelta(hours=study().sae_reporting_hours)


@transaction.atomic
def sae_mark_reported(*, report: SeriousAdverseEventReport, user, reported_at) -> None:
    """An investigator records when the SAE was reported to the sponsor; the clock stops."""
    if not user.has_perm("safety.report_sae"):
        raise PermissionDenied(_("Only an investigator can mark an SAE reported."))
    if reported_at > timezone.now():
        raise ValidationError({"reported_at": _("This cannot be in the future.")})
    if reported_at < report.serious_since - timedelta(days=1):
        raise ValidationError({"reported_at": _("This is before the event became serious.")})
    report.reported_at, report.reported_by = reported_at, user
    with audit_context(user=user, reason="SAE reported to the sponsor"):
        report.save(update_fields=["reported_at", "reported_by"])


@dataclass
class SaeClock:
    report: SeriousAdverseEventReport
    deadline: object
    hours_left: float  # negative when overdue

    @property
    def overdue(self) -> bool:
        return self.report.reported_at is None and self.hours_left < 0


def sae_clock(report: SeriousAdverseEventReport, now=None) -> SaeClock:
    now = now or timezone.now()
    deadline = sae_deadline(report)
    return SaeClock(report, deadline, (deadline - now).total_seconds() / 3600)


@transaction.atomic
def adverse_event_follow_up(*, follow_up: AdverseEventFollowUp, user, reason: str = ""):
    ae = follow_up.adverse_event
    problems = []
    if follow_up.assessed_on < ae.aestdtc:
        problems.append(rules.Problem("assessed_on", _("A follow-up cannot precede the onset.")))
    if follow_up.aeendtc is not None and follow_up.aeendtc < ae.aestdtc:
        problems.append(rules.Problem("aeendtc", _("The end date cannot be before the onset.")))
    problems += rules.fatal_outcome_problems(grade=follow_up.aetoxgr, outcome=follow_up.aeout)
    if problems:
        raise ValidationError(problems_as_errors(problems))
    if follow_up.recorded_by_id is None:
        follow_up.recorded_by = user
    audited_save(instance=follow_up, user=user, reason=reason)
    signatures_void(ae, user=user)
    return follow_up


def with_last_dose_given(queryset):
    """Annotate each AE with its subject's last dose actually given (one subquery)."""
    worst = (
        AdverseEventFollowUp.objects.filter(adverse_event=OuterRef("pk"))
        .order_by()
        .values("adverse_event")
        .annotate(worst=Max("aetoxgr"))
        .values("worst")
    )
    return queryset.annotate(
        last_dose_given=last_dose_given("subject"), worst_follow_up=Subquery(worst)
    )


def derived(ae: AdverseEvent) -> rules.AdverseEventDerived:
    """Needs `last_dose_given` annotated (with_last_dose_given) or queries it."""
    last = getattr(ae, "last_dose_given", None)
    if not hasattr(ae, "last_dose_given"):
        last = ae.subject.doses.filter(status__in=GIVEN).aggregate(m=Max("date"))["m"]
    return rules.adverse_event_derived(
        onset=ae.aestdtc,
        day1=ae.subject.day1,
        last_dose_given=last,
        serious=ae.aeser,
        relationship=ae.aerel,
        expected=ae.expected,
    )


def worst_grade(ae: AdverseEvent) -> int:
    follow_up = getattr(ae, "worst_follow_up", None)
    return rules.worst_grade([ae.aetoxgr, *([follow_up] if follow_up else [])])


def current_outcome(ae: AdverseEvent, follow_ups) -> str:
    """The latest follow-up's outcome, else the AE's own."""
    latest = max(follow_ups, key=lambda f: (f.assessed_on, f.pk), default=None)
    return latest.get_aeout_display() if latest else ae.get_aeout_display()


def serious_filter(serious_only: bool) -> Q:
    return Q(aeser=True) if serious_only else Q()
