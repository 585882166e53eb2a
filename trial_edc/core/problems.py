"""A rule that does not hold, said for a person, and how a service refuses with it."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Problem:
    """A rule that does not hold: the form field it belongs to and a message for a person."""

    field: str
    message: str


def problems_as_errors(problems: list[Problem]) -> dict[str, list[str]]:
    """Problems keyed by field, the shape ValidationError takes to put them next to fields."""
    errors: dict[str, list[str]] = {}
    for p in problems:
        errors.setdefault(p.field, []).append(p.message)
    return errors


def out_of_range(field: str, name: str, plausible) -> Problem:
    """`name` must lie in `plausible` (a study.Range): the limits are said as configured."""
    return Problem(
        field,
        _("%(name)s must be between %(low)s and %(high)s %(unit)s.")
        % {"name": name, "low": plausible.low, "high": plausible.high, "unit": plausible.unit},
    )


def refuse(problems: list[Problem]) -> None:
    """Raise the problems as one ValidationError (next to their fields); nothing if none."""
    if problems:
        raise ValidationError(problems_as_errors(problems))
