"""Status changes through a table of allowed moves, kept next to the model.

    SUBJECT_MOVES = Transitions(Subject.Status, {ON_STUDY: {COMPLETED, ...}, ...})
    SUBJECT_MOVES.move(subject, Subject.Status.DIED)   # or raises TransitionNotAllowed

A move to the status the object already has is no move and always allowed.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class TransitionNotAllowed(ValidationError):
    """A status change that the object's current status does not allow."""


@dataclass(frozen=True)
class Transitions:
    statuses: type  # a TextChoices
    allowed: dict  # from status -> set of to statuses
    field: str = "status"
    noun: str = ""  # how the message names the object ("A screening")

    def __post_init__(self):
        missing = set(self.statuses.values) - set(self.allowed)
        if missing:
            raise ValueError(f"no moves listed from {sorted(missing)}")

    def can(self, current: str, to: str) -> bool:
        return to == current or to in self.allowed[current]

    def check(self, obj, to: str) -> None:
        current = getattr(obj, self.field)
        if not self.can(current, to):
            raise TransitionNotAllowed(
                _("%(noun)s that is '%(now)s' cannot become '%(to)s'.")
                % {
                    "noun": self.noun or _("A record"),
                    "now": self.statuses(current).label,
                    "to": self.statuses(to).label,
                },
                code="transition",
            )

    def move(self, obj, to: str) -> None:
        """Set the new status on the object (the caller saves it, audited)."""
        self.check(obj, to)
        setattr(obj, self.field, to)

    def move_all(self, queryset, *, from_status: str, to: str) -> int:
        """Move every row of `queryset` that is in `from_status` (one UPDATE; the caller
        wraps it in its audit context)."""
        if not self.can(from_status, to):
            raise TransitionNotAllowed(
                _("'%(now)s' cannot become '%(to)s'.")
                % {"now": self.statuses(from_status).label, "to": self.statuses(to).label},
                code="transition",
            )
        return queryset.filter(**{self.field: from_status}).update(**{self.field: to})

    def pairs(self):
        """Every (from, to) pair, allowed or not: what a test of the table walks."""
        for a in self.statuses.values:
            for b in self.statuses.values:
                if a != b:
                    yield a, b, b in self.allowed[a]
