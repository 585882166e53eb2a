"""Verifies the audit hash chain: every link recomputed in PostgreSQL, in chain order."""

from dataclasses import dataclass

from django.db import connection

from trial_edc.audit.models import AuditChainHead
from trial_edc.audit.tracking import audit_event_models

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class BrokenLink:
    seq: int
    table: str
    pgh_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"{self.table} pgh_id={self.pgh_id}" if self.pgh_id is not None else self.table
        return f"entry {self.seq} ({where}): {self.problem}"


@dataclass(frozen=True)
class ChainReport:
    entries: int
    broken: BrokenLink | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _chain_sql() -> str:
    # table names come from the model registry, never from input
    parts = [
        f"SELECT pgh_chain_seq, '{m._meta.db_table}' AS tbl, pgh_id, pgh_prev_hash, pgh_hash,"  # noqa: S608
        f" audit_digest('{m._meta.db_table}', audit_row_json(t)) AS recomputed"
        f' FROM "{m._meta.db_table}" t'
        for m in audit_event_models()
    ]
    return " UNION ALL ".join(parts) + " ORDER BY 1"


def audit_chain_verify(*, batch_size: int = 2000) -> ChainReport:
    """Walk the chain from its first entry; stop at the first link that does not hold."""
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    with connection.cursor() as cursor:
        cursor.execute(_chain_sql())
        while rows := cursor.fetchmany(batch_size):
            for seq, table, pgh_id, stored_prev, stored_hash, recomputed in rows:
                if seq != expected_seq:
                    problem = (
                        f"entry {expected_seq} is missing (deleted?)"
                        if seq > expected_seq
                        else "sequence number repeated"
                    )
                    return ChainReport(count, BrokenLink(seq, table, pgh_id, problem))
                if stored_prev != prev_hash:
                    return ChainReport(
                        count,
                        BrokenLink(seq, table, pgh_id, "previous-hash does not match entry before"),
                    )
                if recomputed != stored_hash:
                    return ChainReport(
                        count,
                        BrokenLink(seq, table, pgh_id, "content changed after it was written"),
                    )
                prev_hash, expected_seq, count = stored_hash, expected_seq + 1, count + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if (head_seq, head_hash) != (count, prev_hash):
        return ChainReport(
            count,
            BrokenLink(
                count + 1,
                "audit_auditchainhead",
                None,
                f"chain head says {head_seq} entries but {count} were found (entries removed?)",
            ),
        )
    return ChainReport(count, None)
