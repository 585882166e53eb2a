"""Time and SQL queries of the change-from-baseline pages (study table, CSV, PDF) as the
number of subjects with efficacy data grows.

python benchmarks/efficacy_summary.py --subjects 100 500
"""

import argparse
from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from _setup import benchmark_database, measured, print_table

CHUNK = 100  # small transactions: the audit chain's head row is updated once per row


def seed_efficacy(subjects, user) -> None:
    """Baseline and day-14 forms of each subject, written in bulk (values vary by subject)."""
    from django.db import transaction

    from efficacy.models import BloodGas, HrctScore, LabPanel, LabResult, PulmonaryFunctionTest

    for first in range(0, len(subjects), CHUNK):
        with transaction.atomic():
            gases, pfts, scans, panels = [], [], [], []
            for n, subject in enumerate(subjects[first : first + CHUNK], start=first):
                visits = {v.code: v for v in subject.visits.all()}
                for code, day, gain in (("BASELINE", 1, 0), ("DAY14", 14, 1)):
                    visit = visits[code]
                    on = visit.target_date
                    at = datetime.combine(on, time(8), tzinfo=ZoneInfo("Asia/Shanghai"))
                    pao2 = Decimal(55 + n % 20 + 15 * gain)
                    gases.append(
                        BloodGas(
                            subject=subject,
                            visit=visit,
                            sampled_at=at,
                            study_day=day,
                            pao2=pao2,
                            fio2=Decimal("0.40"),
                            spo2=92,
                            oxygen_support="NASAL_CANNULA",
                            pf_ratio=pao2 / Decimal("0.40"),
                            sf_ratio=230,
                            recorded_by=user,
                        )
                    )
                    pfts.append(
                        PulmonaryFunctionTest(
                            visit=visit,
                            recorded_by=user,
                            performed_on=on,
                            fvc_litres=Decimal("1.80") + Decimal("0.2") * gain,
                            fvc_percent_predicted=50 + n % 15,
                            reference_equation="GLI",
                        )
                    )
                    scores = {f"ggo_{z}": 4 - gain for z in range(1, 7)}
                    scores |= {f"fib_{z}": 1 for z in range(1, 7)}
                    scans.append(
                        HrctScore(
                            visit=visit,
                            recorded_by=user,
                            scanned_on=on,
                            reader="bench",
                            ggo_total=6 * (4 - gain),
                            fibrosis_total=6,
                            total=6 * (4 - gain) + 6,
                            **scores,
                        )
                    )
                    panels.append(LabPanel(visit=visit, recorded_by=user, sampled_on=on))
            BloodGas.objects.bulk_create(gases)
            PulmonaryFunctionTest.objects.bulk_create(pfts)
            HrctScore.objects.bulk_create(scans)
            LabPanel.objects.bulk_create(panels)
            LabResult.objects.bulk_create(
                LabResult(
                    panel=panel,
                    test_code=code,
                    value=value,
                    unit=unit,
                    value_standard=value,
                    flag="H",
                )
                for panel in panels
                for code, value, unit in (
                    ("FERRITIN", Decimal(1800), "ng/mL"),
                    ("KL6", Decimal(1500), "U/mL"),
                    ("CRP", Decimal(25), "mg/L"),
                )
            )


def main(sizes: list[int]) -> None:
    with benchmark_database(name="efficacy"):
        from django.core.management import call_command
        from django.test import Client
        from django.urls import reverse

        from enrollment.models import Subject
        from trial_edc.accounts.models import User

        call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
        monitor = User.objects.get(username="monitor")
        client = Client()
        client.force_login(monitor)
        results, seeded = [], 0
        for size in sorted(sizes):
            with measured(f"seed {size - seeded} subjects with efficacy data", results):
                call_command(
                    "seed_demo",
                    subjects=size - seeded,
                    stdout=open("/dev/null", "w"),  # noqa: SIM115
                )
                new = list(
                    Subject.objects.filter(blood_gases__isnull=True, status="on_study")
                    .prefetch_related("visits")
                    .distinct()
                )
                seed_efficacy(new, User.objects.get(username="coordinator"))
            seeded = size
            for name in (
                "efficacy:efficacy_summary",
                "efficacy:efficacy_summary_csv",
                "efficacy:efficacy_summary_pdf",
            ):
                client.get(reverse(name))  # warm up
                with measured(f"{name} with {Subject.objects.count()} subjects", results):
                    response = client.get(reverse(name))
                assert response.status_code == 200, (name, response.status_code)
        print_table("Change from baseline", results)
        runs = {}
        for label, _, queries, _ in results:
            if label.startswith("efficacy"):
                runs.setdefault(label.split(" with ")[0], set()).add(queries)
        assert all(len(q) == 1 for q in runs.values()), f"query count grew: {runs}"
        print(
            "Query count per page, whatever the number of subjects:",
            {k: v.pop() for k, v in runs.items()},
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, nargs="+", default=[100, 500])
    main(parser.parse_args().subjects)
