"""The audit trail: append-only, hash-chained history rows written by PostgreSQL triggers.

Every audited model (see `tracking.audited`) gets an event table `<Model>Event` whose rows
are written by triggers, so `update()` and bulk writes are caught as well as `save()`.
Each row carries its context (user, url, reason for change) as JSON, and a link in one
chain across all event tables: `pgh_chain_seq`, numbered at insert by the sequence
audit_chain_seq (`audit_chain_link`, no lock: a rolled-back write leaves a number unused), the
previous entry's hash and its own hash = sha256(table | payload), filled in later, in number
order, by the sealer (`audit_chain_seal`, audit.sql: every minute, after an `audited_save`,
before verification); until then the entry is unsealed (empty hash). The payload
(`pgh_payload`) is the canonical JSON text of the row as written, frozen at insert (the sealer
adds only the previous hash): verification recomputes the digest of the
payload and checks every column against it, so a column added to a history table later
(NULL in old entries, see PGHISTORY_FIELD) does not break old entries.

Who may do what (`trial_edc.audit.grants`): the runtime database role may only read and
append to history tables, the access log and the verification runs; only the sealer (the
owner role, through `audit_chain_seal`) moves the chain head, forward; TRUNCATE needs the
maintenance switch even for the owner.
"""

import pghistory.models
import pgtrigger
from django.db import models
from django.utils.translation import gettext_lazy as _

from trial_edc.audit.sql import HEAD_FORWARD_BY_SEALER, TRUNCATE_GUARD


def truncate_guard(name: str) -> pgtrigger.Trigger:
    """Refuses TRUNCATE of an append-only table unless the maintenance switch is on."""
    return pgtrigger.Trigger(
        name=name,
        when=pgtrigger.Before,
        operation=pgtrigger.Truncate,
        level=pgtrigger.Statement,
        func=TRUNCATE_GUARD,
    )


class AuditEvent(pghistory.models.Event):
    """Base of every event table: pghistory's columns plus the chain link."""

    pgh_chain_seq = models.BigIntegerField(db_default=0, editable=False)
    pgh_prev_hash = models.CharField(max_length=64, db_default="", editable=False)
    pgh_hash = models.CharField(max_length=64, db_default="", editable=False)
    pgh_payload = models.TextField(db_default="", editable=False)

    class Meta:
        abstract = True


class AuditChainHead(models.Model):
    """One row: the last sealed link of the chain, moved by the sealer (`audit_chain_seal`)
    only; writers never touch it.

    `seq`/`hash`: the last sealed entry; `mark`: every entry number up to it is sealed or was
    rolled back (numbers above it may still be in a running transaction)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    mark = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("audit chain head")
        default_permissions = ()
        triggers = [
            # the head only moves forward, and only by the sealer (audit.sql)
            pgtrigger.Trigger(
                name="chain_head_forward_by_sealer",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                func=HEAD_FORWARD_BY_SEALER,
            ),
            pgtrigger.Trigger(
                name="chain_head_genesis_only",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert,
                condition=pgtrigger.Condition(
                    "NOT (NEW.id = 1 AND NEW.seq = 0 AND NEW.hash = repeat('0', 64))"
                ),
                func=(
                    "RAISE EXCEPTION 'The audit chain head starts at the genesis row only'"
                    " USING ERRCODE = 'check_violation'; RETURN NULL;"
                ),
            ),
            pgtrigger.Protect(name="chain_head_no_delete", operation=pgtrigger.Delete),
            truncate_guard("chain_head_no_truncate"),
        ]

    def __str__(self) -> str:
        return f"chain head {self.seq}"


class AuditChainCheck(models.Model):
    """The result of one verification of the chain (nightly task or `verify_audit`)."""

    checked_at = models.DateTimeField(_("checked at"), auto_now_add=True)
    entries = models.BigIntegerField(_("entries verified"))
    ok = models.BooleanField(_("chain intact"))
    problem = models.TextField(_("first broken link"), blank=True)
    # the head verified (entry count and its hash): the next check refuses a chain shorter
    # than this, or whose entry at this sequence number no longer has this hash
    head_seq = models.BigIntegerField(_("head sequence number"), null=True, blank=True)
    head_hash = models.CharField(_("head hash"), max_length=64, blank=True)
    # entries written but not sealed yet (the sealer runs every minute), and the oldest's time
    unsealed = models.BigIntegerField(_("unsealed entries"), default=0)
    unsealed_since = models.DateTimeField(_("oldest unsealed entry"), null=True, blank=True)

    class Meta:
        ordering = ["-checked_at"]
        get_latest_by = "checked_at"
        verbose_name = _("audit chain check")
        default_permissions = ("view",)
        triggers = [truncate_guard("chain_check_no_truncate")]

    def __str__(self) -> str:
        return f"{self.checked_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'BROKEN'}"


class Submission(models.Model):
    """A create form's one-time key, claimed in the transaction of its save: the same form
    sent again (a double click, a browser resending the POST) finds it and lands on the
    record it saved (`core.forms.crf_save`); a concurrent second POST waits on the unique
    key until the first commits, then finds it."""

    key = models.CharField(_("key"), max_length=32, unique=True)
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    saved_at = models.DateTimeField(_("saved at"), auto_now_add=True)
    landing = models.CharField(_("page of the saved record"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("form submission")
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.key} → {self.landing}"
