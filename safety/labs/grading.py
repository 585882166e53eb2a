"""Grading a safety laboratory value by CTCAE, from a table of data (pure: no database).

The grading table of a CTCAE version is a data file, `safety/data/lab_grading_ctcae_v<version>
.csv` (the version is `study().ctcae_version`): one row per grade threshold of a graded
analyte — its CTCAE term, direction, grade, the basis of the threshold (a multiple of the
reporting lab's ULN or LLN, a multiple of the subject's baseline, or an absolute value in a
unit), the baseline it applies to (any, normal, abnormal), the comparison and the CTCAE text
it transcribes. Another version is another file, not code.

A value's grade is the highest grade whose threshold it passes among the rows that apply to
it; so where two bases apply at once (creatinine: ULN and baseline), the worse grade wins.
Only what a laboratory value can grade is in the table: the clinical qualifiers (grade 4
anaemia, "transfusion indicated", every grade 5) are left to the investigator.

- The baseline is the last value before the first dose (`baseline_of`). A value before the
  first dose — the baseline itself included — is graded against its own limits only, never
  against a baseline. "Baseline abnormal" is decided by the baseline's own range (for an
  analyte graded upwards: above its ULN; downwards: below its LLN).
- A value without the limits its rows need is not graded, never guessed.
"""

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _

from trial_edc.study import LabTest, study

DATA = Path(__file__).resolve().parent.parent / "data"
BASES = ("uln", "lln", "baseline", "absolute")
BASELINE_STATES = ("any", "normal", "abnormal")
OPERATORS = {
    "gt": (lambda v, t: v > t, ">"),
    "ge": (lambda v, t: v >= t, "≥"),
    "lt": (lambda v, t: v < t, "<"),
    "le": (lambda v, t: v <= t, "≤"),
}


@dataclass(frozen=True)
class Threshold:
    """One row of the grading table: `grade` is reached when value `operator` threshold."""

    grade: int
    basis: str  # uln | lln | baseline | absolute
    baseline: str  # any | normal | abnormal: the baseline state the row applies to
    operator: str
    threshold: Decimal  # a multiple, or an absolute value in the analyte's study unit
    ctcae_text: str


@dataclass(frozen=True)
class AnalyteGrading:
    analyte: str
    ctcae_term: str
    meddra_code: int
    direction: str  # high | low
    thresholds: tuple[Threshold, ...]

    @property
    def needs_baseline_state(self) -> bool:
        return any(t.baseline != "any" for t in self.thresholds)


@dataclass(frozen=True)
class Measure:
    """A result as reported: the value, its unit and the reporting lab's limits (in that
    unit), with the value in the study unit (`si`)."""

    value: Decimal
    unit: str
    lln: Decimal | None
    uln: Decimal | None
    si: Decimal

    def abnormal(self, direction: str) -> bool | None:
        """Outside its own range in the grading's direction; None without that limit."""
        limit = self.uln if direction == "high" else self.lln
        if limit is None:
            return None
        return self.value > limit if direction == "high" else self.value < limit


@dataclass(frozen=True)
class LabGrade:
    """What a grading gives: the grade (0: no threshold reached; None: not graded), the CTCAE
    term, the rule that gave it (the table's CTCAE text), why, and its inputs."""

    analyte: str
    grade: int | None
    ctcae_term: str = ""
    meddra_code: int | None = None
    rule: str = ""
    explanation: str = ""
    inputs: dict = field(default_factory=dict)

    @property
    def graded(self) -> bool:
        return self.grade is not None


def measure(test: LabTest, value, unit: str, lln=None, uln=None) -> Measure:
    """A result in the unit entered, with its value converted to the study unit by the one
    conversion rule (`LabTest.to_standard`)."""
    value = Decimal(value)
    return Measure(
        value=value,
        unit=unit,
        lln=None if lln is None else Decimal(lln),
        uln=None if uln is None else Decimal(uln),
        si=test.to_standard(value, unit),
    )


# --- the table --------------------------------------------------------------------------


def grading_path(version: str) -> Path:
    return DATA / f"lab_grading_ctcae_v{version}.csv"


def load_grading(path: Path, tests: Iterable[LabTest]) -> dict[str, AnalyteGrading]:
    """Read a grading table; absolute thresholds are converted to each analyte's study unit.
    A row that does not make sense (unknown analyte, basis, unit...) is refused loudly."""
    by_code = {t.code: t for t in tests}
    rows: dict[str, list] = {}
    heads: dict[str, tuple] = {}
    with path.open(newline="", encoding="utf-8") as f:
        for n, row in enumerate(csv.DictReader(f), start=2):
            code = row["analyte"].strip()
            test = by_code.get(code)
            basis, state, op = row["basis"], row["baseline"], row["operator"]
            if test is None or basis not in BASES or state not in BASELINE_STATES:
                raise ValueError(f"{path.name} line {n}: unknown analyte, basis or baseline")
            if op not in OPERATORS or row["direction"] not in ("high", "low"):
                raise ValueError(f"{path.name} line {n}: unknown operator or direction")
            threshold = Decimal(row["threshold"])
            if basis == "absolute":
                threshold = test.to_standard(threshold, row["unit"] or test.unit)
            head = (row["ctcae_term"], int(row["meddra_code"]), row["direction"])
            if heads.setdefault(code, head) != head:
                raise ValueError(f"{path.name} line {n}: {code} has two terms or directions")
            rows.setdefault(code, []).append(
                Threshold(int(row["grade"]), basis, state, op, threshold, row["ctcae_text"])
            )
    return {
        code: AnalyteGrading(code, *heads[code], thresholds=tuple(ts)) for code, ts in rows.items()
    }


