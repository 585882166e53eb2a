"""Daily vital signs: what is impossible (refused) and what is abnormal (saved, flagged)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from trial_edc.core.clock import study_day
from trial_edc.core.problems import Problem, out_of_range
from trial_edc.study import Study, study

# oxygen support codes (see safety.models.OxygenSupport) that need a flow and/or an FiO2
NEEDS_FLOW = {"NASAL_CANNULA", "MASK", "HFNC"}
NEEDS_FIO2 = {"HFNC", "NIV", "INVASIVE"}
ROOM_AIR = "ROOM_AIR"
VITAL_FIELDS = {
    "TEMP": "temp",
    "HR": "hr",
    "RESP": "resp",
    "SYSBP": "sysbp",
    "DIABP": "diabp",
    "OXYSAT": "oxysat",
}


def vital_problems(values: dict, s: Study | None = None) -> list[Problem]:
    """Values a living person cannot have, and contradictions between fields."""
    s = s or study()
    problems = []
    for code, field in VITAL_FIELDS.items():
        value = values.get(field)
        vital = s.vital(code)
        if value is not None and value not in vital.plausible:
            problems.append(out_of_range(field, vital.name, vital.plausible))
    sys, dia = values.get("sysbp"), values.get("diabp")
    if sys is not None and dia is not None and sys <= dia:
        problems.append(Problem("diabp", _("The diastolic pressure must be below the systolic.")))
    problems += oxygen_problems(
        support=values.get("oxygen_support"), fio2=values.get("fio2"), flow=values.get("flow"), s=s
    )
    return problems


def oxygen_problems(
    *, support: str | None, fio2, flow=None, flow_recorded: bool = True, s: Study | None = None
) -> list[Problem]:
    """The oxygen support, its FiO2 and its flow agree: one rule for the vital signs and the
    blood gas. Room air is FiO2 `study().fio2_range.low` (0.21), so a PaO2/FiO2 is never
    computed from a contradiction. `flow_recorded` False: the record has no flow (a blood gas)."""
    s = s or study()
    problems = []
    if fio2 is not None and fio2 not in s.fio2_range:
        problems.append(out_of_range("fio2", "FiO2", s.fio2_range))
    if support == ROOM_AIR and fio2 is not None and fio2 != s.fio2_range.low:
        problems.append(
            Problem("fio2", _("On room air FiO2 is %(fio2)s.") % {"fio2": s.fio2_range.low})
        )
    if flow_recorded and support in NEEDS_FLOW and flow is None:
        problems.append(Problem("flow", _("Give the oxygen flow in L/min.")))
    if support in NEEDS_FIO2 and fio2 is None:
        problems.append(Problem("fio2", _("Give the FiO2 of this oxygen support.")))
    if flow is not None and (flow <= s.oxygen_flow_max.low or flow not in s.oxygen_flow_max):
        problems.append(out_of_range("flow", _("The flow"), s.oxygen_flow_max))
    return problems


def vital_flags(values: dict, s: Study | None = None) -> list[tuple[str, str]]:
    """(field, 'low'|'high') for each value outside the configured normal range."""
    s = s or study()
    flags = []
    for code, field in VITAL_FIELDS.items():
        value = values.get(field)
        if value is None:
            continue
        normal = s.vital(code).normal
        if Decimal(str(value)) < normal.low:
            flags.append((field, "low"))
        elif Decimal(str(value)) > normal.high:
            flags.append((field, "high"))
    return flags


# --- adverse events ------------------------------------------------------------------------

FATAL = "FATAL"
RELATED = {"POSSIBLY RELATED", "PROBABLY RELATED", "DEFINITELY RELATED"}
# CTCAE v5.0: grade 4 is "life-threatening consequences", grade 5 "death related to AE"
LIFE_THREATENING = 4
DEATH = 5
DEATH_CRITERION = "aesdth"


@dataclass(frozen=True)
class FollowUpValues:
    """What a follow-up says of the event on the day it was assessed."""

    assessed_on: date
    order: int  # ties on one day: the later entry wins (its id)
    grade: int
    outcome: str
    end: date | None


@dataclass(frozen=True)
class CurrentState:
    """The event as it stands after its follow-ups: the worst grade it reached, the grade,
    outcome and end date of the latest assessment, and its initial grade."""

    initial_grade: int
    worst_grade: int
    grade: int
    outcome: str
    end: date | None
    ongoing: bool

    @property
    def fatal(self) -> bool:
        return self.outcome == FATAL


def current_state(
    *, grade: int, outcome: str, end: date | None, ongoing: bool, follow_ups=()
) -> CurrentState:
    """The latest follow-up (by assessment date, then entry order) gives the outcome, grade
    and end date; the worst grade is the highest ever recorded. Without a follow-up, the
    event as first recorded."""
    follow_ups = sorted(follow_ups, key=lambda f: (f.assessed_on, f.order))
    if not follow_ups:
        return CurrentState(grade, grade, grade, outcome, end, ongoing)
    latest = follow_ups[-1]
    return CurrentState(
        initial_grade=grade,
        worst_grade=worst_grade([grade, *(f.grade for f in follow_ups)]),
        grade=latest.grade,
        outcome=latest.outcome,
        end=latest.end,
        ongoing=latest.end is None and latest.outcome != FATAL,
    )


@dataclass(frozen=True)
class AdverseEventFacts:
    onset: date
    end: date | None
    ongoing: bool
    grade: int
    serious: bool
    criteria: dict[str, bool]  # aesdth, aeslife, aeshosp, aesdisab, aescong, aesmie
    outcome: str
    consent_date: date
    # after the follow-ups (None: no follow-up, the values above are current)
    current_grade: int | None = None
    current_outcome: str | None = None
    today: date | None = None  # the site's date: an end date cannot lie after it
    grade_definitions: dict[int, str] | None = None  # of the chosen CTCAE term
    term: str = ""  # the chosen CTCAE term


def ctcae_grade_problems(
    grade: int | None, definitions: dict[int, str] | None, term: str = "", field="aetoxgr"
) -> list[Problem]:
    """A grade CTCAE v5.0 does not define for the chosen term (an empty definition, e.g.
    alopecia grade 4) does not exist. No term chosen: nothing to check."""
    if grade is None or not definitions or definitions.get(grade):
        return []
    existing = ", ".join(str(g) for g, text in sorted(definitions.items()) if text)
    return [
        Problem(
            field,
            _("CTCAE v5.0 has no grade %(grade)s for %(term)s; its grades are %(grades)s.")
            % {"grade": grade, "term": term or _("this term"), "grades": existing},
        )
    ]


def not_in_future_problems(values: dict[str, date | None], today: date) -> list[Problem]:
    """Dates a person typed that cannot lie after today (the site's date)."""
    return [
        Problem(field, _("This cannot be in the future."))
        for field, value in values.items()
        if value is not None and value > today
    ]


def fatal_outcome_problems(*, grade: int, outcome: str) -> list[Problem]:
    """A fatal outcome goes with CTCAE grade 5 (death), and grade 5 with a fatal outcome."""
    if (outcome == FATAL) != (grade == 5):
        message = _("A fatal outcome goes with grade 5, and grade 5 with a fatal outcome.")
        return [Problem("aeout", message)]
    return []


def adverse_event_problems(ae: AdverseEventFacts) -> list[Problem]:
    problems = []
    if ae.today is not None:
        problems += not_in_future_problems({"aeendtc": ae.end}, ae.today)
    problems += ctcae_grade_problems(ae.grade, ae.grade_definitions, ae.term)
    if ae.end is not None and ae.end < ae.onset:
        problems.append(Problem("aeendtc", _("The end date cannot be before the onset.")))
    if ae.ongoing and ae.end is not None:
        problems.append(Problem("ongoing", _("An ongoing event has no end date.")))
    if not ae.ongoing and ae.end is None and ae.outcome != FATAL:
        problems.append(Problem("aeendtc", _("Give the end date, or tick ongoing.")))
    if ae.onset < ae.consent_date:
        problems.append(
            Problem(
                "aestdtc",
                _("An adverse event cannot start before consent (%(d)s).")
                % {"d": ae.consent_date.isoformat()},
            )
        )
    ticked = [name for name, value in ae.criteria.items() if value]
    if ae.serious and not ticked:
        problems.append(
            Problem("aeser", _("A serious event needs at least one seriousness criterion."))
        )
    if ticked and not ae.serious:
        problems.append(
            Problem("aeser", _("A seriousness criterion is ticked: the event is serious."))
        )
    # death as the event stands now (a follow-up may have made it fatal)
    grade = ae.current_grade if ae.current_grade is not None else ae.grade
    outcome = ae.current_outcome if ae.current_outcome is not None else ae.outcome
    if DEATH in (ae.grade, grade) and not ae.criteria.get(DEATH_CRITERION):
        problems.append(Problem("aesdth", _("Grade 5 is death: tick 'results in death'.")))
    problems += fatal_outcome_problems(grade=ae.grade, outcome=ae.outcome)
    if ae.criteria.get(DEATH_CRITERION) and outcome != FATAL:
        problems.append(Problem("aeout", _("The event resulted in death: the outcome is fatal.")))
    return problems


@dataclass(frozen=True)
class FollowUpFacts:
    assessed_on: date
    grade: int
    outcome: str
    end: date | None
    serious: bool | None  # the investigator's assessment at this follow-up (None: not given)
    criteria: dict[str, bool]
    onset: date
    ae_serious: bool  # the event is serious now
    today: date
    grade_definitions: dict[int, str] | None = None
    term: str = ""


def follow_up_problems(f: FollowUpFacts) -> list[Problem]:
    """A follow-up: dated between the onset and today; a grade CTCAE has for the term; grade
    5 with a fatal outcome (and it makes the event serious: death); at grade 4 an event not
    yet serious needs the seriousness assessment; serious needs a criterion."""
    problems = not_in_future_problems({"assessed_on": f.assessed_on, "aeendtc": f.end}, f.today)
    if f.assessed_on < f.onset:
        problems.append(Problem("assessed_on", _("A follow-up cannot precede the onset.")))
    if f.end is not None and f.end < f.onset:
        problems.append(Problem("aeendtc", _("The end date cannot be before the onset.")))
    problems += ctcae_grade_problems(f.grade, f.grade_definitions, f.term)
    problems += fatal_outcome_problems(grade=f.grade, outcome=f.outcome)
    ticked = [name for name, value in f.criteria.items() if value]
    if f.grade == DEATH or f.outcome == FATAL:
        if f.serious is False:
            problems.append(Problem("aeser", _("A fatal event is serious (results in death).")))
        return problems
    if f.grade >= LIFE_THREATENING and not f.ae_serious and f.serious is None:
        problems.append(
            Problem(
                "aeser",
                _(
                    "Grade 4 is life-threatening: say whether the event is now serious "
                    "(and by which criteria)."
                ),
            )
        )
    if f.serious and not ticked and not f.ae_serious:
        problems.append(
            Problem("aeser", _("A serious event needs at least one seriousness criterion."))
        )
    if ticked and f.serious is False:
        problems.append(
            Problem("aeser", _("A seriousness criterion is ticked: the event is serious."))
        )
    if f.criteria.get(DEATH_CRITERION):
        problems.append(
            Problem(DEATH_CRITERION, _("Only a fatal outcome (grade 5) results in death."))
        )
    return problems


def seriousness_after_follow_up(
    *, serious: bool, criteria: dict[str, bool], follow_up: FollowUpFacts
) -> tuple[bool, dict[str, bool]]:
    """The event's seriousness once the follow-up is saved: a fatal follow-up makes it
    serious with the death criterion; a follow-up assessed serious adds its criteria. A
    follow-up never makes a serious event non-serious (that is a correction of the AE)."""
    new = dict(criteria)
    if follow_up.grade == DEATH or follow_up.outcome == FATAL:
        new[DEATH_CRITERION] = True
    if follow_up.serious:
        for name, value in follow_up.criteria.items():
            new[name] = new.get(name, False) or value
    return serious or any(new.values()), new


@dataclass(frozen=True)
class AdverseEventDerived:
    onset_study_day: int
    treatment_emergent: bool
    in_safety_window: bool
    related: bool
    susar_candidate: bool


def primary_safety_window(
    *, day1: date, last_dose_given: date | None, s: Study | None = None
) -> tuple[date, date] | None:
    """Day 1 through 30 days after the last dose actually given (inclusive); none if no dose."""
    s = s or study()
    if last_dose_given is None:
        return None
    return day1, last_dose_given + timedelta(days=s.safety_window_days_after_last_dose)


def subject_report_due(
    *, day1: date, last_dose_given: date | None, treatment_over: bool, today: date
) -> bool:
    """The subject's 30-day report is due once treatment is over (`enrollment.schedule.rules.
    treatment_over`: until then another dose may move the window) and the primary safety
    window, counted from the last dose actually given, has closed."""
    window = primary_safety_window(day1=day1, last_dose_given=last_dose_given)
    return treatment_over and window is not None and window[1] < today


def report_claimable(
    *, status: str, claimed_at: datetime | None, now: datetime, stuck_after: timedelta
) -> bool:
    """A run may make a report that is queued or failed, or running for longer than
    `stuck_after` (its worker died); never a finished one, nor one another run is making."""
    if status in ("queued", "failed"):
        return True
    if status == "running":
        return claimed_at is None or claimed_at < now - stuck_after
    return False


def adverse_event_derived(
    *,
    onset: date,
    day1: date,
    last_dose_given: date | None,
    serious: bool,
    relationship: str,
    expected: bool,
) -> AdverseEventDerived:
    window = primary_safety_window(day1=day1, last_dose_given=last_dose_given)
    related = relationship in RELATED
    return AdverseEventDerived(
        onset_study_day=study_day(day1, onset),
        treatment_emergent=onset >= day1,
        in_safety_window=window is not None and window[0] <= onset <= window[1],
        related=related,
        susar_candidate=serious and related and not expected,
    )


def worst_grade(grades: list[int]) -> int:
    return max(grades)
