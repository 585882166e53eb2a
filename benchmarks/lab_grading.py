"""Grading the safety laboratory and the subject dashboard's worst-grade table.

    python benchmarks/lab_grading.py --subjects 100 --days 14

Seeds N subjects with a pre-dose baseline and one panel of the 11 analytes on each of the
treatment days (N x days x 11 results), then times: grading every result (baseline found per
subject and analyte from the dosing record), the worst grade per analyte and day for all of
them, and one subject's dashboard table — with their SQL queries, which do not grow with the
subjects (compare --subjects 10 and 100).
"""

import argparse
from datetime import time
from decimal import Decimal

from _setup import benchmark_database, measured, print_table


def _seed(subjects, days: int, user) -> int:
    from dosing.models import DoseAdministration
    from portal.demo.labs import DEMO_RANGES, NORMAL, lab_ranges_seed
    from safety.models import SafetyLabPanel, SafetyLabResult
    from trial_edc.core.clock import site_moment, study_day_date
    from trial_edc.study import study

    lab_ranges_seed(subjects[0].site, user)
    DoseAdministration.objects.bulk_create(
        DoseAdministration(
            subject=s,
            study_day=1,
            date=s.day1,
            status="completed",
            start_time=time(9, 0),
            volume_ml=Decimal("5.0"),
            recorded_by=user,
        )
        for s in subjects
    )
    panels = []
    for s in subjects:
        for day in range(1, days + 1):
            at = site_moment(study_day_date(s.day1, day), time(7, 0), s.site)
            panels.append(
                SafetyLabPanel(subject=s, specimen_at=at, study_day=day, recorded_by=user)
            )
    panels = SafetyLabPanel.objects.bulk_create(panels, batch_size=2000)
    results = []
    for n, panel in enumerate(panels):
        for test in study().safety_labs:
            value = Decimal(NORMAL[test.code])
            if test.code == "ALT":
                value = Decimal(24 + 20 * (n % 14))  # up to 11 x ULN: grades 0 to 3
            lln, uln = (None if x is None else Decimal(x) for x in DEMO_RANGES[test.code])
            results.append(
                SafetyLabResult(
                    panel=panel,
                    test_code=test.code,
                    value=value,
                    unit=test.unit,
                    lln=lln,
                    uln=uln,
                    value_si=value,
                )
            )
    SafetyLabResult.objects.bulk_create(results, batch_size=5000)
    return len(results)


def main(subject_counts: list[int], days: int) -> None:
    with benchmark_database("lab_grading"):
        import pghistory
        from django.core.management import call_command
        from django.utils import timezone

        from enrollment.models import Subject
        from portal.demo.enrollment import enrollment_bulk_seed
        from safety.labs import selectors
        from trial_edc.accounts.models import User

        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        most = max(subject_counts)
        with pghistory.context(reason="benchmark seed"):
            enrollment_bulk_seed(most, timezone.localdate())
            subjects = list(
                Subject.objects.filter(screening__initials="BEN").select_related("site")[:most]
            )
            seeded = _seed(subjects, days, User.objects.get(username="coordinator"))
        print(f"seeded {len(subjects)} subjects x {days} days x 11 analytes = {seeded} results")
        rows = []
        for n in sorted(subject_counts):
            ids = [s.pk for s in subjects[:n]]
            with measured(f"grade {n} subjects + worst per analyte/day", rows):
                graded = selectors.graded_results(ids)
                worst = selectors.worst_by_day(graded)
            rows[-1] = (f"{rows[-1][0]} ({len(graded)} values, {len(worst)} cells)", *rows[-1][1:])
        with measured("one subject's dashboard table", rows):
            selectors.worst_grade_table(subjects[0].pk)
        print_table("Safety laboratory grading (queries do not grow with subjects)", rows)
        counts = {queries for _, _, queries, _ in rows[: len(subject_counts)]}
        if len(counts) != 1:
            raise SystemExit(f"the query count grows with the subjects: {sorted(counts)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--days", type=int, default=14)
    args = parser.parse_args()
    main(args.subjects, args.days)
