"""Saving an audited record: who, and for any change after first entry, why."""

import pghistory
from django.db import transaction
from django.utils.translation import gettext as _


class ReasonForChangeRequired(ValueError):
    """An edit of a saved record came without a reason for change."""


def audited_save(*, instance, user, reason: str = "") -> None:
    """Save `instance` with the user and reason in its history entry.

    A change to a record that already exists needs a reason (21 CFR 11.10(e)); the database
    refuses one without, so this check only turns that into a clear message earlier.
    """
    reason = (reason or "").strip()
    if not instance._state.adding and not reason:
        raise ReasonForChangeRequired(_("A reason for change is required."))
    with transaction.atomic(), pghistory.context(user=user.pk, reason=reason or None):
        instance.save()


def audit_context(*, user, reason: str):
    """Context for a state change (enrol, sign, void...) written as one history entry."""
    return pghistory.context(user=user.pk if user else None, reason=reason)
