"""Time and memory to produce the AE listing PDF (ReportLab), beside WeasyPrint drawing a
naive table of the same rows.

    python benchmarks/pdf_listing.py --aes 1000 5000

Seeds the AEs on a throw-away database, then for each size the listing (queries + layout +
PDF) with the process's peak resident memory so far; the sizes run smallest first and before
any WeasyPrint run, so each peak is the listing's own (Django and the seeded data included).
Last, the naive WeasyPrint table of the smallest size's rows (a 5-column HTML table, no
wrapping, no fonts chosen) and the ratio of the two times. Targets (issue 18): 1,000 AEs
<= 3 s and >= 3x faster than the naive table; 5,000 AEs <= 12 s and <= 300 MB.
"""

import argparse
import resource
import time

from _setup import benchmark_database, print_table


def _seed(n: int, subjects) -> None:
    from datetime import timedelta

    from safety.models import AdverseEvent

    rows = [
        AdverseEvent(
            subject=subjects[i % len(subjects)],
            aeterm=f"Cough episode {i}",
            aestdtc=subjects[i % len(subjects)].day1 + timedelta(days=i % 40),
            ongoing=True,
            aetoxgr=1 + i % 3,
            aeser=i % 25 == 0,
            aeshosp=i % 25 == 0,
            aerel=["NOT RELATED", "UNLIKELY RELATED", "POSSIBLY RELATED"][i % 3],
            aeacn="DOSE NOT CHANGED",
            aeout="RECOVERING/RESOLVING",
            narrative=(
                f"Episode {i}: dry cough starting about an hour after nebulisation, with chest "
                "tightness; settled with rest, no change of dose."
                if i % 5 == 0
                else ""
            ),
            recorded_by_id=subjects[0].enrolled_by_id,
        )
        for i in range(n)
    ]
    AdverseEvent.objects.bulk_create(rows, batch_size=1000)


def _plain_table_pdf(rows) -> bytes:
    from weasyprint import HTML

    cells = "".join(
        f"<tr><td>{r.ae.subject.subject_number}</td><td>{r.ae.aeterm}</td>"
        f"<td>{r.ae.aestdtc}</td><td>{r.ae.aetoxgr}</td><td>{r.ae.aerel}</td></tr>"
        for r in rows
    )
    html = f"<table><tbody>{cells}</tbody></table>"
    return HTML(string=html).write_pdf()


def main(sizes: list[int], out: str | None) -> None:
    with benchmark_database("pdf_listing"):
        import pghistory
        from django.core.management import call_command
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from enrollment.models import Subject
        from safety.listing_pdf import safety_listing_pdf
        from safety.listings import ListingFilter, listing_context
        from safety.models import AdverseEvent

        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        subjects = list(Subject.objects.filter(site__code="01"))
        results, first = [], None
        results.append(
            (
                "before the listings (Django, demo seeded)",
                0,
                0,
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            )
        )
        for size in sorted(sizes):
            existing = AdverseEvent.objects.count()
            if size > existing:
                with pghistory.context(reason="benchmark seed"):
                    _seed(size - existing, subjects)
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                listing = listing_context(
                    user=None, f=ListingFilter(), generated_by="bench", cut_off=timezone.now()
                )
            pdf = safety_listing_pdf(listing)
            elapsed = time.perf_counter() - start
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            results.append(
                (
                    f"AE listing, {listing.summary.total} AEs ({len(pdf) // 1024} KiB)",
                    elapsed,
                    len(queries),
                    peak,
                )
            )
            if first is None:
                first = (listing.rows, elapsed)
            if out:
                with open(f"{out}/listing-{size}.pdf", "wb") as f:
                    f.write(pdf)
            del listing, pdf
        rows, listing_seconds = first
        start = time.perf_counter()
        plain = _plain_table_pdf(rows)
        naive_seconds = time.perf_counter() - start
        results.append(
            (
                f"naive WeasyPrint table, {len(rows)} AEs ({len(plain) // 1024} KiB)",
                naive_seconds,
                0,
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            )
        )
        print_table("AE listing PDF (peak MiB = process maximum resident size so far)", results)
        print(
            f"\n{len(rows)} AEs: the listing takes {listing_seconds:.2f} s, the naive WeasyPrint "
            f"table {naive_seconds:.2f} s: {naive_seconds / listing_seconds:.1f}x faster"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--aes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--out", help="a folder to write the listings' PDFs in")
    args = parser.parse_args()
    main(args.aes, args.out)
