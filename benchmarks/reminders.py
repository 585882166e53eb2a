"""Time and SQL queries of a day's reminder run as the number of enrolled subjects grows.

python benchmarks/reminders.py --subjects 1000 10000

Subjects are bulk-inserted with day 1 spread over 400 days (about 1 in 30 in treatment),
half of the treatment days recorded, visits planned, and an open SAE per 100 subjects.
The run at a site's end of day does every job: visit windows, overdue visits, today's dose,
missing doses and vitals, the SAE clock and digests. The query count must not grow with
the subjects (set-based queries, one INSERT ... ON CONFLICT DO NOTHING).
"""

import argparse
from datetime import UTC, date, datetime, time, timedelta

from _setup import benchmark_database, measured, print_table

SEED_CHUNK = 200


def seed(first: int, last: int, today: date) -> None:
    """Subjects number first..last-1 at site 01, inserted in bulk (audit triggers still run)."""
    import pghistory
    from django.utils import timezone

    from dosing.models import DoseAdministration
    from enrollment.models import Screening, Subject
    from enrollment.schedule.services import schedule_create
    from portal.demo.treatment import serious_pneumonia
    from safety.models import AdverseEvent, SeriousAdverseEventReport, VitalSigns
    from trial_edc.accounts.models import Site, User

    site = Site.objects.get(code="01")
    coordinator = User.objects.get(username="coordinator")
    with pghistory.context(user=coordinator.pk, reason="benchmark seed"):
        numbers = range(first, last)
        day1s = {i: today - timedelta(days=i % 400) for i in numbers}
        screenings = Screening.objects.bulk_create(
            Screening(
                site=site,
                screening_number=f"01-B{i:05d}",
                initials="BEN",
                date_of_birth=date(1960 + i % 30, 1, 1),
                sex="F" if i % 2 else "M",
                screening_date=day1s[i] - timedelta(days=3),
                status=Screening.Status.ENROLLED,
                created_by=coordinator,
            )
            for i in numbers
        )
        subjects = Subject.objects.bulk_create(
            Subject(
                site=site,
                screening=s,
                subject_number=f"01-{i:05d}",
                day1=day1s[i],
                enrolled_on=day1s[i] - timedelta(days=1),
                enrolled_by=coordinator,
            )
            for i, s in zip(numbers, screenings, strict=True)
        )
        schedule_create(*subjects)
        doses, vitals = [], []
        for subject in subjects:
            elapsed = (today - subject.day1).days  # days before today in treatment
            for day in range(1, min(elapsed, 14) + 1):
                if (subject.pk + day) % 2:
                    continue
                on = subject.day1 + timedelta(days=day - 1)
                doses.append(
                    DoseAdministration(
                        subject=subject,
                        study_day=day,
                        date=on,
                        status="completed",
                        recorded_by=coordinator,
                    )
                )
                vitals.append(
                    VitalSigns(
                        subject=subject,
                        study_day=day,
                        measured_at=datetime.combine(on, time(1), tzinfo=UTC),
                        hr=80,
                        recorded_by=coordinator,
                    )
                )
        DoseAdministration.objects.bulk_create(doses)
        VitalSigns.objects.bulk_create(vitals)
        aes = AdverseEvent.objects.bulk_create(
            serious_pneumonia(subject, recorded_by=coordinator) for subject in subjects[::100]
        )
        SeriousAdverseEventReport.objects.bulk_create(
            SeriousAdverseEventReport(
                adverse_event=ae, serious_since=timezone.now() - timedelta(hours=6 + n * 3)
            )
            for n, ae in enumerate(aes)
        )


def main(sizes: list[int]) -> None:
    with benchmark_database(name="reminders_trial_edc"):
        from django.utils import timezone

        from portal.demo.people import demo_seed
        from trial_edc.accounts.models import Site
        from trial_edc.core import clock
        from trial_edc.notifications import reminders
        from trial_edc.notifications.models import Notification
        from trial_edc.study import study

        demo_seed()
        site = Site.objects.get(code="01")
        today = clock.site_today(site.time_zone, timezone.now())
        evening = clock.site_moment(today, study().reminders.end_of_day, site.time_zone)
        from django.contrib.contenttypes.models import ContentType

        from enrollment.models import Subject, SubjectVisit
        from safety.models import SeriousAdverseEventReport
        from trial_edc.accounts.models import User

        # content types are cached per process, as in a long-running worker
        ContentType.objects.get_for_models(Subject, SubjectVisit, SeriousAdverseEventReport, User)
        results, seeded = [], 0
        for size in sorted(sizes):
            with measured(f"seed {size - seeded} subjects", results):
                # small transactions: the audit chain's head row is updated once per row
                for first in range(seeded, size, SEED_CHUNK):
                    seed(first, min(first + SEED_CHUNK, size), today)
            seeded = size
            Notification.objects.all().delete()
            with measured(f"run with {size} subjects", results):
                due = reminders.reminders_run(evening)
            queued = Notification.objects.count()
            with measured(f"run again with {size} subjects", results):
                reminders.reminders_run(evening)
            assert Notification.objects.count() == queued, "a second run queued again"
            print(f"{size} subjects: {due} reminders due, {queued} rows queued")
        print_table("Daily reminder run", results)
        runs = {queries for label, _, queries, _ in results if label.startswith("run with")}
        assert len(runs) == 1, f"the query count grew with the subjects: {sorted(runs)}"
        print(f"Query count of a run: {runs.pop()} whatever the number of subjects.")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, nargs="+", default=[1000, 10000])
    main(parser.parse_args().subjects)
