"""`manage.py export_csv --out FILE.zip [--site 01] [--form safety.vitalsigns]
[--subject 01-003] [--as-of 2026-11-30] [--labels]`: the per-form CSV zip, made now by the
same producer as the worker's, as an operator: logged as an export asked for from the
"command line", kept with the other exports (with its SHA-256) and copied to FILE."""

import shutil
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from datamanagement.exports.runner import export_path, export_run
from datamanagement.exports.services import export_request
from datamanagement.models.exports import ExportJob


class Command(BaseCommand):
    help = "Export every CRF as CSV with its data dictionary, in one zip (issue 15)."
    kind = "csv"

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="The zip file to write.")
        parser.add_argument(
            "--site", action="append", default=[], help="A site code (repeatable); default all."
        )
        parser.add_argument("--form", default="", help="One form, e.g. safety.vitalsigns.")
        parser.add_argument("--subject", default="", help="One subject, e.g. 01-003.")
        parser.add_argument(
            "--as-of", default="", help="The data as they stood at the end of this day."
        )
        parser.add_argument(
            "--labels", action="store_true", help="Coded values as labels, not codes."
        )
        parser.add_argument("--language", default="en", help="The labels' language.")

    def handle(self, *args, **options):
        try:
            as_of = date.fromisoformat(options["as_of"]) if options["as_of"] else None
        except ValueError as exc:
            raise CommandError(f"--as-of: {exc}") from None
        try:
            job = export_request(
                user=None,
                kind=self.kind,
                sites=options["site"],
                form=options["form"],
                subject=options["subject"],
                as_of=as_of,
                labels=options["labels"],
                language=options["language"],
                dispatch=False,
            )
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError("; ".join(getattr(exc, "messages", [str(exc)]))) from None
        job = export_run(job.pk) or ExportJob.objects.get(pk=job.pk)
        path = export_path(job)
        if job.status != ExportJob.Status.READY or path is None:
            raise CommandError(f"Export {job.pk} failed: {job.error}")
        shutil.copyfile(path, options["out"])
        self.stdout.write(
            self.style.SUCCESS(
                f"{options['out']}: {job.size} bytes, SHA-256 {job.sha256} (export {job.pk},"
                f" sites {', '.join(job.filters['sites'])})"
            )
        )
