"""21 CFR 11.50/11.200: only an investigator signs, with the password re-entered; any later
change voids the signature; the history keeps every signature and void."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse

from safety.models import AdverseEvent, AdverseEventFollowUp, AdverseEventSignature
from safety.services import adverse_events, signatures
from tests.factories import DEMO_TEST_PASSWORD
from trial_edc.accounts.models import AccessEvent


def _request():
    request = RequestFactory().post("/adverse-events/to-sign/")
    request.META["REMOTE_ADDR"] = "127.0.0.1"
    return request


@pytest.fixture
def ae(subject, coordinator):
    return adverse_events.adverse_event_record(
        ae=AdverseEvent(
            subject=subject,
            aeterm="Cough",
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


def _sign(ae, user, password=DEMO_TEST_PASSWORD):
    return signatures.adverse_event_sign(
        ae=ae, signer=user, username=user.username, password=password, request=_request()
    )


def test_investigator_signature_records_name_time_meaning_and_hash(ae, investigator):
    signature = _sign(ae, investigator)
    assert signature.printed_name == investigator.get_full_name()
    assert signature.meaning == "I have reviewed this adverse event and confirm the assessment"
    assert len(signature.content_hash) == 64
    assert signature.record_version == ae.events.order_by("pgh_chain_seq").last().pgh_chain_seq
    assert signatures.signature_is_valid(signature)


@pytest.mark.parametrize("role", ["coordinator", "monitor"])
def test_coordinator_and_monitor_cannot_sign(ae, role, request):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        _sign(ae, user)
    assert not AdverseEventSignature.objects.exists()


def test_wrong_password_is_refused_and_counted_as_a_failed_sign_in(ae, investigator):
    with pytest.raises(signatures.WrongPassword):
        _sign(ae, investigator, password="not-my-password")
    assert not AdverseEventSignature.objects.exists()
    assert AccessEvent.objects.filter(kind="login_failed", username="investigator").count() == 1


def test_five_wrong_passwords_lock_signing_too(ae, investigator):
    for _ in range(5):
        with pytest.raises(signatures.WrongPassword):
            _sign(ae, investigator, password="not-my-password")
    with pytest.raises(signatures.WrongPassword):
        _sign(ae, investigator)  # the right password, but the account is locked
    assert AccessEvent.objects.filter(kind="locked_out").exists()


def test_edit_voids_the_signature_and_re_signing_keeps_both(ae, investigator, coordinator):
    first = _sign(ae, investigator)
    ae.aetoxgr = 2
    adverse_events.adverse_event_record(ae=ae, user=coordinator, reason="Worse than recorded")
    first.refresh_from_db()
    assert first.voided_at is not None
    assert first.void_reason.startswith("signature voided by change on ")
    assert list(signatures.to_sign(AdverseEvent.objects.all())) == [ae]
    second = _sign(ae, investigator)
    assert second.record_version > first.record_version
    assert second.content_hash != first.content_hash
    assert list(ae.signatures.order_by("signed_at")) == [first, second]
    assert [e.pgh_label for e in first.events.order_by("pgh_id")] == ["insert", "update"]


def test_follow_up_voids_the_signature(ae, investigator, coordinator):
    signature = _sign(ae, investigator)
    adverse_events.adverse_event_follow_up(
        follow_up=AdverseEventFollowUp(
            adverse_event=ae,
            assessed_on=ae.aestdtc + timedelta(days=1),
            aetoxgr=1,
            aeout="RECOVERED/RESOLVED",
        ),
        user=coordinator,
    )
    signature.refresh_from_db()
    assert signature.voided_at is not None


def test_batch_signs_each_ae_with_one_password(investigator_client, ae, subject, coordinator):
    second = adverse_events.adverse_event_record(
        ae=AdverseEvent(
            subject=subject,
            aeterm="Headache",
            aestdtc=subject.day1,
            ongoing=True,
            aetoxgr=1,
            aerel="NOT RELATED",
            aeacn="DOSE NOT CHANGED",
            aeout="RECOVERING/RESOLVING",
        ),
        user=coordinator,
    )
    page = investigator_client.get(reverse("safety:to_sign"))
    assert page.context["queue_size"] == 2
    response = investigator_client.post(
        reverse("safety:to_sign"),
        {
            "adverse_events": [ae.pk, second.pk],
            "username": "investigator",
            "password": DEMO_TEST_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert AdverseEventSignature.objects.count() == 2
    assert investigator_client.get(reverse("safety:to_sign")).context["queue_size"] == 0
    detail = investigator_client.get(reverse("safety:adverse_event_detail", args=[ae.pk]))
    assert (
        "I have reviewed this adverse event and confirm the assessment" in detail.content.decode()
    )


def test_wrong_password_on_the_form_is_shown_next_to_the_field(investigator_client, ae):
    response = investigator_client.post(
        reverse("safety:to_sign"),
        {"adverse_events": [ae.pk], "username": "investigator", "password": "wrong-one-here"},
    )
    assert "password is not correct" in response.context["form"].errors["password"][0]
    assert not AdverseEventSignature.objects.exists()


def test_coordinator_has_no_to_sign_queue(coordinator_client):
    assert coordinator_client.get(reverse("safety:to_sign")).status_code == 403
