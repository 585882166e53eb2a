"""The audit chain's verification, recorded (the nightly task that alerts on a break is
notifications.tasks.audit_chain_verify_task)."""

from trial_edc.audit.chain import audit_chain_verify
from trial_edc.audit.models import AuditChainCheck


def audit_chain_check_record() -> AuditChainCheck:
    report = audit_chain_verify()
    return AuditChainCheck.objects.create(
        entries=report.entries, ok=report.ok, problem=str(report.broken or "")
    )
