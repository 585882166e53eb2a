"""Daily vital signs: what is impossible (refused) and what is abnormal (saved, flagged)."""

from dataclasses import dataclass
from datetime import date, timedelta
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


def fatal_outcome_problems(*, grade: int, outcome: str) -> list[Problem]:
    """A fatal outcome goes with CTCAE grade 5 (death), and grade 5 with a fatal outcome."""
    if (outcome == FATAL) != (grade == 5):
        message = _("A fatal outcome goes with grade 5, and grade 5 with a fatal outcome.")
        return [Problem("aeout", message)]
    return []


def adverse_event_problems(ae: AdverseEventFacts) -> list[Problem]:
    problems = []
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
    if ae.grade == 5 and not ae.criteria.get("aesdth"):
        problems.append(Problem("aesdth", _("Grade 5 is death: tick 'results in death'.")))
    problems += fatal_outcome_problems(grade=ae.grade, outcome=ae.outcome)
    if ae.criteria.get("aesdth") and ae.outcome != FATAL:
        problems.append(Problem("aeout", _("The event resulted in death: the outcome is fatal.")))
    return problems


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
