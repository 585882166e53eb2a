"""The database lock: refused while anything registered in `lock_blockers` blocks it (open
queries, unverified critical items, unsigned casebooks — faked, and each real one —
and the real unsigned adverse events), accepted with none; its certificate's hashes are
recomputed and checked."""

import hashlib
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from datamanagement.locks import selectors, services
from datamanagement.models.locks import LockCertificate, LockState
from tests.factories import totp_code
from trial_edc.audit.models import AuditChainHead
from trial_edc.audit.tracking import audit_event_models
from trial_edc.core import registry

pytestmark = pytest.mark.django_db

FAKES = {
    "open_queries": ("Open queries", [("Query 7 on 01-001 vital signs", "/q/7/")]),
    "unverified_critical": ("Critical items not verified", [("01-001 dose day 1", "")]),
    "unsigned_casebooks": ("Casebooks not signed", [("01-001", "/casebook/1/")]),
}


@pytest.fixture
def fake_blocker():
    added = []

    def add(key):
        label, items = FAKES[key]
        added.append(
            registry.lock_blockers.register(
                registry.LockBlocker(f"test.{key}", label, lambda: items)
            )
        )

    yield add
    for entry in added:
        registry.lock_blockers._entries.pop(entry.key)


@pytest.mark.parametrize("key", list(FAKES))
def test_refused_with_each_fake_blocker_and_the_page_lists_it(
    key, fake_blocker, data_manager, data_manager_client
):
    fake_blocker(key)
    with pytest.raises(ValidationError):
        services.lock_database(user=data_manager)
    assert selectors.study_state() == LockState.OPEN
    assert not LockCertificate.objects.exists()
    html = data_manager_client.get(reverse("datamanagement:database_lock")).content.decode()
    label, items = FAKES[key]
    assert label in html
    assert items[0][0] in html


def test_refused_with_an_unsigned_adverse_event(
    data_manager, data_manager_client, subject_on_day_6, coordinator
):
    from portal.demo.treatment import serious_pneumonia
    from safety.services.adverse_events import adverse_event_record

    ae = serious_pneumonia(subject_on_day_6)
    adverse_event_record(ae=ae, user=coordinator)
    with pytest.raises(ValidationError, match="Adverse events not signed"):
        services.lock_database(user=data_manager)
    html = data_manager_client.get(reverse("datamanagement:database_lock")).content.decode()
    assert reverse("safety:adverse_event_detail", args=[ae.pk]) in html
    response = data_manager_client.post(reverse("datamanagement:database_lock"), follow=True)
    assert response.status_code == 200
    assert "cannot be locked" in response.content.decode()
    assert selectors.study_state() == LockState.OPEN


def _recompute_data_sha256() -> str:
    dump = {}
    for crf in sorted(registry.crf_models, key=lambda c: c.key):
        columns = [f.attname for f in crf.model._meta.concrete_fields]
        rows = crf.model._base_manager.order_by("pk").values_list(*columns)
        dump[crf.key] = {"columns": columns, "rows": [list(r) for r in rows]}
    return services.canonical_sha256(dump)


def _resolve_every_blocker(subject, monitor, investigator) -> None:
    """What a real database lock needs: every critical item verified (a monitor verifies each
    record of the subject) and the casebook signed by the investigator."""
    from django.test import RequestFactory

    from datamanagement.sdv import selectors as sdv_selectors
    from datamanagement.sdv import services as sdv_services
    from tests.factories import DEMO_TEST_PASSWORD

    for record in sdv_selectors.records_sdv(subject_ids=[subject.pk]):
        if record.items:
            instance = record.info.model.objects.get(pk=record.record_id)
            sdv_services.record_verify(
                user=monitor, record=instance, seen_seq=sdv_selectors.latest_seq(instance)
            )
    request = RequestFactory().post("/")
    request.META["REMOTE_ADDR"] = "127.0.0.1"
    sdv_services.casebook_sign(
        subject=subject,
        signer=investigator,
        username=investigator.username,
        password=DEMO_TEST_PASSWORD,
        request=request,
    )
    assert [(b.key, items) for b, items in selectors.lock_blockers() if items] == []


