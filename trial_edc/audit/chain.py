"""Seals and verifies the audit hash chain: every link recomputed in PostgreSQL, in order.

Writers only number their entries (the sequence `audit_chain_seq`, at insert); the sealer
(`audit_chain_seal`, audit.sql) chains them later in that order, so no write waits on another.

For each sealed entry, in sequence order: it links to the entry before by hash (a number
skipped by a rolled-back transaction is no gap; a sealed entry that is gone is), the digest of
its stored payload is its hash, and every column of the row agrees with the payload (a column
the payload lacks, added after the entry was written, must be NULL). Then the chain head
agrees with the last sealed entry, and the chain still holds the head that the last good
verification recorded (its `AuditChainCheck`): not shorter, and the entry at that sequence
number still has the hash it had then. Entries not sealed yet are reported as such (how many,
since when); one below the head's mark lost its seal.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from trial_edc.audit.models import AuditChainCheck, AuditChainHead
from trial_edc.audit.sql import SEAL_WAIT_MS
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
    # written, not sealed yet: how many, the oldest's time
    unsealed: int = 0
    unsealed_since: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None


def audit_chain_seal(*, wait: bool = True) -> int:
    """Seal the entries written since the last seal, in order; the number sealed.

    `wait`: wait for a running sealer, and up to SEAL_WAIT_MS for transactions still writing
    entries numbered before the last visible one; otherwise return at once if another sealer
    is at work and stop before the first number not visible yet (the next seal takes it).
    Run outside a transaction it commits at once; inside one it seals that transaction's own
    entries too, and holds the sealer's lock until the transaction ends.
    """
    with connection.cursor() as cursor:  # one statement: its own transaction in autocommit
        cursor.execute("SELECT audit_chain_seal(%s)", [SEAL_WAIT_MS if wait else 0])
        return cursor.fetchone()[0]


def _chain_sql() -> str:
    # table names come from the model registry, never from input
    parts = [
        f"SELECT pgh_chain_seq, '{m._meta.db_table}' AS tbl, pgh_id, pgh_prev_hash, pgh_hash,"  # noqa: S608
        f" audit_digest_text('{m._meta.db_table}', pgh_payload) AS recomputed,"
        " audit_payload_problem(audit_row_json(t), pgh_payload) AS differing"
        f" FROM \"{m._meta.db_table}\" t WHERE pgh_hash <> ''"
        for m in audit_event_models()
    ]
    return " UNION ALL ".join(parts) + " ORDER BY 1"


def _unsealed_sql() -> str:
    parts = [
        f"SELECT pgh_chain_seq, pgh_created_at FROM \"{m._meta.db_table}\" WHERE pgh_hash = ''"  # noqa: S608
        for m in audit_event_models()
    ]
    union = " UNION ALL ".join(parts)
    return f"SELECT count(*), min(pgh_created_at), min(pgh_chain_seq) FROM ({union}) u"  # noqa: S608


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
    prev_seq, prev_hash, count = 0, GENESIS_HASH, 0

    def broken(seq, table, pgh_id, problem):
        return ChainReport(count, BrokenLink(seq, table, pgh_id, problem), prev_seq, prev_hash)

    with connection.cursor() as cursor:
        cursor.execute(_chain_sql())
        while rows := cursor.fetchmany(batch_size):
            for row in rows:
                seq, table, pgh_id, stored_prev, stored_hash, recomputed, differing = row
                if seq <= prev_seq:
                    return broken(seq, table, pgh_id, "sequence number repeated")
                # a number skipped (its transaction rolled back) still links to the entry before
                if stored_prev != prev_hash and seq > prev_seq + 1:
                    return broken(seq, table, pgh_id, f"entry {prev_seq + 1} is missing (deleted?)")
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
                prev_hash, prev_seq, count = stored_hash, seq, count + 1
        cursor.execute(_unsealed_sql())
        unsealed, unsealed_since, first_unsealed = cursor.fetchone()
    if anchor and prev_seq < anchor[0]:
        return broken(
            prev_seq + 1,
            "audit_auditchainhead",
            None,
            f"chain ends at entry {prev_seq} but entries up to {anchor[0]} were verified"
            " before (entries removed?)",
        )
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq, head_hash, mark = (head.seq, head.hash, head.mark) if head else (0, GENESIS_HASH, 0)
    if (head_seq, head_hash) != (prev_seq, prev_hash):
        return broken(
            prev_seq + 1,
            "audit_auditchainhead",
            None,
            f"chain head says entry {head_seq} is the last sealed but the last found is"
            f" {prev_seq} ({count} entries; entries removed?)",
        )
    if first_unsealed is not None and first_unsealed <= mark:
        return broken(
            first_unsealed,
            "audit_auditchainhead",
            None,
            f"entry {first_unsealed} is not sealed but the chain was sealed past it"
            " (seal removed?)",
        )
    return ChainReport(count, None, prev_seq, prev_hash, unsealed, unsealed_since)
