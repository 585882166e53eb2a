"""CDISC ODM 1.3.2 out (issue 15, points 2, 3 and 6): the snapshot and the archival file are
valid (CDISC schema, reference integrity, odmlib's OID check), the archival file's
transactions replay to the snapshot, its signatures, edits and deletions carry their audit
records, exports are scoped to sites, and a file that fails its validation is never
offered."""

import filecmp
import io
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from datamanagement.exports.odm import OdmInvalid, archival_for_subject, clinical, write_odm
from datamanagement.exports.odm.replay import replay, snapshot_values
from datamanagement.exports.odm.validate import (
    SCHEMA_DIR,
    odmlib_reference_problems,
    schema,
    validate_file,
)
from efficacy.models import LabResult
from efficacy.services import lab_panel_record
from portal.demo.efficacy import _efficacy_set
from portal.demo.enrollment import enrolled_subject
from safety.models import AdverseEvent, AdverseEventSignature
from safety.services import adverse_events, signatures
from tests.factories import DEMO_TEST_PASSWORD
from trial_edc.accounts.roles import Role

NS = {"o": "http://www.cdisc.org/ns/odm/v1.3", "tedc": "https://trial-edc.org/odm-extension/1"}
SHARED = Path(__file__).resolve().parents[3] / "shared" / "standards" / "odm-1.3.2"
GRADE_REASON = "Grade corrected after source review"
LDH_REASON = "LDH belonged to another patient's sample"


def _odm(**kwargs) -> bytes:
    out = io.BytesIO()
    write_odm(out, **kwargs)
    return out.getvalue()


@pytest.fixture
def world(subject_on_day_6, site, other_site, coordinator, investigator, make_user):
    """Site 01: a subject with an AE edited with a reason then signed, a visit's efficacy set
    and a laboratory result removed with a reason. Site 02: another subject."""
    from django.test import RequestFactory

    subject = subject_on_day_6
    ae = adverse_events.adverse_event_record(
        ae=AdverseEvent(
            subject=subject,
            aeterm="Productive cough",
            aestdtc=subject.day1,
            ongoing=True,
            aetoxgr=1,
            aerel="PROBABLY RELATED",
            expected=True,
            aeacn="DOSE NOT CHANGED",
            aeout="RECOVERING/RESOLVING",
        ),
        user=coordinator,
    )
    ae.aetoxgr = 2
    adverse_events.adverse_event_record(ae=ae, user=coordinator, reason=GRADE_REASON)
    request = RequestFactory().post("/")
    request.META["REMOTE_ADDR"] = "127.0.0.1"
    signatures.adverse_event_sign(
        ae=ae,
        signer=investigator,
        username=investigator.username,
        password=DEMO_TEST_PASSWORD,
        request=request,
    )
    visit = _efficacy_set(subject, "BASELINE", 1, coordinator)
    panel = visit.lab_panel
    kept = {
        r.test_code: (r.value, r.unit, r.reference_low, r.reference_high)
        for r in LabResult.objects.filter(panel=panel).exclude(test_code="LDH")
    }
    lab_panel_record(panel=panel, results=kept, user=coordinator, reason=LDH_REASON)
    other = enrolled_subject(
        site=other_site,
        coordinator=make_user(Role.SITE_COORDINATOR, [other_site], username="coordinator02"),
        investigator=make_user(Role.INVESTIGATOR, [other_site], username="investigator02"),
        screening_date=subject.day1 - timedelta(days=2),
        day1=subject.day1,
    )
    return {"subject": subject, "other": other, "ae": ae, "panel": panel}


def _without_extension(data: bytes) -> etree._ElementTree:
    tree = etree.fromstring(data)
    for el in tree.xpath("//tedc:*", namespaces=NS):
        el.getparent().remove(el)
    return tree


def test_the_schema_shipped_is_the_cdisc_one():
    for name in ("ODM1-3-2.xsd", "ODM1-3-2-foundation.xsd", "xml.xsd", "xmldsig-core-schema.xsd"):
        assert (SCHEMA_DIR / name).exists()
        if SHARED.exists():
            assert filecmp.cmp(SCHEMA_DIR / name, SHARED / name, shallow=False), name


