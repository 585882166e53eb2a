"""Certified-copy casebook (issue 15, point 4): the PDF of a subject read back holds every form
the subject has, its audit trail with the reason for change, its queries, its signatures with
their meaning, and every page's footer the SHA-256 of the archival ODM embedded in it; reading
it takes the same number of SQL queries for few records as for many; `manage.py casebook`
writes it."""

import hashlib
import io
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from datamanagement.exports.casebook import casebook_pdf, odm_filename
from datamanagement.exports.casebook.selectors import casebooks
from datamanagement.queries.services import query_answer, query_raise
from datamanagement.sdv.services import casebook_sign
from enrollment.models import Subject
from portal.demo.people import DEMO_PASSWORD
from safety.models import AdverseEvent
from safety.services.signatures import adverse_event_sign
from tests.conftest import service_missing
from trial_edc.accounts.models import User
from trial_edc.audit.selectors import record_history, records_history
from trial_edc.audit.services import audited_save
from trial_edc.core import registry

REASON = "Transcription error: value re-read from the bedside chart"


def _request():
    request = RequestFactory().post("/")
    request.META["REMOTE_ADDR"] = "127.0.0.1"
    return request


def _vitals_model():
    return registry.crf_models["safety.vitalsigns"].model


@pytest.fixture
def subject(db):
    """01-003 of the demo with a realistic history: a corrected value with its reason, a
    query raised and answered, its serious AE signed and its casebook signed."""
    call_command("seed_demo")
    subject = Subject.objects.select_related("site").get(subject_number="01-003")
    coordinator = User.objects.get(username="coordinator")
    monitor = User.objects.get(username="monitor")
    investigator = User.objects.get(username="investigator")
    vitals = _vitals_model().objects.filter(subject=subject).order_by("study_day").first()
    vitals.hr = 97
    audited_save(instance=vitals, user=coordinator, reason=REASON)
    query = query_raise(user=monitor, record=vitals, field="hr", text="Heart rate 97: source?")
    query_answer(user=coordinator, query=query, text="Confirmed on the nursing chart.")
    ae = AdverseEvent.objects.filter(subject=subject).order_by("pk").first()
    adverse_event_sign(
        ae=ae,
        signer=investigator,
        username=investigator.username,
        password=DEMO_PASSWORD,
        request=_request(),
    )
    casebook_sign(
        subject=subject,
        signer=investigator,
        username=investigator.username,
        password=DEMO_PASSWORD,
        request=_request(),
    )
    return subject


def _text(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        service_missing("pdftotext (apt-get install poppler-utils)")
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return out.stdout.decode()


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_the_casebook_holds_every_form_audit_reason_query_signature_and_footer_hash(subject):
    made = casebook_pdf(subject, generated_by="test")
    text = _flat(_text(made.pdf))
    book = casebooks([subject.pk])[subject.pk]
    forms = {rec.form for group in book.groups for rec in group.records}
    # every form the subject has: screening, checklist, consent, subject, visits, doses,
    # vital signs, adverse event, blood gas, lung function, labs, HRCT...
    assert len(forms) >= 10, forms
    for form in forms:
        assert form in text, form
    assert REASON in text
    assert "Heart rate 97: source?" in text and "Confirmed on the nursing chart." in text
    assert "Asia/Shanghai" in text  # site time, the zone named
    # each signature's manifestation, worded as the signed pages word it
    name = User.objects.get(username="investigator").printed_name
    assert f"Signed by {name} on" in text
    assert (
        "I have reviewed the data of this subject and confirm that it is accurate and complete"
        in text
    )
    assert "I have reviewed this adverse event and confirm the assessment" in text

    # the archival ODM is embedded; its SHA-256 is in every page's footer
    reader = PdfReader(io.BytesIO(made.pdf))
    attached = reader.attachments[odm_filename(subject)][0]
    digest = hashlib.sha256(attached).hexdigest()
    assert digest == made.odm_sha256
    assert len(reader.pages) > 1
    for page in reader.pages:
        page_text = _flat(page.extract_text())
        assert digest in page_text.replace(" ", ""), page.page_number
        assert "01-003" in page_text
    assert attached.lstrip().startswith(b"<")  # the archival ODM's XML itself
    # PDF/A-3b, which allows the embedded file
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfaid" in xmp and (b"<pdfaid:part>3</pdfaid:part>" in xmp or b'part="3"' in xmp)


def _queries_for(subject_id) -> int:
    with CaptureQueriesContext(connection) as ctx:
        casebooks([subject_id])
    return len(ctx.captured_queries)


def test_reading_a_casebook_takes_the_same_queries_for_few_or_many_records(subject):
    few = _queries_for(subject.pk)
    coordinator = User.objects.get(username="coordinator")
    # many more changes, queries and records of the same kinds
    monitor = User.objects.get(username="monitor")
    for vitals in _vitals_model().objects.filter(subject=subject):
        vitals.temp = Decimal("37.1")
        audited_save(instance=vitals, user=coordinator, reason="Re-read")
        query_raise(user=monitor, record=vitals, field="temp", text="Temperature route?")
    many = _queries_for(subject.pk)
    assert many == few


def test_the_batched_history_is_the_audit_page_history(subject):
    model = _vitals_model()
    records = list(model.objects.filter(subject=subject))
    batched = records_history(model, [r.pk for r in records])
    for record in records:
        assert batched[record.pk] == record_history(record)
    assert any(e.reason == REASON for entries in batched.values() for e in entries)


def test_the_command_writes_the_casebook(subject, tmp_path):
    out = tmp_path / "cb.pdf"
    call_command("casebook", subject="01-003", out=str(out))
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF")
    assert "Casebook of 01-003" in _flat(_text(pdf))