@cache
def grading_table(version: str | None = None) -> dict[str, AnalyteGrading]:
    """The grading table of the configured CTCAE version (or of `version`)."""
    s = study()
    return load_grading(grading_path(version or s.ctcae_version), s.safety_labs)


# --- the baseline ---------------------------------------------------------------------


def baseline_of(specimens: Iterable[tuple[datetime, object]], first_dose_start: datetime | None):
    """The last of (specimen time, result) taken before the first dose started; None if
    there is none (or no dose yet: then nothing is "before the first dose" for sure)."""
    if first_dose_start is None:
        return None
    before = [(at, r) for at, r in specimens if at < first_dose_start]
    return max(before, key=lambda pair: pair[0])[1] if before else None


# --- the grade ------------------------------------------------------------------------


def plain_number(x) -> str:
    """40.000 -> "40", 1.500 -> "1.5", never an exponent."""
    text = f"{Decimal(x):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


_fmt = plain_number


def grade_value(
    rule: AnalyteGrading,
    test: LabTest,
    value: Measure,
    *,
    baseline: Measure | None,
    after_first_dose: bool,
    version: str = "",
) -> LabGrade:
    """The CTCAE grade of one value. `baseline`: the subject's baseline result of the analyte
    (ignored unless `after_first_dose`: a value before the first dose, the baseline itself
    included, is graded against its own limits only)."""
    version = version or study().ctcae_version
    head = {"analyte": test.code, "ctcae_term": rule.ctcae_term, "meddra_code": rule.meddra_code}
    inputs = {"value": value.value, "unit": value.unit, "lln": value.lln, "uln": value.uln}
    base = baseline if after_first_dose else None
    if base is not None:
        inputs |= {"baseline": base.value, "baseline_unit": base.unit}

    def not_graded(why: str) -> LabGrade:
        return LabGrade(**head, grade=None, explanation=why, inputs=inputs)

    # which baseline state the rows of this analyte are chosen by
    state = "normal"
    if rule.needs_baseline_state and base is not None:
        abnormal = base.abnormal(rule.direction)
        if abnormal is None:
            return not_graded(_("not graded: the baseline's limits are missing"))
        state = "abnormal" if abnormal else "normal"
    if rule.needs_baseline_state:
        inputs["baseline_state"] = state
    rows = [
        t
        for t in rule.thresholds
        if t.baseline in ("any", state) and (t.basis != "baseline" or base is not None)
    ]
    for limit in ("uln", "lln"):
        if any(t.basis == limit for t in rows) and getattr(value, limit) is None:
            return not_graded(
                _("not graded: limits missing (%(limit)s)") % {"limit": limit.upper()}
            )
    best: tuple[int, Threshold, Decimal, str] | None = None
    for t in rows:
        if t.basis in ("uln", "lln"):
            # a multiple of the reporting lab's limit, both in the unit entered
            reference, compared = getattr(value, t.basis), value.value
            bound = t.threshold * reference
            said = _("%(m)s × %(limit)s (%(ref)s %(unit)s)") % {
                "m": _fmt(t.threshold),
                "limit": t.basis.upper(),
                "ref": _fmt(reference),
                "unit": value.unit,
            }
        elif t.basis == "baseline":
            # a multiple of the baseline, both in the study unit
            reference, compared = base.si, value.si
            bound = t.threshold * reference
            said = _("%(m)s × baseline (%(ref)s %(unit)s)") % {
                "m": _fmt(t.threshold),
                "ref": _fmt(base.value),
                "unit": base.unit,
            }
        else:
            compared, bound = value.si, t.threshold
            said = f"{_fmt(bound)} {test.unit}"
        holds, sign = OPERATORS[t.operator]
        if holds(compared, bound) and (best is None or t.grade > best[0]):
            best = (t.grade, t, reference if t.basis != "absolute" else None, f"{sign} {said}")
    title = _("CTCAE v%(v)s %(term)s") % {"v": version, "term": rule.ctcae_term}
    if best is None:
        return LabGrade(
            **head,
            grade=0,
            explanation=_("grade 0: %(test)s %(value)s %(unit)s reaches no threshold of %(t)s")
            % {"test": test.name, "value": _fmt(value.value), "unit": value.unit, "t": title},
            inputs=inputs,
        )
    grade, t, reference, said = best
    inputs |= {"basis": t.basis, "multiple": t.threshold if t.basis != "absolute" else None}
    if reference is not None:
        inputs["reference"] = reference
        inputs["ratio"] = (
            (value.si / reference) if t.basis == "baseline" else (value.value / reference)
        ).quantize(Decimal("0.01"))
    explanation = _(
        "grade %(g)d: %(test)s %(value)s %(unit)s %(said)s — %(title)s grade %(g)d: '%(text)s'"
    ) % {
        "g": grade,
        "test": test.name,
        "value": _fmt(value.value),
        "unit": value.unit,
        "said": said,
        "title": title,
        "text": t.ctcae_text,
    }
    if "ratio" in inputs:
        explanation += " " + _("(%(r)s × %(limit)s)") % {
            "r": _fmt(inputs["ratio"]),
            "limit": _("baseline") if t.basis == "baseline" else t.basis.upper(),
        }
    return LabGrade(**head, grade=grade, rule=t.ctcae_text, explanation=explanation, inputs=inputs)


def signal(grade: LabGrade, baseline_grade: LabGrade | None) -> bool:
    """A value the investigators are asked about as a possible AE: at the configured grade or
    above, or risen by the configured number of grades from the baseline's."""
    s = study()
    if grade.grade is None:
        return False
    if grade.grade >= s.lab_signal_grade:
        return True
    if baseline_grade is not None and baseline_grade.grade is not None:
        return grade.grade - baseline_grade.grade >= s.lab_signal_rise
    return False