def test_snapshot_and_archival_are_valid_odm_and_replay_to_the_snapshot(world, tmp_path):
    snapshot = _odm(archival=False)
    archival = _odm(archival=True)
    plain = schema(extended=False)
    for data in (snapshot, archival):
        plain.assertValid(_without_extension(data))  # the CDISC schema, as published
        assert odmlib_reference_problems(data) == []
    (tmp_path / "a.xml").write_bytes(archival)
    assert validate_file(tmp_path / "a.xml", extended=True) == []  # with the tedc extension
    root = etree.fromstring(archival)
    assert root.get("FileType") == "Transactional" and root.get("Archival") == "Yes"
    assert etree.fromstring(snapshot).xpath("//@TransactionType") == []
    assert not root.xpath("//@TransactionType[.='Upsert']")
    # every item of every record: the archival file's transactions replayed = the snapshot
    state = snapshot_values(io.BytesIO(snapshot))
    assert state and replay(io.BytesIO(archival)) == state
    key = (
        world["subject"].subject_number,
        "SE.COMMON",
        "F.safety.ADVERSEEVENT",
        str(world["ae"].pk),
    )
    assert state[key]["IT.safety.ADVERSEEVENT.aetoxgr"] == "2"
    # the metadata: a FormDef per CRF, criteria word for word, both languages
    from trial_edc.core import registry
    from trial_edc.study import study

    forms = root.xpath("//o:FormDef/@Name", namespaces=NS)
    assert forms == [c.key for c in registry.crf_models]
    description = root.xpath(
        "//o:Protocol/o:Description/o:TranslatedText[@xml:lang='en']", namespaces=NS
    )[0].text
    assert all(c.text in description for c in study().inclusion + study().exclusion)
    langs = set(root.xpath("//o:ItemDef/o:Question/o:TranslatedText/@xml:lang", namespaces=NS))
    assert langs == {"en", "zh-Hans"}
    assert root.xpath("//o:StudyEventDef/@OID", namespaces=NS)[: len(study().visits)] == [
        f"SE.{v.code}" for v in study().visits
    ]


def test_a_signature_carries_the_signer_time_and_meaning_shown_on_the_page(
    world, client_for, investigator, site
):
    archival = etree.fromstring(_odm(archival=True))
    signature = AdverseEventSignature.objects.get(adverse_event=world["ae"], voided_at__isnull=True)
    (element,) = archival.xpath(f"//o:Signature[@ID='SIG.AE.{signature.pk}']", namespaces=NS)
    user_oid = element.find("o:UserRef", NS).get("UserOID")
    def_oid = element.find("o:SignatureRef", NS).get("SignatureOID")
    (full_name,) = archival.xpath(f"//o:User[@OID='{user_oid}']/o:FullName/text()", namespaces=NS)
    (meaning,) = archival.xpath(
        f"//o:SignatureDef[@OID='{def_oid}']/o:Meaning/text()", namespaces=NS
    )
    stamp = element.find("o:DateTimeStamp", NS).text
    page = client_for(investigator).get(
        reverse("safety:adverse_event_detail", args=[world["ae"].pk])
    )
    shown = page.content.decode()
    assert full_name == signature.printed_name == investigator.printed_name and full_name in shown
    assert meaning == signature.meaning and meaning in shown
    assert stamp == signature.signed_at.astimezone(ZoneInfo("UTC")).isoformat()
    local = timezone.localtime(signature.signed_at, ZoneInfo(site.time_zone))
    assert f"{local:%Y-%m-%d %H:%M}" in shown
    # it is signed where the AE is: the same form and record
    form = element.getparent()
    assert (form.get("FormOID"), form.get("FormRepeatKey")) == (
        "F.safety.ADVERSEEVENT",
        str(world["ae"].pk),
    )


def test_an_edit_with_a_reason_is_an_update_with_its_reason_and_audit_chain_position(world):
    archival = etree.fromstring(_odm(archival=True))
    updates = archival.xpath(
        f"//o:FormData[@FormRepeatKey='{world['ae'].pk}' and @FormOID='F.safety.ADVERSEEVENT']"
        "//o:ItemData[@ItemOID='IT.safety.ADVERSEEVENT.aetoxgr' and @TransactionType='Update']",
        namespaces=NS,
    )
    assert [u.get("Value") for u in updates] == ["2"]
    audit = updates[0].find("o:AuditRecord", NS)
    assert audit.find("o:ReasonForChange", NS).text == GRADE_REASON
    event = world["ae"].events.get(pgh_chain_seq=int(audit.find("o:SourceID", NS).text))
    assert (event.pgh_label, event.aetoxgr) == ("update", 2)
    assert event.pgh_context["reason"] == GRADE_REASON
    assert audit.find("o:LocationRef", NS).get("LocationOID") == "LOC.01"
    assert audit.find("o:UserRef", NS).get("UserOID") == f"USR.{event.pgh_context['user']}"


