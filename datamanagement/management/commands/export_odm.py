"""manage.py export_odm --out FILE.xml [--archival] [--site 01] [--subject 01-003]: the CDISC
ODM 1.3.2 file (snapshot, or the archival transactional file), validated before it is written:
a file that fails its validation is not written, and the command exits non-zero with the
messages on stderr."""

import os
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from datamanagement.exports.odm import OdmInvalid, write_odm
from enrollment.models import Subject


class Command(BaseCommand):
    help = "Export the trial's data as CDISC ODM 1.3.2 (validated before it is written)."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="The XML file to write.")
        parser.add_argument(
            "--archival",
            action="store_true",
            help="The archival transactional file (every change, audit records, signatures).",
        )
        parser.add_argument("--site", action="append", default=[], help="A site code (repeat).")
        parser.add_argument("--subject", default="", help="One subject, by number (01-003).")

    def handle(self, *args, **options):
        subject = options["subject"] or None
        if subject and not Subject.objects.filter(subject_number=subject).exists():
            raise CommandError(f"No subject {subject}.")
        out = Path(options["out"])
        fd, partial = tempfile.mkstemp(prefix=out.name + ".", suffix=".part", dir=out.parent)
        try:
            with os.fdopen(fd, "wb") as stream:
                write_odm(
                    stream,
                    archival=options["archival"],
                    site_codes=options["site"] or None,
                    subject=subject,
                )
            os.replace(partial, out)
        except OdmInvalid as error:
            sys.stderr.write(str(error) + "\n")
            raise CommandError("The ODM file failed its validation; nothing was written.") from None
        finally:
            if os.path.exists(partial):
                os.unlink(partial)
        kind = "archival" if options["archival"] else "snapshot"
        self.stdout.write(f"ODM {kind} written to {out} (valid against ODM 1.3.2).")
