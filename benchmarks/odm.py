"""Time, SQL queries and peak memory of the CDISC ODM exports (snapshot and archival) of the
demo study plus N subjects with a realistic history: baseline and day-14 forms, one edit with
a reason, one query and one casebook signature per subject.

The query count must not grow with the subjects (the history is read per batch of subjects,
a fixed number of queries per CRF model); the archival file of 100 subjects must stay under
200 MB peak memory. "peak MiB" is Python's own (tracemalloc, with BENCHMARK_MEMORY=1);
"max RSS MiB" is the process's resident high-water mark (lxml's C memory included), read
after each export — it only grows, so the rows are in increasing size.

python benchmarks/odm.py --subjects 10 100
"""

import argparse
import os
import resource
import tempfile

from _setup import benchmark_database, measured, print_table


def _history(subjects, coordinator, monitor, investigator) -> None:
    from django.utils import timezone

    from datamanagement.models import CasebookSignature
    from datamanagement.queries.services import query_raise
    from efficacy.models import BloodGas
    from trial_edc.audit.services import audit_context, audited_save

    for subject in subjects:
        gas = BloodGas.objects.filter(subject=subject).order_by("pk").first()
        if gas is None:
            continue
        gas.spo2 = (gas.spo2 or 90) + 1
        audited_save(instance=gas, user=coordinator, reason="Transcription error (benchmark)")
        query_raise(user=monitor, record=gas, field="pao2", text="Please confirm against source.")
        with audit_context(user=investigator, reason="signed"):
            CasebookSignature.objects.create(
                subject=subject,
                signer=investigator,
                printed_name=investigator.printed_name,
                signed_at=timezone.now(),
                meaning=CasebookSignature.MEANING,
                record_version=0,
            )


def main(sizes: list[int]) -> None:
    with benchmark_database("odm"):
        from django.core.management import call_command
        from django.utils import timezone
        from efficacy_summary import seed_efficacy

        from datamanagement.exports.odm import write_odm
        from enrollment.models import Subject
        from portal.demo.enrollment import enrollment_bulk_seed
        from trial_edc.accounts.models import User

        call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        people = {u.username: u for u in User.objects.all()}
        coordinator, monitor = people["coordinator"], people["monitor"]
        investigator = people["investigator"]
        results, done, today = [], 0, timezone.localdate()
        for size in sorted(sizes):
            before = set(Subject.objects.values_list("pk", flat=True))
            enrollment_bulk_seed(size - done, today)
            new = list(
                Subject.objects.exclude(pk__in=before).prefetch_related("visits").order_by("pk")
            )
            seed_efficacy(new, coordinator)
            _history(new, coordinator, monitor, investigator)
            done = size
            total = Subject.objects.count()
            for archival in (False, True):
                kind = "archival" if archival else "snapshot"
                with tempfile.TemporaryFile() as out:
                    with measured(f"ODM {kind}, {total} subjects", results):
                        write_odm(out, archival=archival)
                    size_mb = out.tell() / 2**20
                rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                print(
                    f"ODM {kind}, {total} subjects: {size_mb:.1f} MiB file, max RSS {rss:.0f} MiB"
                )
        print_table("CDISC ODM 1.3.2 exports (validated before they are offered)", results)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, nargs="+", default=[10, 100])
    main(parser.parse_args().subjects)
