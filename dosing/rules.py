"""Rules of the nebulization log and concomitant medication: pure functions over plain values."""

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from django.utils.translation import gettext as _

from enrollment.schedule.rules import record_date_problems
from trial_edc.core.clock import study_day_date
from trial_edc.core.problems import Problem
from trial_edc.study import Study, study

COMPLETED, INTERRUPTED, NOT_GIVEN = "completed", "interrupted", "not_given"
GIVEN_STATUSES = (COMPLETED, INTERRUPTED)  # some of the dose reached the subject


@dataclass(frozen=True)
class DoseRecord:
    study_day: int
    date: date
    status: str
    start_time: time | None
    stop_time: time | None
    volume_ml: Decimal | None
    particles: Decimal | None
    reason_not_completed: str
    spo2_pre: int | None
    spo2_post: int | None
    desaturation: bool


@dataclass(frozen=True)
class SubjectTreatment:
    """What the rules need to know of the subject."""

    day1: date
    enrolled_on: date
    ended_on: date | None  # withdrawal or end of study
    today: date


def dose_problems(
    dose: DoseRecord, subject: SubjectTreatment, s: Study | None = None
) -> list[Problem]:
    s = s or study()
    problems = []
    if not 1 <= dose.study_day <= s.treatment_days:
        problems.append(
            Problem(
                "study_day",
                _("Treatment runs from day 1 to day %(n)d; there is no dose on day %(day)d.")
                % {"n": s.treatment_days, "day": dose.study_day},
            )
        )
    expected = study_day_date(subject.day1, dose.study_day)
    if dose.date != expected:
        problems.append(
            Problem(
                "date",
                _("Day %(day)d is %(date)s for this subject.")
                % {"day": dose.study_day, "date": expected.isoformat()},
            )
        )
    problems += record_date_problems(
        dose.date,
        field="date",
        today=subject.today,
        enrolled_on=subject.enrolled_on,
        ended_on=subject.ended_on,
    )
    if dose.start_time and dose.stop_time and dose.stop_time <= dose.start_time:
        problems.append(Problem("stop_time", _("The stop time must be after the start time.")))
    problems += amount_problems(dose.volume_ml, dose.particles, s)
    problems += _status_problems(dose)
    if (
        dose.spo2_pre is not None
        and dose.spo2_post is not None
        and dose.spo2_pre - dose.spo2_post >= s.desaturation_points
        and not dose.desaturation
    ):
        problems.append(
            Problem(
                "desaturation",
                _("SpO2 fell by %(n)d points or more: record the desaturation.")
                % {"n": s.desaturation_points},
            )
        )
    return problems


def amount_problems(
    volume_ml: Decimal | None, particles: Decimal | None, s: Study | None = None
) -> list[Problem]:
    """A volume or particle count recorded is more than 0 and at most the configured dose
    (`study().dose`); the database refuses 0 or less too (a CHECK constraint)."""
    s = s or study()
    problems = []
    if volume_ml is not None and not 0 < volume_ml <= s.dose.volume_ml:
        problems.append(
            Problem(
                "volume_ml",
                _("The volume nebulised is more than 0 and at most %(v)s mL.")
                % {"v": s.dose.volume_ml},
            )
        )
    if particles is not None and not 0 < particles <= s.dose.particles:
        problems.append(
            Problem(
                "particles",
                _("The particle count is more than 0 and at most %(p).2e.")
                % {"p": s.dose.particles},
            )
        )
    return problems


def conmed_dose_problems(dose: Decimal | None) -> list[Problem]:
    """A concomitant medication's dose is more than 0 (the database refuses 0 or less too)."""
    if dose is not None and dose <= 0:
        return [Problem("dose", _("The dose is more than 0: give the amount taken."))]
    return []


def _status_problems(dose: DoseRecord) -> list[Problem]:
    problems = []
    if dose.status in (COMPLETED, INTERRUPTED):
        for field, value in (
            ("start_time", dose.start_time),
            ("volume_ml", dose.volume_ml),
        ):
            if value is None:
                problems.append(Problem(field, _("Required when the dose was given.")))
        if dose.status == COMPLETED and dose.stop_time is None:
            problems.append(Problem("stop_time", _("Required when the dose was completed.")))
    if dose.status in (INTERRUPTED, NOT_GIVEN) and not dose.reason_not_completed.strip():
        problems.append(Problem("reason_not_completed", _("Say why the dose was not completed.")))
    if dose.status == NOT_GIVEN and dose.volume_ml:
        problems.append(Problem("volume_ml", _("A dose not given has no volume.")))
    return problems