def test_accepted_with_no_blocker_and_the_certificate_hashes_check_out(
    data_manager, data_manager_client, subject_on_day_6, monitor, investigator
):
    _resolve_every_blocker(subject_on_day_6, monitor, investigator)
    response = data_manager_client.post(reverse("datamanagement:database_lock"))
    assert response.status_code == 302
    assert selectors.study_state() == LockState.LOCKED
    certificate = LockCertificate.objects.get()
    assert certificate.locked_by == data_manager
    # the locked data, recomputed
    assert certificate.data_sha256 == _recompute_data_sha256()
    # the audit-chain head at the lock: the entry with that position has that hash
    entry = next(
        e
        for m in audit_event_models()
        for e in m.objects.filter(pgh_chain_seq=certificate.chain_seq)
    )
    assert entry.pgh_hash == certificate.chain_hash
    assert AuditChainHead.objects.get().seq > certificate.chain_seq  # the certificate's own entry
    text = json.dumps(
        {"hash": certificate.chain_hash, "seq": certificate.chain_seq},
        sort_keys=True,
        separators=(",", ":"),
    )
    assert certificate.chain_sha256 == hashlib.sha256(text.encode()).hexdigest()
    content = json.loads(certificate.certificate_json)
    assert content["data_sha256"] == certificate.data_sha256
    assert content["audit_chain_head"] == {
        "seq": certificate.chain_seq,
        "hash": certificate.chain_hash,
    }
    assert content["locked_by"]["username"] == data_manager.username
    pdf = data_manager_client.get(
        reverse("datamanagement:certificate_download", args=[certificate.pk, "pdf"])
    )
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    as_json = data_manager_client.get(
        reverse("datamanagement:certificate_download", args=[certificate.pk, "json"])
    )
    assert json.loads(as_json.content) == content
    # locked: nothing changes any more, and a second lock is refused
    with pytest.raises(ValidationError):
        services.lock_database(user=data_manager)
    # the study is unlocked with a reason and a code, from the database-lock page
    page = data_manager_client.get(reverse("datamanagement:database_lock")).content.decode()
    unlock = reverse("datamanagement:lock_change_study", args=["unlock"])
    assert unlock in page
    response = data_manager_client.post(
        unlock, {"reason": "late query answer", "code": totp_code(data_manager)}
    )
    assert response.status_code == 302
    assert selectors.study_state() == LockState.OPEN


def test_only_a_data_manager_locks_the_database(monitor, monitor_client):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.lock_database(user=monitor)
    assert monitor_client.get(reverse("datamanagement:database_lock")).status_code == 403


@pytest.mark.parametrize("blocker", ["open query", "unverified critical item", "unsigned casebook"])
def test_refused_by_each_real_blocker(
    blocker, data_manager, data_manager_client, subject_on_day_6, monitor, investigator
):
    """With every blocker resolved, one real thing put back blocks the lock, and the page
    lists it under its kind with a link."""
    from datamanagement.models import CasebookSignature, SourceVerification
    from datamanagement.queries.services import query_raise

    subject = subject_on_day_6
    _resolve_every_blocker(subject, monitor, investigator)
    if blocker == "open query":
        query_raise(user=monitor, record=subject, text="Is day 1 right?")
        label = "Queries not closed"
    elif blocker == "unverified critical item":
        SourceVerification.objects.filter(model_label="enrollment.consent").delete()
        label = "Critical items not verified"
    else:
        CasebookSignature.objects.filter(subject=subject).update(
            voided_at="2026-01-01T00:00Z", void_reason="test"
        )
        label = "Casebooks not signed"
    with pytest.raises(ValidationError):
        services.lock_database(user=data_manager)
    assert selectors.study_state() == LockState.OPEN
    html = data_manager_client.get(reverse("datamanagement:database_lock")).content.decode()
    assert label in html
    assert str(subject) in html
