"""Plausibility of the baseline CRFs, pure functions over plain values; the forms call them
for their messages, the services again before saving. Limits come from study().baseline."""

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from enrollment.models import OTHER_CONDITION
from trial_edc.core.forms import EARLIEST_YEAR
from trial_edc.core.problems import Problem, out_of_range
from trial_edc.study import study

_PARTIAL = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def bmi(height_cm: Decimal, weight_kg: Decimal) -> Decimal:
    """Body mass index, kg/m², to one decimal (half up)."""
    metres = Decimal(height_cm) / 100
    return (Decimal(weight_kg) / (metres * metres)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def demographics_problems(*, height, weight) -> list[Problem]:
    limits = study().baseline
    problems = []
    if height is not None and height not in limits.height_plausible:
        problems.append(out_of_range("height", _("Height"), limits.height_plausible))
    if weight is not None and weight not in limits.weight_plausible:
        problems.append(out_of_range("weight", _("Weight"), limits.weight_plausible))
    return problems


def partial_date(text: str) -> tuple[int, ...] | None:
    """An ISO 8601 date, complete or partial (YYYY, YYYY-MM, YYYY-MM-DD), as (year[, month[,
    day]]); None if it is not one (a month 13, a 30 February, another format)."""
    match = _PARTIAL.fullmatch(text or "")
    if not match:
        return None
    parts = tuple(int(p) for p in match.groups() if p is not None)
    try:
        _earliest(parts)
    except ValueError:
        return None
    return parts if parts[0] >= EARLIEST_YEAR else None


def _earliest(parts: tuple[int, ...]) -> date:
    """The first day a partial date may mean."""
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def _compare(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    """-1, 0 or 1 comparing two partial dates at the precision they share."""
    n = min(len(a), len(b))
    return (a[:n] > b[:n]) - (a[:n] < b[:n])


def partial_date_problem(field: str, text: str, *, today: date, born: date | None) -> list:
    if not text:
        return []
    parts = partial_date(text)
    if parts is None:
        return [
            Problem(
                field,
                _("Enter the date as YYYY-MM-DD, YYYY-MM or YYYY, from %(y)d on.")
                % {"y": EARLIEST_YEAR},
            )
        ]
    if _earliest(parts) > today:
        return [Problem(field, _("This date cannot be in the future."))]
    if born is not None and _compare(parts, (born.year, born.month, born.day)) < 0:
        return [Problem(field, _("This date is before the date of birth."))]
    return []


def history_problems(
    *, condition: str, term: str, start: str, end: str, ongoing: bool, today: date, born
) -> list[Problem]:
    """A medical history entry: a term for Other, dates that exist (partial allowed), not in
    the future nor before birth, the end not before the start, an end or ongoing, not both."""
    problems = []
    if condition == OTHER_CONDITION and not (term or "").strip():
        problems.append(Problem("mhterm", _("Type the condition's name.")))
    problems += partial_date_problem("mhstdtc", start, today=today, born=born)
    problems += partial_date_problem("mhendtc", end, today=today, born=born)
    if ongoing and end:
        problems.append(Problem("mhendtc", _("An ongoing condition has no end date.")))
    started, ended = partial_date(start), partial_date(end)
    if started and ended and _compare(ended, started) < 0:
        problems.append(Problem("mhendtc", _("The end date is before the start date.")))
    return problems


def ck_in_study_unit(value: Decimal, unit: str) -> Decimal | None:
    """Creatine kinase converted to the study unit by the configured factor (None: unknown
    unit)."""
    try:
        return Decimal(value) * study().lab("CK").factor(unit)
    except (KeyError, InvalidOperation):
        return None


def disease_history_problems(
    *, dm_on: date | None, ild_on: date | None, born: date | None, latest: date, ck, ck_unit: str
) -> list[Problem]:
    """Diagnoses after birth and not after `latest` (the screening date, or the consent date
    if earlier); creatine kinase with its unit and possible in the study unit."""
    problems = []
    for field, on in (("dm_diagnosed_on", dm_on), ("ild_diagnosed_on", ild_on)):
        if on is None:
            continue
        if born is not None and on < born:
            problems.append(Problem(field, _("The diagnosis is before the date of birth.")))
        elif on > latest:
            problems.append(
                Problem(
                    field,
                    _("The diagnosis must be on or before %(d)s (screening and consent).")
                    % {"d": latest.isoformat()},
                )
            )
    if ck is not None:
        if not ck_unit:
            problems.append(Problem("ck_unit", _("Give the unit of the creatine kinase.")))
        else:
            test = study().lab("CK")
            standard = ck_in_study_unit(ck, ck_unit)
            if standard is None or standard not in test.plausible:
                problems.append(out_of_range("ck_at_diagnosis", test.name, test.plausible))
    elif ck_unit:
        problems.append(Problem("ck_at_diagnosis", _("Give the value, or leave the unit empty.")))
    return problems
