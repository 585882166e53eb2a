"""`manage.py export_csv`: the same zip as the worker's, made now by an operator, logged as
asked for from the command line."""

import csv
import hashlib
import io
import zipfile

import pytest
from django.core.management import CommandError, call_command

from datamanagement.models.exports import ExportEvent, ExportJob
from portal.demo.enrollment import enrolled_subject


@pytest.fixture(autouse=True)
def _export_root(settings, tmp_path):
    settings.EXPORT_ROOT = str(tmp_path / "exports")


def test_export_csv_writes_the_zip_and_logs_the_command_line(
    site, other_site, coordinator, investigator, tmp_path
):
    enrolled_subject(site=site, coordinator=coordinator, investigator=investigator)
    out = tmp_path / "out.zip"
    stdout = io.StringIO()
    call_command(
        "export_csv",
        "--out",
        str(out),
        "--site",
        "01",
        "--form",
        "enrollment.screening",
        stdout=stdout,
    )
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.READY
    assert hashlib.sha256(out.read_bytes()).hexdigest() == job.sha256
    assert job.sha256 in stdout.getvalue()
    entry = ExportEvent.objects.get(job=job)
    assert entry.who == "command line" and entry.user is None
    assert entry.filters["sites"] == ["01"] and entry.filters["form"] == "enrollment.screening"
    archive = zipfile.ZipFile(out)
    assert "enrollment_screening.csv" in archive.namelist()
    rows = list(
        csv.DictReader(io.StringIO(archive.read("enrollment_screening.csv").decode("utf-8-sig")))
    )
    # the operator's export holds the identifying fields
    assert rows and rows[0]["INITIALS"] and rows[0]["BRTHDTC"]


def test_export_csv_refuses_bad_input_with_a_message(site, tmp_path):
    with pytest.raises(CommandError, match="as-of"):
        call_command("export_csv", "--out", str(tmp_path / "x.zip"), "--as-of", "30/11")
    with pytest.raises(CommandError, match="Unknown form"):
        call_command("export_csv", "--out", str(tmp_path / "x.zip"), "--form", "nope.nope")
