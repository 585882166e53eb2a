"""Source data verification rules (pure): which subjects are verified in full, and how the
status of a form, a visit and a subject derives from its items."""

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

VERIFIED = "verified"
CHANGED = "changed"
TO_VERIFY = "to_verify"
NOT_REQUIRED = "not_required"

STATUS_LABELS = {
    VERIFIED: _("Verified"),
    CHANGED: _("Changed since verified"),
    TO_VERIFY: _("To verify"),
    NOT_REQUIRED: _("Not in the verification plan"),
}


def selected_for_full_sdv(*, seed: str, fraction: Decimal, subject_number: str) -> bool:
    """Is every item of this subject verified (not only the critical ones)? Deterministic:
    the same seed and subject number give the same answer on every run and machine."""
    digest = hashlib.sha256(f"{seed}:{subject_number}".encode()).digest()
    return Decimal(int.from_bytes(digest[:8], "big")) / Decimal(2**64) < Decimal(fraction)


def item_status(*, verified: bool, changed: bool) -> str:
    """An item's status from its verification row (verified: a row exists; changed: the
    trigger marked it)."""
    if changed:
        return CHANGED
    return VERIFIED if verified else TO_VERIFY


@dataclass
class Counts:
    """Items of a form, a visit or a subject that the plan requires, by status."""

    required: int = 0
    verified: int = 0
    changed: int = 0

    @property
    def to_verify(self) -> int:
        return self.required - self.verified - self.changed

    @property
    def status(self) -> str:
        if self.required == 0:
            return NOT_REQUIRED
        if self.changed:
            return CHANGED
        return VERIFIED if self.verified == self.required else TO_VERIFY

    @property
    def label(self):
        return STATUS_LABELS[self.status]

    def add(self, other: "Counts") -> "Counts":
        self.required += other.required
        self.verified += other.verified
        self.changed += other.changed
        return self

    def count(self, status: str) -> None:
        self.required += 1
        if status == VERIFIED:
            self.verified += 1
        elif status == CHANGED:
            self.changed += 1
