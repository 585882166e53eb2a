"""Time, peak memory and SQL queries of one certified-copy casebook (issue 15, point 4).

    python benchmarks/casebook.py --edits 0 200

Seeds the demo on a throw-away database, then gives subject 01-003 a history: for each size,
that many more corrections with a reason and a query on each corrected record. Prints, per
size: reading the casebook (its records, history, queries, verification, signatures), and
the whole PDF (that reading, the archival ODM embedded, layout, PDF/A-3b). The query count
of the reading must not grow with the history (batching).
"""

import argparse
import resource

from _setup import benchmark_database, measured, print_table


def _history(subject, n: int) -> None:
    """n corrections of the subject's vital signs, each with a reason, and a query on each."""
    from decimal import Decimal

    from datamanagement.queries.services import query_raise
    from trial_edc.accounts.models import User
    from trial_edc.audit.services import audited_save
    from trial_edc.core import registry

    coordinator = User.objects.get(username="coordinator")
    monitor = User.objects.get(username="monitor")
    vitals = list(registry.crf_models["safety.vitalsigns"].model.objects.filter(subject=subject))
    for i in range(n):
        record = vitals[i % len(vitals)]
        record.temp = Decimal("36.5") + Decimal(i % 10) / 10
        audited_save(instance=record, user=coordinator, reason=f"Benchmark correction {i}")
        if i < len(vitals):
            query_raise(user=monitor, record=record, field="temp", text="Route of temperature?")


def main(sizes: list[int]) -> None:
    with benchmark_database("casebook"):
        from django.core.management import call_command

        from datamanagement.exports.casebook import casebook_pdf
        from datamanagement.exports.casebook.selectors import casebooks
        from enrollment.models import Subject

        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        subject = Subject.objects.select_related("site").get(subject_number="01-003")
        results, done = [], 0
        for size in sorted(sizes):
            _history(subject, size - done)
            done = size
            book = None
            with measured(f"read, +{size} corrections", results):
                book = casebooks([subject.pk])[subject.pk]
            records = sum(len(g.records) for g in book.groups)
            entries = sum(len(r.history) for g in book.groups for r in g.records)
            with measured(f"PDF, {records} records, {entries} audit entries", results):
                casebook_pdf(subject)
        # peak: tracemalloc's with BENCHMARK_MEMORY=1, else the process maximum resident size
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        results = [(label, t, q, rss if peak is None else peak) for label, t, q, peak in results]
        print_table(
            "Casebook of 01-003 (PDF peak MiB = process maximum resident size so far)", results
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edits", type=int, nargs="+", default=[0, 200])
    main(parser.parse_args().edits)
