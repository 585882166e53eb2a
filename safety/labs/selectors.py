"""Reads of the safety laboratory, graded on reading (safety.labs.grading): a subject's or many
subjects' results with their grades, the worst grade per analyte and day, the reference range
that pre-fills a form. Each a fixed number of queries whatever the subjects and results."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time

from dosing import rules as dosing_rules
from dosing.models import DoseAdministration
from dosing.selectors import subject_doses
from safety.labs import grading
from safety.models import LabReferenceRange, LabSignal, SafetyLabResult
from trial_edc.core.clock import site_moment
from trial_edc.study import LabTest, study


@dataclass(frozen=True)
class GradedResult:
    result: SafetyLabResult
    test: LabTest
    grade: grading.LabGrade
    is_baseline: bool  # the subject's baseline of this analyte
    after_first_dose: bool
    baseline: SafetyLabResult | None  # the baseline it was graded against, if any
    baseline_grade: grading.LabGrade | None

    @property
    def signal(self) -> bool:
        return self.after_first_dose and grading.signal(self.grade, self.baseline_grade)

    @property
    def panel(self):
        return self.result.panel

    @property
    def study_day(self) -> int:
        return self.result.panel.study_day


def first_dose_starts(subject_ids) -> dict[int, datetime]:
    """When each subject's first dose actually given started, at the site (one query). A dose
    without a start time counts from the start of its day: a specimen of that day is then
    after it, never taken for a baseline it may not be."""
    rows = (
        DoseAdministration.objects.filter(
            subject_id__in=list(subject_ids), status__in=dosing_rules.GIVEN_STATUSES
        )
        .select_related("subject__site")
        .order_by("subject_id", "date", "start_time")
        .distinct("subject_id")
    )
    return {
        dose.subject_id: site_moment(dose.date, dose.start_time or time(0, 0), dose.subject.site)
        for dose in rows
    }


def first_dose_start_of(subject) -> dict[int, datetime]:
    """`first_dose_starts([subject.pk])` from the subject's dose records as the dashboard's
    panels read them once (`dosing.selectors.subject_doses`)."""
    given = [d for d in subject_doses(subject) if d.status in dosing_rules.GIVEN_STATUSES]
    if not given:
        return {}
    # as ORDER BY date, start_time: a dose without a start time after those with one
    first = min(given, key=lambda d: (d.date, d.start_time is None, d.start_time or time(0, 0)))
    return {subject.pk: site_moment(first.date, first.start_time or time(0, 0), subject.site)}


def _measure(test: LabTest, r: SafetyLabResult) -> grading.Measure:
    return grading.Measure(value=r.value, unit=r.unit, lln=r.lln, uln=r.uln, si=r.value_si)


def grade_results(results, first_doses: dict[int, datetime]) -> list[GradedResult]:
    """Grade results (with their panels loaded) of one or many subjects: each subject's
    baseline per analyte is the last value before the first dose (pure: no query)."""
    s, table = study(), grading.grading_table()
    tests = {t.code: t for t in s.safety_labs}
    series: dict[tuple[int, str], list] = defaultdict(list)
    for r in results:
        if r.test_code in tests and r.test_code in table:
            series[(r.panel.subject_id, r.test_code)].append(r)
    graded = []
    for (subject_id, code), rows in series.items():
        test, rule = tests[code], table[code]
        rows.sort(key=lambda r: (r.panel.specimen_at, r.pk))
        first = first_doses.get(subject_id)
        base = grading.baseline_of([(r.panel.specimen_at, r) for r in rows], first)
        base_measure = _measure(test, base) if base is not None else None
        base_grade = None
        if base is not None:
            base_grade = grading.grade_value(
                rule, test, base_measure, baseline=None, after_first_dose=False
            )
        for r in rows:
            after = first is not None and r.panel.specimen_at >= first
            g = (
                base_grade
                if r is base
                else grading.grade_value(
                    rule, test, _measure(test, r), baseline=base_measure, after_first_dose=after
                )
            )
            graded.append(
                GradedResult(
                    result=r,
                    test=test,
                    grade=g,
                    is_baseline=r is base,
                    after_first_dose=after,
                    baseline=base if after else None,
                    baseline_grade=base_grade if after else None,
                )
            )
    order = {code: n for n, code in enumerate(tests)}
    graded.sort(key=lambda g: (g.result.panel.subject_id, g.panel.specimen_at, order[g.test.code]))
    return graded


def graded_results(subject_ids, first_doses=None) -> list[GradedResult]:
    """Every safety laboratory result of the subjects, graded (two queries; one when their
    first doses are given, as `first_dose_starts` finds them)."""
    subject_ids = list(subject_ids)
    results = SafetyLabResult.objects.filter(panel__subject_id__in=subject_ids).select_related(
        "panel__subject__site"
    )
    if first_doses is None:
        first_doses = first_dose_starts(subject_ids)
    return grade_results(list(results), first_doses)


def worst_by_day(graded: list[GradedResult]) -> dict[tuple[str, int], GradedResult]:
    """The worst graded value per (analyte, study day): the highest grade; a graded value
    before one that is not graded."""
    worst: dict[tuple[str, int], GradedResult] = {}
    for g in graded:
        key = (g.test.code, g.study_day)
        current = worst.get(key)
        rank = -1 if g.grade.grade is None else g.grade.grade
        if current is None or rank > (-1 if current.grade.grade is None else current.grade.grade):
            worst[key] = g
    return worst


@dataclass(frozen=True)
class WorstTable:
    days: list[int]
    rows: list[tuple[LabTest, list[GradedResult | None]]]
    graded: list[GradedResult]


def worst_grade_table(subject_id: int, first_doses=None) -> WorstTable:
    """The subject dashboard's table: the worst lab grade per analyte (rows) per study day
    (columns), each cell the value that gave it (two queries; one given `first_doses`)."""
    graded = graded_results([subject_id], first_doses)
    worst = worst_by_day(graded)
    days = sorted({day for _, day in worst})
    return WorstTable(
        days=days,
        rows=[
            (test, [worst.get((test.code, day)) for day in days])
            for test in study().safety_labs
            if any((test.code, day) in worst for day in days)
        ],
        graded=graded,
    )


def reference_ranges(site_id: int, on: date) -> dict[str, LabReferenceRange]:
    """The site's reference range per test effective on `on` (the newest from that date or
    before; one query)."""
    ranges = (
        LabReferenceRange.objects.filter(site_id=site_id, effective_from__lte=on)
        .order_by("test_code", "-effective_from")
        .distinct("test_code")
    )
    return {r.test_code: r for r in ranges}


def open_signals(queryset=None):
    rows = LabSignal.objects.all() if queryset is None else queryset
    return rows.filter(status=LabSignal.Status.OPEN)
