"""Recording adverse events, their follow-ups and SAE reporting, with the protocol's rules."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment.schedule.services import data_date_problems
from safety import rules
from safety.models import AdverseEvent, AdverseEventFollowUp, SeriousAdverseEventReport
from safety.selectors import facts_of, follow_up_facts
from safety.services.sae import serious_period_sync
from safety.services.signatures import signatures_void
from trial_edc.accounts.permissions import require, require_change
from trial_edc.audit.services import audit_context, audited_save
from trial_edc.core.problems import refuse
from trial_edc.core.transactions import service_transaction
from trial_edc.notifications.tasks import outbox_send_soon


@service_transaction
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
    _serious_period_sync(ae, user=user)
    return ae


def _serious_period_sync(ae: AdverseEvent, *, user) -> None:
    """A new serious period: its clock starts and its alert is queued in the outbox in this
    transaction; after commit a worker is asked to send it at once if the broker answers
    (if not, the outbox sender sends it within a minute of the broker's return)."""
    outbox_send_soon(serious_period_sync(ae, user=user))


@service_transaction
def sae_mark_reported(
    *, report: SeriousAdverseEventReport, user, reported_at, reason: str = ""
) -> None:
    """An investigator records when the SAE was reported to the sponsor; the clock stops.
    A reported time already recorded is changed only with a reason."""
    if not user.has_perm("safety.report_sae"):
        raise PermissionDenied(_("Only an investigator can mark an SAE reported."))
    require(user, "safety.report_sae", report.adverse_event.subject.site)
    report = SeriousAdverseEventReport.objects.select_for_update().get(pk=report.pk)
    if reported_at > timezone.now():
        raise ValidationError({"reported_at": _("This cannot be in the future.")})
    if reported_at < report.serious_since - timedelta(days=1):
        raise ValidationError({"reported_at": _("This is before the event became serious.")})
    reason = (reason or "").strip()
    if report.reported_at is not None:
        if reported_at == report.reported_at and report.reported_by_id == user.pk:
            return  # nothing changed
        if not reason:
            raise ValidationError(
                {
                    "reason": _(
                        "This SAE was already marked reported on %(at)s UTC: give the reason "
                        "for changing the reported time."
                    )
                    % {"at": f"{report.reported_at:%Y-%m-%d %H:%M}"}
                }
            )
    report.reported_at, report.reported_by = reported_at, user
    with audit_context(user=user, reason=reason or "SAE reported to the sponsor"):
        report.save(update_fields=["reported_at", "reported_by"])


@service_transaction
def adverse_event_follow_up(*, follow_up: AdverseEventFollowUp, user, reason: str = ""):
    """Save a follow-up. A fatal one (grade 5) makes the AE serious with the criterion
    'results in death', and one assessed serious adds its criteria, in this transaction
    (audited, the signature voided): a new serious period starts its clock and alert."""
    ae = AdverseEvent.objects.select_for_update().get(pk=follow_up.adverse_event_id)
    follow_up.adverse_event = ae
    require_change(user, follow_up, ae.subject.site)
    facts = follow_up_facts(follow_up)
    refuse(rules.follow_up_problems(facts))
    if follow_up.recorded_by_id is None:
        follow_up.recorded_by = user
    audited_save(instance=follow_up, user=user, reason=reason)
    criteria = {name: getattr(ae, name) for name in AdverseEvent.SERIOUSNESS_CRITERIA}
    serious, new_criteria = rules.seriousness_after_follow_up(
        serious=ae.aeser, criteria=criteria, follow_up=facts
    )
    if serious != ae.aeser or new_criteria != criteria:
        ae.aeser = serious
        for name, value in new_criteria.items():
            setattr(ae, name, value)
        audited_save(
            instance=ae,
            user=user,
            reason=f"made serious by the follow-up of {follow_up.assessed_on.isoformat()}",
        )
    signatures_void(ae, user=user)
    _serious_period_sync(ae, user=user)
    return follow_up
