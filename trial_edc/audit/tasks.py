"""The audit chain's sealing (beat: `audit.chain_seal`, every minute) and verification,
recorded (the nightly task that alerts on a break is notifications.tasks.audit_chain_verify_task).

Each check records the head it verified and writes it to the log, so that the head is also
kept outside the database: a chain rebuilt from scratch by someone with the owner's rights
would not match the logged heads, and the next check refuses a chain that no longer reaches
the last verified head.
"""

import logging

from celery import shared_task

from trial_edc.audit.chain import audit_chain_seal, audit_chain_verify, last_verified_head
from trial_edc.audit.models import AuditChainCheck

logger = logging.getLogger("trial_edc.audit.chain")


@shared_task(name="audit.chain_seal")
def audit_chain_seal_task() -> int:
    """Every minute: seal the entries written since (the number sealed)."""
    return audit_chain_seal()


def audit_chain_check_record() -> AuditChainCheck:
    """Seal what is written, then verify every sealed entry and record the result."""
    audit_chain_seal()
    anchor = last_verified_head()
    report = audit_chain_verify(anchor=anchor)
    check = AuditChainCheck.objects.create(
        entries=report.entries,
        ok=report.ok,
        problem=str(report.broken or ""),
        head_seq=report.head_seq if report.ok else None,
        head_hash=report.head_hash if report.ok else "",
        unsealed=report.unsealed,
        unsealed_since=report.unsealed_since,
    )
    if report.ok:
        logger.info(
            "audit chain intact: head seq=%s hash=%s, %s entries not sealed yet (check %s)",
            report.head_seq,
            report.head_hash,
            report.unsealed,
            check.pk,
        )
    else:
        logger.error(
            "audit chain BROKEN after %s good entries (last good seq=%s hash=%s;"
            " last verified head %s): %s (check %s)",
            report.entries,
            report.head_seq,
            report.head_hash,
            f"seq={anchor[0]} hash={anchor[1]}" if anchor else "none",
            report.broken,
            check.pk,
        )
    return check
