"""Change from baseline, per subject and for the study: the one module that turns saved
efficacy forms into the secondary-endpoint tables. A fixed number of queries whatever the
number of subjects: one per source form, none per subject or per visit."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DateTimeField, DecimalField, F, Func, IntegerField, Value
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


_NUMBERS = ("d1", "d2", "d3")  # decimal values of a row
_COUNTS = ("i1", "i2", "i3")  # whole-number values (HRCT scores)
_ROW = ("src", "subject", "visit", "done", *_NUMBERS, *_COUNTS, "code", "k1", "k2")


class _Null(Func):
    """A typed NULL (untyped ones in two branches of a union would be text)."""

    template = "NULL::%(sql_type)s"

    def __init__(self, sql_type: str, output_field):
        super().__init__(output_field=output_field, sql_type=sql_type)


def _null(sql_type: str, field) -> _Null:
    return _Null(sql_type, field)


def _efficacy_rows(subject_ids):
    """The four efficacy sources of these subjects as one query (UNION ALL), each row
    (source, subject id, visit code, done, three decimals, three whole numbers, test code,
    order keys), ordered by source then as each source reads them (blood gases by visit and
    time, laboratory results by panel and test)."""
    no_numbers = {name: _null("numeric", DecimalField()) for name in _NUMBERS}
    no_counts = {name: _null("integer", IntegerField()) for name in _COUNTS}
    no_decimal = _null("numeric", DecimalField())
    no_moment = _null("timestamptz", DateTimeField())
    gases = BloodGas.objects.filter(visit__subject__in=subject_ids).annotate(
        src=Value("1gas"),
        subject_ref=F("visit__subject_id"),
        visit_code=F("visit__code"),
        is_done=Value(True),
        d1=F("pf_ratio"),
        d2=F("sf_ratio"),
        d3=no_decimal,
        **no_counts,
        test=Value(""),
        k1=F("visit_id"),
        k2=F("sampled_at"),
    )
    pfts = PulmonaryFunctionTest.objects.filter(visit__subject__in=subject_ids).annotate(
        src=Value("2pft"),
        subject_ref=F("visit__subject_id"),
        visit_code=F("visit__code"),
        is_done=F("done"),
        d1=F("fvc_litres"),
        d2=F("fvc_percent_predicted"),
        d3=F("dlco_percent_predicted"),
        **no_counts,
        test=Value(""),
        k1=F("pk"),
        k2=no_moment,
    )
    scans = HrctScore.objects.filter(visit__subject__in=subject_ids).annotate(
        src=Value("3hrct"),
        subject_ref=F("visit__subject_id"),
        visit_code=F("visit__code"),
        is_done=F("done"),
        **no_numbers,
        i1=F("total"),
        i2=F("ggo_total"),
        i3=F("fibrosis_total"),
        test=Value(""),
        k1=F("pk"),
        k2=no_moment,
    )
    labs = LabResult.objects.filter(panel__visit__subject__in=subject_ids).annotate(
        src=Value("4lab"),
        subject_ref=F("panel__visit__subject_id"),
        visit_code=F("panel__visit__code"),
        is_done=Value(True),
        d1=F("value_standard"),
        d2=no_decimal,
        d3=no_decimal,
        **no_counts,
        test=F("test_code"),
        k1=F("panel_id"),
        k2=no_moment,
    )
    names = ("src", "subject_ref", "visit_code", "is_done", *_NUMBERS, *_COUNTS, "test", "k1", "k2")
    first, *others = (rows.values_list(*names) for rows in (gases, pfts, scans, labs))
    return first.union(*others, all=True).order_by("src", "k1", "k2", "test")


def collect_values(subject_ids) -> Values:
    """Every efficacy value of these subjects (a list or a subquery of ids): one query."""
    values: Values = defaultdict(lambda: defaultdict(dict))
    for row in _efficacy_rows(subject_ids):
        r = dict(zip(_ROW, row, strict=True))
        subject_id, visit, done = r["subject"], r["visit"], r["done"]
        if r["src"] == "1gas":
            # the first gas of a visit is its value (a repeat is usually a check after a
            # change); no S/F above SpO2 97% is a missing value, not a test not done
            values[subject_id]["PF_RATIO"].setdefault(visit, r["d1"])
            if r["d2"] is not None:
                values[subject_id]["SF_RATIO"].setdefault(visit, r["d2"])
        elif r["src"] == "2pft":
            for code, value in (("FVC_L", r["d1"]), ("FVC_PCT", r["d2"]), ("DLCO_PCT", r["d3"])):
                if done and value is None:
                    continue  # measured, but not this one (DLCO is optional): missing
                values[subject_id][code][visit] = value if done else NOT_DONE
        elif r["src"] == "3hrct":
            scores = (("HRCT_TOTAL", r["i1"]), ("HRCT_GGO", r["i2"]), ("HRCT_FIB", r["i3"]))
            for code, value in scores:
                values[subject_id][code][visit] = value if done else NOT_DONE
        else:
            values[subject_id][r["code"]][visit] = r["d1"]
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
