"""Visit completion: the visit date against its window (a deviation needs a reason), which
forms a visit still misses, and the death rule of the follow-up status."""

from datetime import date, datetime

from django.utils.translation import gettext as _

from enrollment import rules as enrollment_rules
from enrollment.rules import Problem
from trial_edc.study import study

VISIT_DATE = "visit_date"


def out_of_window(visit_date: date, window_start: date, window_end: date) -> bool:
    return not window_start <= visit_date <= window_end


def visit_date_problems(
    *,
    visit_date: date,
    window_start: date,
    window_end: date,
    deviation_reason: str,
    today: date,
    earliest: date,
) -> list[Problem]:
    """A visit out of its window is allowed with a deviation reason; never in the future or
    before the subject's screening."""
    if visit_date > today:
        return [Problem("visit_date", _("A visit date cannot be in the future."))]
    if visit_date < earliest:
        return [
            Problem(
                "visit_date",
                _("A visit date cannot precede screening (%(d)s).") % {"d": earliest},
            )
        ]
    if out_of_window(visit_date, window_start, window_end) and not deviation_reason.strip():
        return [
            Problem(
                "deviation_reason",
                _(
                    "%(d)s is outside the window %(start)s – %(end)s: this is a protocol "
                    "deviation; give its reason."
                )
                % {"d": visit_date, "start": window_start, "end": window_end},
            )
        ]
    return []


def assessment_date_problems(
    on: date, *, field: str, window_start: date, window_end: date, visit_date: date | None
) -> list[Problem]:
    """An assessment belongs to its visit: inside the visit's window, or on the visit date of
    a visit held out of its window (the deviation is the visit's)."""
    start, end = window_start, window_end
    if visit_date is not None:
        start, end = min(start, visit_date), max(end, visit_date)
    if start <= on <= end:
        return []
    return [
        Problem(
            field,
            _("This visit's assessments fall between %(start)s and %(end)s.")
            % {"start": start, "end": end},
        )
    ]


def pre_dose_problems(sampled_at: datetime, first_dose_start: datetime | None) -> list[Problem]:
    """The baseline is taken before the first dose (the schedule's "day 1, pre-dose")."""
    if first_dose_start is not None and sampled_at >= first_dose_start:
        return [
            Problem(
                "sampled_at",
                _("The baseline is taken before the first dose, which started at %(t)s.")
                % {"t": f"{first_dose_start:%Y-%m-%d %H:%M}"},
            )
        ]
    return []


def baseline_code() -> str:
    """The baseline is the first visit of the schedule with an efficacy set."""
    return next(v.code for v in study().visits if v.forms)


def required_forms(configured: tuple[str, ...], *, code: str, died: bool) -> tuple[str, ...]:
    """The visit date and the configured forms. Screening is complete at enrolment (its
    pages are the screening's); after a death only the follow-up status that records it."""
    if code == "SCREENING":
        return ()
    if died and "follow_up" in configured:
        return ("follow_up",)
    return (VISIT_DATE, *configured)


def missing_forms(
    *, required: tuple[str, ...], saved: set[str], timing: str, outcome: str
) -> list[str]:
    """Required forms (the visit date among them) not yet saved, once the visit's window has
    opened. A visit not yet due, missed or not applicable misses nothing."""
    if outcome in ("missed", "not_applicable"):
        return []
    if outcome == "planned" and timing == enrollment_rules.UPCOMING:
        return []
    return [name for name in required if name not in saved]


def death_problems(
    *,
    vital_status: str,
    death_date: date | None,
    death_cause: str,
    assessed_on: date,
    day1: date,
    has_fatal_adverse_event: bool,
) -> list[Problem]:
    """Dead: date and cause, the date between day 1 and the contact, and a fatal AE on file."""
    if vital_status != "dead":
        problems = []
        if death_date is not None:
            problems.append(Problem("death_date", _("Only a subject who died has a death date.")))
        if death_cause.strip():
            problems.append(Problem("death_cause", _("Only a subject who died has a cause.")))
        return problems
    problems = []
    if death_date is None:
        problems.append(Problem("death_date", _("Give the date of death.")))
    elif not day1 <= death_date <= assessed_on:
        problems.append(
            Problem("death_date", _("The date of death lies between day 1 and the contact."))
        )
    if not death_cause.strip():
        problems.append(Problem("death_cause", _("Give the cause of death.")))
    if not has_fatal_adverse_event:
        problems.append(
            Problem(
                "vital_status",
                _(
                    "A death must be recorded as an adverse event with a fatal outcome "
                    "(grade 5) first."
                ),
            )
        )
    return problems
