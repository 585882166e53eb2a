"""Saving an audited record: who, and for any change after first entry, why."""

from contextlib import contextmanager

import pghistory
import pghistory.runtime
from django.db import transaction
from django.utils.translation import gettext as _


class ReasonForChangeRequired(ValueError):
    """An edit of a saved record came without a reason for change."""


@contextmanager
def _bound_context(**metadata):
    """pghistory context whose metadata holds only inside the block.

    `pghistory.context` merges its metadata into the context already open (the request's,
    from HistoryMiddleware) and leaves it there, so a reason given for one write would carry
    over to every later write of the request. Here the outer context's metadata is restored
    on leaving: each write gets its own reason, or none.
    """
    outer = getattr(pghistory.runtime._tracker, "value", None)
    if outer is None:
        with pghistory.context(**metadata):
            yield
        return
    saved = dict(outer.metadata)
    outer.metadata.update(metadata)
    try:
        yield
    finally:
        outer.metadata.clear()
        outer.metadata.update(saved)


def audited_save(*, instance, user, reason: str = "") -> None:
    """Save `instance` with the user and reason in its history entry.

    A change to a record that already exists needs a reason (21 CFR 11.10(e)); the database
    refuses one without, so this check only turns that into a clear message earlier.
    """
    reason = (reason or "").strip()
    if not instance._state.adding and not reason:
        raise ReasonForChangeRequired(_("A reason for change is required."))
    # in the caller's transaction without a savepoint of its own (an error aborts it whole);
    # the entry is numbered now and chained by the sealer (every minute, and before any reader
    # of the chain head: verification, the lock certificate, casebook signing)
    with transaction.atomic(savepoint=False), _bound_context(user=user.pk, reason=reason or None):
        instance.save()


def audit_context(*, user, reason: str):
    """Context for a state change (enrol, sign, void...) written as one history entry; the
    reason holds for the writes inside the block only."""
    return _bound_context(user=user.pk if user else None, reason=reason)
