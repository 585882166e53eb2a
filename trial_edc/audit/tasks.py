"""The audit chain's verification, recorded (the nightly task that alerts on a break is
notifications.tasks.audit_chain_verify_task).

Each check records the head it verified and writes it to the log, so that the head is also
kept outside the database: a chain rebuilt from scratch by someone with the owner's rights
would not match the logged heads, and the next check refuses a chain that no longer reaches
the last verified head.
"""

import logging

from trial_edc.audit.chain import audit_chain_verify, last_verified_head
from trial_edc.audit.models import AuditChainCheck

logger = logging.getLogger("trial_edc.audit.chain")


def audit_chain_check_record() -> AuditChainCheck:
    anchor = last_verified_head()
    report = audit_chain_verify(anchor=anchor)
    check = AuditChainCheck.objects.create(
        entries=report.entries,
        ok=report.ok,
        problem=str(report.broken or ""),
        head_seq=report.head_seq if report.ok else None,
        head_hash=report.head_hash if report.ok else "",
    )
    if report.ok:
        logger.info(
            "audit chain intact: head seq=%s hash=%s (check %s)",
            report.head_seq,
            report.head_hash,
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
