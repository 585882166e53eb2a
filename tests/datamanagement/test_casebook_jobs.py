"""Casebooks made by the worker (issue 15, points 4 and 7): the "Casebook PDF" button asks for
the subject's casebook in the asker's language and leads to the exports page; a site's
casebooks come as one zip with one PDF per subject of that site only; coordinators may not
ask; a subject of another site is not found."""

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

from datamanagement.exports import services
from datamanagement.exports.forms import ExportRequestForm
from datamanagement.exports.tasks import export_run_task
from datamanagement.models.exports import ExportJob
from portal.demo.enrollment import enrolled_subject
from tests.conftest import service_missing
from tests.factories import user_with_role
from trial_edc.accounts.roles import Role


@pytest.fixture(autouse=True)
def _export_root(settings, tmp_path):
    settings.EXPORT_ROOT = str(tmp_path / "exports")


@pytest.fixture
def subjects(site, other_site, coordinator, investigator):
    """Two subjects at site 01, one at the other site."""
    here = [
        enrolled_subject(site=site, coordinator=coordinator, investigator=investigator)
        for _ in range(2)
    ]
    coordinator2 = user_with_role(role=Role.SITE_COORDINATOR, sites=[other_site], username="c2")
    investigator2 = user_with_role(role=Role.INVESTIGATOR, sites=[other_site], username="i2")
    there = enrolled_subject(site=other_site, coordinator=coordinator2, investigator=investigator2)
    return here, there


def _text(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        service_missing("pdftotext (apt-get install poppler-utils)")
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return re.sub(r"\s+", " ", out.stdout.decode())


def test_a_sites_zip_holds_one_casebook_per_subject_of_that_site_only(investigator, subjects):
    here, there = subjects
    job = services.export_request(user=investigator, kind="casebooks", dispatch=False)
    assert job.filters["sites"] == ["01"]
    assert export_run_task(job.pk) == "ready"
    job.refresh_from_db()
    assert (job.done, job.total) == (2, 2)
    assert job.file_name.endswith(".zip") and "_casebooks_site01_" in job.file_name
    with zipfile.ZipFile(Path(services.export_path(job))) as archive:
        names = sorted(archive.namelist())
        assert names == sorted(f"{s.subject_number}_casebook.pdf" for s in here)
        for subject in here:
            pdf = archive.read(f"{subject.subject_number}_casebook.pdf")
            text = _text(pdf)
            assert f"Casebook of {subject.subject_number}" in text
            assert there.subject_number not in text
            reader = PdfReader(io.BytesIO(pdf))
            assert f"{subject.subject_number}_archival_odm.xml" in reader.attachments


def test_the_casebook_button_asks_the_worker_in_the_askers_language(
    investigator, subjects, client_for
):
    from trial_edc.accounts.models import User
    from trial_edc.audit.services import audit_context

    subject = subjects[0][0]
    with audit_context(user=None, reason="test: the investigator reads Chinese"):
        User.objects.filter(pk=investigator.pk).update(language="zh-hans")
    client = client_for(investigator)  # the person's language, read at sign-in
    page = client.get(reverse("datamanagement:casebook", args=[subject.pk]))
    assert b'data-testid="casebook-pdf"' in page.content
    response = client.post(reverse("datamanagement:casebook_export", args=[subject.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("datamanagement:export_list")
    job = ExportJob.objects.get(kind="casebook")
    assert job.filters["subject"] == subject.subject_number
    assert job.filters["language"] == "zh-hans"
    assert export_run_task(job.pk) == "ready"
    job.refresh_from_db()
    assert job.content_type == "application/pdf" and job.file_name.endswith(".pdf")
    pdf = Path(services.export_path(job)).read_bytes()
    reader = PdfReader(io.BytesIO(pdf))
    assert str(reader.trailer["/Root"].get("/Lang")) == "zh-hans"
    assert "否" in _text(pdf)  # "No", from the Simplified Chinese catalogue


def test_coordinators_see_no_button_and_may_not_ask(coordinator, subjects, client_for):
    subject = subjects[0][0]
    client = client_for(coordinator)
    page = client.get(reverse("datamanagement:casebook", args=[subject.pk]))
    assert b'data-testid="casebook-pdf"' not in page.content
    url = reverse("datamanagement:casebook_export", args=[subject.pk])
    assert client.post(url).status_code == 403
    assert not ExportJob.objects.exists()


def test_a_subject_of_another_site_is_not_found(investigator, subjects, client_for):
    there = subjects[1]
    url = reverse("datamanagement:casebook_export", args=[there.pk])
    assert client_for(investigator).post(url).status_code == 404
    assert not ExportJob.objects.exists()


def test_the_request_form_needs_the_subject_of_a_casebook(monitor, site):
    form = ExportRequestForm({"kind": "casebook", "site": "01"}, user=monitor, sites=[site])
    assert not form.is_valid()
    assert "subject" in form.errors
    form = ExportRequestForm(
        {"kind": "casebook", "site": "01", "subject": "01-001"}, user=monitor, sites=[site]
    )
    assert form.is_valid(), form.errors
