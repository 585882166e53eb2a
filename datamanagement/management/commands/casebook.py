from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from datamanagement.exports.casebook import casebook_pdf
from enrollment.models import Subject


class Command(BaseCommand):
    help = (
        "Write a subject's certified-copy casebook (PDF/A-3b with its archival ODM embedded) "
        "to --out, synchronously."
    )

    def add_arguments(self, parser):
        parser.add_argument("--subject", required=True, help="subject number, e.g. 01-003")
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--language", default="", help="e.g. en, zh-hans (default: en)")
        parser.add_argument("--generated-by", default="manage.py casebook")

    def handle(self, *args, **o):
        subject = Subject.objects.select_related("site").filter(subject_number=o["subject"]).first()
        if subject is None:
            raise CommandError(f"No subject {o['subject']}.")
        made = casebook_pdf(subject, language=o["language"] or None, generated_by=o["generated_by"])
        Path(o["out"]).write_bytes(made.pdf)
        self.stdout.write(
            self.style.SUCCESS(
                f"Casebook of {subject.subject_number} written to {o['out']} "
                f"({len(made.pdf)} bytes; archival ODM SHA-256 {made.odm_sha256})."
            )
        )