def test_a_deleted_record_is_a_remove_with_its_reason(world):
    archival = etree.fromstring(_odm(archival=True))
    removes = archival.xpath(
        "//o:FormData[@FormOID='F.efficacy.LABRESULT']/o:ItemGroupData[@TransactionType='Remove']",
        namespaces=NS,
    )
    assert len(removes) == 1
    assert removes[0].find("o:AuditRecord/o:ReasonForChange", NS).text == LDH_REASON
    key = removes[0].getparent().get("FormRepeatKey")
    assert not LabResult.objects.filter(pk=key).exists()
    snapshot = etree.fromstring(_odm(archival=False))
    assert not snapshot.xpath(
        f"//o:FormData[@FormOID='F.efficacy.LABRESULT' and @FormRepeatKey='{key}']", namespaces=NS
    )


def test_a_site_01_export_holds_no_site_02_subject(world, monitor):
    def subjects(data):
        return set(etree.fromstring(data).xpath("//o:SubjectData/@SubjectKey", namespaces=NS))

    mine, theirs = world["subject"].subject_number, world["other"].subject_number
    assert subjects(_odm(archival=False)) == {mine, theirs}
    for archival in (False, True):
        assert subjects(_odm(archival=archival, site_codes=["01"])) == {mine}
        assert subjects(_odm(archival=archival, user=monitor)) == {mine}  # the monitor's sites
    assert subjects(archival_for_subject(world["other"])) == {theirs}


def test_a_file_that_fails_validation_is_refused_and_the_command_exits_non_zero(
    world, monkeypatch, tmp_path
):
    audit_record = clinical._audit_record  # every audit record now names an undefined site

    def undefined_site(at, context, seq, location):
        return audit_record(at, context, seq, "LOC.nowhere")

    monkeypatch.setattr(clinical, "_audit_record", undefined_site)
    out = io.BytesIO()
    with pytest.raises(OdmInvalid) as refused:
        write_odm(out, archival=True)
    assert out.getvalue() == b""  # nothing offered
    assert any("LOC.nowhere" in m for m in refused.value.messages)
    target = tmp_path / "study.xml"
    with pytest.raises(CommandError):
        call_command("export_odm", "--out", str(target), "--archival", stderr=io.StringIO())
    assert not target.exists()


def test_the_command_writes_a_valid_file(world, tmp_path):
    target = tmp_path / "subject.xml"
    call_command(
        "export_odm",
        "--out",
        str(target),
        "--archival",
        "--subject",
        world["subject"].subject_number,
        stdout=io.StringIO(),
    )
    assert validate_file(target) == []
    assert (
        etree.parse(str(target)).xpath("//o:SubjectData/@SubjectKey", namespaces=NS)[0]
        == world["subject"].subject_number
    )


def test_the_number_of_queries_does_not_grow_with_the_subjects(
    world, site, coordinator, investigator
):
    def count(archival):
        with CaptureQueriesContext(connection) as queries:
            _odm(archival=archival, site_codes=["01"])
        return len(queries)

    few = (count(False), count(True))
    for n in range(3):
        subject = enrolled_subject(site=site, coordinator=coordinator, investigator=investigator)
        _efficacy_set(subject, "BASELINE", 1, coordinator) if n == 0 else None
    assert (count(False), count(True)) == few


def test_export_jobs_make_the_odm_files_the_archival_for_data_managers_only(
    world, settings, tmp_path, monitor, data_manager
):
    from django.core.exceptions import PermissionDenied

    from datamanagement.exports import services
    from datamanagement.exports.tasks import export_run_task
    from datamanagement.models.exports import ExportJob

    settings.EXPORT_ROOT = str(tmp_path / "exports")
    job = services.export_request(user=monitor, kind="odm_snapshot", dispatch=False)
    assert export_run_task(job.pk) == "ready"
    job.refresh_from_db()
    assert job.file_name.endswith(".xml") and "odm-snapshot_site01" in job.file_name
    assert validate_file(services.export_path(job), extended=False) == []
    with pytest.raises(PermissionDenied):
        services.export_request(user=monitor, kind="odm_archival", dispatch=False)
    job = services.export_request(user=data_manager, kind="odm_archival", dispatch=False)
    assert export_run_task(job.pk) == "ready"
    job.refresh_from_db()
    assert job.status == ExportJob.Status.READY
    assert validate_file(services.export_path(job)) == []
