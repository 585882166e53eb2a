"""Change from baseline, per subject and for the study: the one module that turns saved
efficacy forms into the secondary-endpoint tables. A fixed number of queries whatever the
number of subjects: one per source form, none per subject or per visit."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from efficacy import rules
from efficacy.models import BloodGas, HrctScore, LabResult, PulmonaryFunctionTest
from enrollment.schedule.rules import baseline_code as schedule_baseline
from trial_edc.study import study


class _NotDone:
    """A form saved as "not done": shown and counted apart from a value that is missing."""

    def __repr__(self) -> str:
        return "NOT_DONE"


NOT_DONE = _NotDone()


def _value(v):
    return None if v is NOT_DONE else v


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    unit: str
    places: int = 1  # decimals of changes and statistics


def measures() -> list[Measure]:
    oxygenation_and_function = [
        Measure("PF_RATIO", _("PaO2/FiO2"), "mmHg"),
        Measure("SF_RATIO", _("SpO2/FiO2"), ""),
        Measure("FVC_L", _("FVC"), "L", places=2),
        Measure("FVC_PCT", _("FVC"), "% predicted"),
        Measure("DLCO_PCT", _("DLCO"), "% predicted"),
        Measure("HRCT_TOTAL", _("HRCT total score"), "points"),
        Measure("HRCT_GGO", _("HRCT ground-glass score"), "points"),
        Measure("HRCT_FIB", _("HRCT fibrosis score"), "points"),
    ]
    labs = [Measure(t.code, t.name, t.unit, places=2) for t in study().labs]
    return oxygenation_and_function + labs


def efficacy_visits() -> list:
    """The visits with an efficacy set, in schedule order; the first is the baseline."""
    return [v for v in study().visits if v.forms]


# values[subject_id][measure][visit code] = Decimal, or NOT_DONE when the form says so
Values = dict[int, dict[str, dict[str, Decimal | _NotDone]]]


def collect_values(subject_ids) -> Values:
    """Every efficacy value of these subjects (a list or a subquery of ids): four queries."""
    values: Values = defaultdict(lambda: defaultdict(dict))
    gases = (
        BloodGas.objects.filter(visit__subject__in=subject_ids)
        .order_by("visit_id", "sampled_at")
        .values_list("visit__subject_id", "visit__code", "pf_ratio", "sf_ratio")
    )
    for subject_id, visit, pf, sf in gases:
        # the first gas of a visit is its value (a repeat is usually a check after a change);
        # no S/F above SpO2 97% is a missing value, not a test not done
        values[subject_id]["PF_RATIO"].setdefault(visit, pf)
        if sf is not None:
            values[subject_id]["SF_RATIO"].setdefault(visit, sf)
    pfts = PulmonaryFunctionTest.objects.filter(visit__subject__in=subject_ids).values_list(
        "visit__subject_id",
        "visit__code",
        "done",
        "fvc_litres",
        "fvc_percent_predicted",
        "dlco_percent_predicted",
    )
    for subject_id, visit, done, fvc, fvc_pct, dlco in pfts:
        for code, value in (("FVC_L", fvc), ("FVC_PCT", fvc_pct), ("DLCO_PCT", dlco)):
            if done and value is None:
                continue  # measured, but not this one (DLCO is optional): missing
            values[subject_id][code][visit] = value if done else NOT_DONE
    scans = HrctScore.objects.filter(visit__subject__in=subject_ids).values_list(
        "visit__subject_id", "visit__code", "done", "total", "ggo_total", "fibrosis_total"
    )
    for subject_id, visit, done, total, ggo, fib in scans:
        for code, value in (("HRCT_TOTAL", total), ("HRCT_GGO", ggo), ("HRCT_FIB", fib)):
            values[subject_id][code][visit] = value if done else NOT_DONE
    labs = LabResult.objects.filter(panel__visit__subject__in=subject_ids).values_list(
        "panel__visit__subject_id", "panel__visit__code", "test_code", "value_standard"
    )
    for subject_id, visit, code, value in labs:
        values[subject_id][code][visit] = value
    return values


@dataclass(frozen=True)
class Cell:
    value: Decimal | None
    not_done: bool
    change: Decimal | None
    percent_change: Decimal | None


@dataclass(frozen=True)
class SubjectRow:
    measure: Measure
    cells: list[Cell]  # one per efficacy visit


def subject_table(by_measure: dict[str, dict]) -> list[SubjectRow]:
    """One subject's measures by visit with change and % change from baseline; measures
    never recorded are left out."""
    visits = efficacy_visits()
    baseline_code = schedule_baseline()
    rows = []
    for measure in measures():
        by_visit = by_measure.get(measure.code)
        if not by_visit:
            continue
        baseline = _value(by_visit.get(baseline_code))
        cells = []
        for visit in visits:
            value = _value(by_visit.get(visit.code))
            change, percent = (
                (None, None)
                if visit.code == baseline_code
                else rules.change_from_baseline(baseline, value, measure.places)
            )
            not_done = by_visit.get(visit.code) is NOT_DONE
            cells.append(Cell(value, not_done, change, percent))
        rows.append(SubjectRow(measure, cells))
    return rows


@dataclass(frozen=True)
class StudyRow:
    visit_code: str
    visit_name: str
    not_done: int
    value: rules.SummaryStats
    change: rules.SummaryStats | None  # None at baseline
    percent_change: rules.SummaryStats | None


@dataclass(frozen=True)
class MeasureSummary:
    measure: Measure
    rows: list[StudyRow]


def study_table(values: Values) -> list[MeasureSummary]:
    """Per measure and visit: n, mean, SD, median, min, max of the value and of the change
    from baseline (subjects with both), and how many forms said "not done"."""
    visits = efficacy_visits()
    baseline_code = schedule_baseline()
    summaries = []
    for measure in measures():
        per_subject = [v[measure.code] for v in values.values() if measure.code in v]
        if not per_subject:
            continue
        rows = []
        for visit in visits:
            at_visit = [_value(by_visit.get(visit.code)) for by_visit in per_subject]
            not_done = sum(1 for b in per_subject if b.get(visit.code) is NOT_DONE)
            if visit.code == baseline_code:
                change = percent = None
            else:
                # unrounded changes; the statistics round once
                pairs = [
                    rules.change_from_baseline(
                        _value(b.get(baseline_code)), _value(b.get(visit.code)), places=None
                    )
                    for b in per_subject
                ]
                change = rules.summary_stats((p[0] for p in pairs), measure.places)
                percent = rules.summary_stats(p[1] for p in pairs)
            rows.append(
                StudyRow(
                    visit.code,
                    visit.name,
                    not_done,
                    rules.summary_stats(at_visit, measure.places),
                    change,
                    percent,
                )
            )
        summaries.append(MeasureSummary(measure, rows))
    return summaries


def series_by_subject(values: Values, numbers: dict[int, str], measure: str):
    """{subject number: {visit code: value}} of one measure, for the charts."""
    return {
        numbers[subject_id]: {k: v for k, v in by.get(measure, {}).items() if _value(v) is not None}
        for subject_id, by in sorted(values.items(), key=lambda item: numbers[item[0]])
        if by.get(measure)
    }
