"""What the exports cost (issue 15): time, Python peak memory (tracemalloc) and SQL queries
of each export product for the demo study plus N subjects with a realistic history — the
efficacy forms of every subject, daily vital signs, each vital-signs record corrected once
with a reason, and a query raised on some — at two sizes, so that what does not grow with
the subjects can be seen.

python benchmarks/exports.py --subjects 10 100

Each product is a row of PRODUCTS: name -> callable(out: binary stream) that writes the
export the way the worker does: the CSV zip, the ODM snapshot and archival files (validated),
and one subject's casebook PDF.
"""

import argparse
import io
import os
import sys
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from _setup import benchmark_database, measured


def _csv_zip(out) -> None:
    from datamanagement.exports.csv_export import write_csv_zip
    from datamanagement.exports.kinds import ExportFilters
    from trial_edc.accounts.models import Site

    codes = tuple(Site.objects.values_list("code", flat=True))
    write_csv_zip(out, ExportFilters(sites=codes, identifying=True))


def _csv_zip_as_of(out) -> None:
    from django.utils import timezone

    from datamanagement.exports.csv_export import write_csv_zip
    from datamanagement.exports.kinds import ExportFilters
    from trial_edc.accounts.models import Site

    codes = tuple(Site.objects.values_list("code", flat=True))
    as_of = timezone.localdate() + timedelta(days=1)
    write_csv_zip(out, ExportFilters(sites=codes, identifying=True, as_of=as_of))


def _odm_snapshot(out) -> None:
    from datamanagement.exports.odm import write_odm

    write_odm(out, archival=False)  # validated (XSD and references) before it is written


def _odm_archival(out) -> None:
    from datamanagement.exports.odm import write_odm

    write_odm(out, archival=True)


def _one_casebook(out) -> None:
    from datamanagement.exports.casebook import casebook_pdf
    from enrollment.models import Subject

    out.write(casebook_pdf(Subject.objects.order_by("pk").first()).pdf)


# product name -> callable(out)
PRODUCTS = {
    "CSV zip (per-form CSV + dictionary)": _csv_zip,
    "CSV zip as of a date (from the audit trail)": _csv_zip_as_of,
    "ODM 1.3.2 snapshot": _odm_snapshot,
    "ODM 1.3.2 archival (every change, audit records, signatures)": _odm_archival,
    "casebook PDF of one subject (PDF/A-3b, archival ODM embedded)": _one_casebook,
}


def seed_history(subjects, user, monitor) -> None:
    """Daily vital signs of each subject's first week, each corrected once with a reason
    (a second history entry), and a query on every third subject's first record."""
    from django.db import transaction

    from datamanagement.queries.services import query_raise
    from safety.models import VitalSigns
    from trial_edc.audit.services import audit_context

    zone = ZoneInfo("Asia/Shanghai")
    for subject in subjects:
        with transaction.atomic(), audit_context(user=user, reason=""):
            made = VitalSigns.objects.bulk_create(
                VitalSigns(
                    subject=subject,
                    measured_at=datetime.combine(
                        subject.day1 + timedelta(days=day - 1), time(8), tzinfo=zone
                    ),
                    study_day=day,
                    temp=Decimal("36.8"),
                    hr=80 + day,
                    resp=18,
                    sysbp=118,
                    diabp=74,
                    oxysat=93,
                    oxygen_support="NASAL_CANNULA",
                    flow=Decimal("3"),
                    recorded_by=user,
                )
                for day in range(1, 8)
            )
        with transaction.atomic(), audit_context(user=user, reason="transcription error"):
            VitalSigns.objects.filter(pk__in=[v.pk for v in made]).update(resp=19)
        if subject.pk % 3 == 0:
            query_raise(user=monitor, record=made[0], field="hr", text="心率与源文件不符？")


def main(sizes: list[int]) -> None:
    os.environ.setdefault("BENCHMARK_MEMORY", "1")
    with benchmark_database(name="exports"):
        from django.core.management import call_command
        from efficacy_summary import seed_efficacy

        from enrollment.models import Subject
        from trial_edc.accounts.models import User

        call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        coordinator = User.objects.get(username="coordinator")
        monitor = User.objects.get(username="monitor")
        results, seeded = [], 0
        for size in sorted(sizes):
            before = set(Subject.objects.values_list("pk", flat=True))
            call_command(
                "seed_demo",
                subjects=size - seeded,
                stdout=open(os.devnull, "w"),  # noqa: SIM115
            )
            new = list(
                Subject.objects.exclude(pk__in=before).prefetch_related("visits").order_by("pk")
            )
            seed_efficacy(new, coordinator)
            seed_history(new, coordinator, monitor)
            seeded = size
            total = Subject.objects.count()
            for name, product in PRODUCTS.items():
                product(io.BytesIO())  # warm up (content types, translations)
                out = io.BytesIO()
                with measured(f"{name}, {total} subjects", results):
                    product(out)
                results[-1] = (*results[-1][:1], *results[-1][1:], out.tell())
        print(f"\n{'product':<62} {'seconds':>8} {'queries':>8} {'peak MiB':>9} {'MiB':>7}")
        for label, elapsed, queries, peak, size in results:
            memory = "–" if peak is None else f"{peak:.1f}"
            print(f"{label:<62} {elapsed:>8.2f} {queries:>8} {memory:>9} {size / 2**20:>7.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, nargs="+", default=[10, 100])
    args = parser.parse_args()
    sys.exit(main(args.subjects))
