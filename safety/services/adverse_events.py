"""Recording adverse events, their follow-ups and SAE reporting, with the protocol's rules."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment.schedule.services import data_date_problems
from safety import rules
from safety.models import AdverseEvent, AdverseEventFollowUp, SeriousAdverseEventReport
from safety.selectors import facts_of
from safety.services.signatures import signatures_void
from safety.tasks import sae_alert_send
from trial_edc.accounts.permissions import require, require_change
from trial_edc.audit.services import audit_context, audited_save
from trial_edc.core.problems import Problem, refuse


@transaction.atomic
def adverse_event_record(*, ae: AdverseEvent, user, reason: str = "") -> AdverseEvent:
    require_change(user, ae, ae.subject.site)
    # an AE is followed after the subject left the study, so only the future is refused
    refuse(
        rules.adverse_event_problems(facts_of(ae))
        + data_date_problems(
            ae.subject, ae.aestdtc, "aestdtc", since_enrolment=False, after_end=True
        )
    )
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
    report, created = SeriousAdverseEventReport.objects.get_or_create(
        adverse_event=ae, defaults={"serious_since": timezone.now()}
    )
    if created:
        transaction.on_commit(lambda: sae_alert_send.delay(report.pk))


@transaction.atomic
def sae_mark_reported(*, report: SeriousAdverseEventReport, user, reported_at) -> None:
    """An investigator records when the SAE was reported to the sponsor; the clock stops."""
    if not user.has_perm("safety.report_sae"):
        raise PermissionDenied(_("Only an investigator can mark an SAE reported."))
    require(user, "safety.report_sae", report.adverse_event.subject.site)
    if reported_at > timezone.now():
        raise ValidationError({"reported_at": _("This cannot be in the future.")})
    if reported_at < report.serious_since - timedelta(days=1):
        raise ValidationError({"reported_at": _("This is before the event became serious.")})
    report.reported_at, report.reported_by = reported_at, user
    with audit_context(user=user, reason="SAE reported to the sponsor"):
        report.save(update_fields=["reported_at", "reported_by"])


@transaction.atomic
def adverse_event_follow_up(*, follow_up: AdverseEventFollowUp, user, reason: str = ""):
    ae = follow_up.adverse_event
    require_change(user, follow_up, ae.subject.site)
    problems = []
    if follow_up.assessed_on < ae.aestdtc:
        problems.append(Problem("assessed_on", _("A follow-up cannot precede the onset.")))
    if follow_up.aeendtc is not None and follow_up.aeendtc < ae.aestdtc:
        problems.append(Problem("aeendtc", _("The end date cannot be before the onset.")))
    problems += rules.fatal_outcome_problems(grade=follow_up.aetoxgr, outcome=follow_up.aeout)
    refuse(problems)
    if follow_up.recorded_by_id is None:
        follow_up.recorded_by = user
    audited_save(instance=follow_up, user=user, reason=reason)
    signatures_void(ae, user=user)
    return follow_up
