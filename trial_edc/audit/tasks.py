from celery import shared_task
from django.utils import timezone
from django.utils.translation import gettext as _

from trial_edc.audit.chain import audit_chain_verify
from trial_edc.audit.models import AuditChainCheck


def audit_chain_check_record() -> AuditChainCheck:
    report = audit_chain_verify()
    return AuditChainCheck.objects.create(
        entries=report.entries, ok=report.ok, problem=str(report.broken or "")
    )


@shared_task(name="trial_edc.audit.tasks.audit_chain_verify_task")
def audit_chain_verify_task() -> dict:
    """Nightly: verify the chain, keep the result, and alert the data managers if broken."""
    from trial_edc.accounts.roles import Role
    from trial_edc.core.people import staff

    check = audit_chain_check_record()
    if not check.ok:
        from trial_edc.notifications.models import Kind
        from trial_edc.notifications.services import notify, outbox_send

        recipients = staff(Role.DATA_MANAGER)
        outbox_send(
            notify(
                kind=Kind.AUDIT_CHAIN_BROKEN,
                obj=check,
                for_date=timezone.localdate(check.checked_at),
                recipients=recipients,
                subject=_("trial-edc: the audit trail failed verification"),
                body=_("The audit hash chain is broken at %(problem)s. Checked at %(at)s UTC.")
                % {"problem": check.problem, "at": f"{check.checked_at:%Y-%m-%d %H:%M}"},
            )
        )
    return {"check_id": check.pk, "ok": check.ok, "entries": check.entries}