def dose_was_given(status: str) -> bool:
    """Completed or interrupted: some of the dose reached the subject."""
    return status in GIVEN_STATUSES


# --- the 14-day strip ---------------------------------------------------------------------

GIVEN, NOT_YET_DUE, MISSING, NOT_APPLICABLE = "given", "not_yet_due", "missing", "not_applicable"


def _expected(on: date, today: date, ended_on: date | None) -> bool:
    """A day whose dose should be on record by now: past, and before the subject left."""
    return on < today and (ended_on is None or on < ended_on)


@dataclass(frozen=True)
class StripCell:
    study_day: int
    date: date
    state: str  # given, interrupted, not_given, not_yet_due, missing, not_applicable


def treatment_strip(
    *, day1: date, statuses: dict[int, str], today: date, ended_on: date | None, s=None
) -> list[StripCell]:
    """One cell per treatment day: what was recorded, or missing if the day has passed."""
    s = s or study()
    cells = []
    for day in range(1, s.treatment_days + 1):
        on = study_day_date(day1, day)
        recorded = statuses.get(day)
        if recorded == COMPLETED:
            state = GIVEN
        elif recorded in (INTERRUPTED, NOT_GIVEN):
            state = recorded
        elif _expected(on, today, ended_on):
            state = MISSING
        elif ended_on is not None and on >= ended_on:
            state = NOT_APPLICABLE
        else:
            state = NOT_YET_DUE
        cells.append(StripCell(day, on, state))
    return cells


@dataclass(frozen=True)
class Compliance:
    given: int
    elapsed: int
    planned: int

    @property
    def of_elapsed(self) -> float | None:
        return self.given / self.elapsed if self.elapsed else None

    @property
    def of_planned(self) -> float:
        return self.given / self.planned


def compliance(
    *, day1: date, statuses: dict[int, str], today: date, ended_on: date | None, s=None
) -> Compliance:
    """Doses given (completed or interrupted) over days elapsed, and over the 14 planned.

    Days elapsed: treatment days up to today and before the subject left, and any day that
    has a record."""
    s = s or study()
    elapsed = len(
        {
            day
            for day in range(1, s.treatment_days + 1)
            if study_day_date(day1, day) <= today
            and (ended_on is None or study_day_date(day1, day) < ended_on)
        }
        | set(statuses)
    )
    given = sum(1 for status in statuses.values() if dose_was_given(status))
    return Compliance(given=given, elapsed=elapsed, planned=s.treatment_days)


def missing_days(
    *, day1: date, recorded_days: set[int], today: date, ended_on: date | None, s=None
) -> list[int]:
    """Treatment days already past with no record."""
    s = s or study()
    return [
        day
        for day in range(1, s.treatment_days + 1)
        if day not in recorded_days and _expected(study_day_date(day1, day), today, ended_on)
    ]


# --- concomitant medication ---------------------------------------------------------------


def conmed_problems(*, start: date, stop: date | None, ongoing: bool) -> list[Problem]:
    problems = []
    if stop is not None and stop < start:
        problems.append(Problem("stop_date", _("The stop date cannot be before the start date.")))
    if ongoing and stop is not None:
        problems.append(Problem("ongoing", _("An ongoing medication has no stop date.")))
    if not ongoing and stop is None:
        problems.append(Problem("stop_date", _("Give the stop date, or tick ongoing.")))
    return problems


# --- prior treatment: the con-med entries started before day 1 (issue 17) ---------------


def prior_treatment_problems(*, start: date | None, day1: date) -> list[Problem]:
    """A prior treatment started before day 1; what starts later is a concomitant medication
    of the treatment period (the same list, entered from it)."""
    if start is not None and start >= day1:
        return [
            Problem(
                "start_date",
                _(
                    "A prior treatment starts before day 1 (%(day1)s); add a medication "
                    "started later from the concomitant medication list."
                )
                % {"day1": day1.isoformat()},
            )
        ]
    return []


def at_baseline(*, start: date, stop: date | None, ongoing: bool, day1: date) -> bool:
    """Taken at baseline: started on or before day 1 and not stopped before it."""
    return start <= day1 and (ongoing or stop is None or stop >= day1)
