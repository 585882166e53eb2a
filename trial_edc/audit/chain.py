"""Verifies the audit hash chain: every link recomputed in PostgreSQL, in chain order.

For each entry, in sequence order: no gap or repeat, its previous-hash is the hash of the
entry before, the digest of its stored payload is its hash, and every column of the row
agrees with the payload (a column the payload lacks, added after the entry was written, must
be NULL). Then the chain head agrees with the last entry, and the chain still holds the head
that the last good verification recorded (its `AuditChainCheck`): not shorter, and the entry
at that sequence number still has the hash it had then.
"""

from dataclasses import dataclass

from django.db import connection

from trial_edc.audit.models import AuditChainCheck, AuditChainHead
from trial_edc.audit.tracking import audit_event_models

GENESIS_HASH = "0" * 64
CHAIN_COLUMNS = {"pgh_chain_seq": "sequence number", "pgh_prev_hash": "previous-hash"}


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
    # the last entry verified (0 and the genesis hash for an empty chain)
    head_seq: int = 0
    head_hash: str = GENESIS_HASH

    @property
    def ok(self) -> bool:
        return self.broken is None


def _chain_sql() -> str:
    # table names come from the model registry, never from input
    parts = [
        f"SELECT pgh_chain_seq, '{m._meta.db_table}' AS tbl, pgh_id, pgh_prev_hash, pgh_hash,"  # noqa: S608
        f" audit_digest_text('{m._meta.db_table}', pgh_payload) AS recomputed,"
        " audit_payload_problem(audit_row_json(t), pgh_payload) AS differing"
        f' FROM "{m._meta.db_table}" t'
        for m in audit_event_models()
    ]
    return " UNION ALL ".join(parts) + " ORDER BY 1"


def _column_problem(column: str) -> str:
    if column.startswith("("):
        return f"payload unreadable {column}"
    if column in CHAIN_COLUMNS:
        return f"{CHAIN_COLUMNS[column]} column disagrees with the payload as written"
    return f"column {column} differs from the entry as written (changed after it was written)"


def last_verified_head() -> tuple[int, str] | None:
    """(seq, hash) of the head the last good verification recorded, if any."""
    check = (
        AuditChainCheck.objects.filter(ok=True, head_seq__isnull=False)
        .order_by("-checked_at", "-pk")
        .first()
    )
    return (check.head_seq, check.head_hash) if check else None


def audit_chain_verify(
    *, batch_size: int = 2000, anchor: tuple[int, str] | None = None
) -> ChainReport:
    """Walk the chain from its first entry; stop at the first link that does not hold.

    `anchor`: (seq, hash) of a head verified before (see `last_verified_head`); the chain
    must still reach it with that hash.
    """
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0

    def broken(seq, table, pgh_id, problem):
        return ChainReport(count, BrokenLink(seq, table, pgh_id, problem), count, prev_hash)

    with connection.cursor() as cursor:
        cursor.execute(_chain_sql())
        while rows := cursor.fetchmany(batch_size):
            for seq, table, pgh_id, stored_prev, stored_hash, recomputed, differing in rows:
                if seq != expected_seq:
                    problem = (
                        f"entry {expected_seq} is missing (deleted?)"
                        if seq > expected_seq
                        else "sequence number repeated"
                    )
                    return broken(seq, table, pgh_id, problem)
                if stored_prev != prev_hash:
                    return broken(seq, table, pgh_id, "previous-hash does not match entry before")
                if recomputed != stored_hash:
                    return broken(seq, table, pgh_id, "content changed after it was written")
                if differing is not None:
                    return broken(seq, table, pgh_id, _column_problem(differing))
                if anchor and seq == anchor[0] and stored_hash != anchor[1]:
                    return broken(
                        seq,
                        table,
                        pgh_id,
                        "hash differs from the one recorded when it was last verified"
                        " (chain rewritten?)",
                    )
                prev_hash, expected_seq, count = stored_hash, expected_seq + 1, count + 1
    if anchor and count < anchor[0]:
        return broken(
            count + 1,
            "audit_auditchainhead",
            None,
            f"chain has {count} entries but {anchor[0]} were verified before (entries removed?)",
        )
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if (head_seq, head_hash) != (count, prev_hash):
        return broken(
            count + 1,
            "audit_auditchainhead",
            None,
            f"chain head says {head_seq} entries but {count} were found (entries removed?)",
        )
    return ChainReport(count, None, count, prev_hash)
