"""The visit schedule of the protocol: pure functions over plain values.

Visit days, windows and required forms come from `study().visits`; nothing here restates
them. Day 1 is the first dose (`core.clock.study_day`)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from trial_edc.core.clock import study_day_date
from trial_edc.core.problems import Problem
from trial_edc.study import Study, Visit, study

VISIT_DATE = "visit_date"  # the visit's own form: the date it took place
SCREENING = "SCREENING"  # the screening visit, complete at enrolment: its pages are the screening's
UPCOMING, DUE, OVERDUE = "upcoming", "due", "overdue"


@dataclass(frozen=True)
class PlannedVisit:
    code: str
    name: str
    target_date: date
    window_start: date
    window_end: date


def planned_visit(visit: Visit, *, day1: date, last_dose_date: date) -> PlannedVisit:
    if visit.after_last_dose:
        target = last_dose_date + timedelta(days=visit.target_day)
    else:
        target = study_day_date(day1, visit.target_day)
    return PlannedVisit(
        code=visit.code,
        name=visit.name,
        target_date=target,
        window_start=target - timedelta(days=visit.window_before),
        window_end=target + timedelta(days=visit.window_after),
    )


def visit_schedule(
    *, day1: date, last_dose_date: date | None = None, s: Study | None = None
) -> list[PlannedVisit]:
    """Every visit of the protocol for a subject whose day 1 is `day1`; the visits counted
    from the last dose from `last_dose_date` (by default the planned last treatment day)."""
    s = s or study()
    last_dose = last_dose_date or study_day_date(day1, s.treatment_days)
    return [planned_visit(v, day1=day1, last_dose_date=last_dose) for v in s.visits]


# --- the end of treatment: one base for "N days after the last dose" ----------------------


def treatment_over(
    *,
    day1: date,
    today: date,
    ended_on: date | None,
    last_day_recorded: bool,
    s: Study | None = None,
) -> bool:
    """Dosing has ended: the last treatment day's record is saved (given or not), the last
    treatment day has passed at the site, or the subject left the study. An early stop is
    over when one of these holds; until then another dose may still come."""
    s = s or study()
    return (
        ended_on is not None or last_day_recorded or today > study_day_date(day1, s.treatment_days)
    )


def last_dose_base(
    *, day1: date, last_dose_given: date | None, over: bool, s: Study | None = None
) -> date:
    """The date the visits `after_last_dose` count from: the planned last treatment day
    while treatment goes on (or if no dose was ever given); once it is over, the last dose
    actually given (completed or interrupted)."""
    s = s or study()
    if over and last_dose_given is not None:
        return last_dose_given
    return study_day_date(day1, s.treatment_days)


def visit_timing(*, window_start: date, window_end: date, today: date) -> str:
    """Where today stands against a visit window that has no outcome yet."""
    if today < window_start:
        return UPCOMING
    if today <= window_end:
        return DUE
    return OVERDUE


def baseline_code(s: Study | None = None) -> str:
    """The baseline is the first visit of the schedule with forms to fill."""
    return next(v.code for v in (s or study()).visits if v.forms)


# --- a record's date against the subject's time on study -----------------------------------


def record_date_problems(
    on: date,
    *,
    field: str,
    today: date,
    enrolled_on: date | None,
    ended_on: date | None,
    after_end: bool = False,
) -> list[Problem]:
    """A record dated `on` is accepted for this subject: not in the future, not before
    enrolment (`enrolled_on` None: screening-time data is allowed), and not after the
    subject left the study (unless `after_end`: AE follow-up, the report of a death)."""
    problems = []
    if on > today:
        problems.append(Problem(field, _("This cannot be in the future.")))
    if enrolled_on is not None and on < enrolled_on:
        problems.append(
            Problem(
                field, _("This is before the subject was enrolled (%(d)s).") % {"d": enrolled_on}
            )
        )
    if not after_end and ended_on is not None and on > ended_on:  # the day they left counts
        problems.append(Problem(field, _("The subject left the study on %(d)s.") % {"d": ended_on}))
    return problems


# --- the visit date and its window -------------------------------------------------------


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


# --- a visit missed ------------------------------------------------------------------------


def missed_problems(
    *, outcome: str, window_end: date, visit_date: date | None, today: date, reason: str
) -> list[Problem]:
    """Only a planned visit whose window has closed, and that did not take place, can be
    marked missed, with a reason."""
    problems = []
    if outcome != "planned":
        problems.append(Problem("__all__", _("Only a planned visit can be marked missed.")))
    elif visit_date is not None:
        problems.append(
            Problem(
                "__all__",
                _("This visit took place on %(d)s: enter its missing forms instead.")
                % {"d": visit_date},
            )
        )
    elif today <= window_end:
        problems.append(
            Problem(
                "__all__",
                _("The window of this visit closes on %(d)s; it can be marked missed after that.")
                % {"d": window_end},
            )
        )
    if not reason.strip():
        problems.append(Problem("reason", _("Say why the visit was missed.")))
    return problems


# --- which forms a visit needs -----------------------------------------------------------


def required_forms(configured: tuple[str, ...], *, code: str, died: bool) -> tuple[str, ...]:
    """The visit date and the configured forms. Screening is complete at enrolment (its
    pages are the screening's); after a death only the follow-up status that records it."""
    if code == SCREENING:
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
    if outcome == "planned" and timing == UPCOMING:
        return []
    return [name for name in required if name not in saved]
