"""Freeze, lock, unfreeze and unlock: who may do what from which state (the table), what an
unlock needs (a reason and a current authenticator code) and what its audited entry lists,
and the effective state of a record (its strongest ancestor)."""

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from datamanagement.locks import rules, selectors, services
from datamanagement.models.locks import DataLock, Level, LockState
from tests.factories import totp_code
from trial_edc.accounts.roles import Role
from trial_edc.core import registry

pytestmark = pytest.mark.django_db

OP, F, L = LockState.OPEN, LockState.FROZEN, LockState.LOCKED

# (state before, action) -> state after, for the data manager; every other pair is refused
MOVES = {
    (OP, "freeze"): F,
    (OP, "lock"): L,
    (F, "lock"): L,
    (F, "unfreeze"): OP,
    (L, "unlock"): OP,
}


def _put(subject, state):
    if state != OP:
        DataLock.objects.create(
            target=rules.subject_target(subject.pk),
            level=Level.SUBJECT,
            subject=subject,
            state=state,
            changed_at="2026-01-01T00:00Z",
        )


def _has_app(user) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _act(user, subject, action):
    return services.change_lock(
        user=user,
        action=action,
        level=Level.SUBJECT,
        subject=subject,
        reason="data review finished",
        code=totp_code(user) if action == "unlock" and _has_app(user) else "123456",
    )


@pytest.mark.parametrize(
    ("role", "state", "action"),
    list(itertools.product(list(Role), [OP, F, L], list(rules.ACTIONS))),
)
def test_state_action_role_table(role, state, action, role_users, subject_on_day_6):
    subject = subject_on_day_6
    user = role_users[role]
    _put(subject, state)
    expected = MOVES.get((state, action)) if role == Role.DATA_MANAGER else None
    if role != Role.DATA_MANAGER:
        with pytest.raises(PermissionDenied):
            _act(user, subject, action)
        assert selectors.state_of(rules.subject_target(subject.pk)) == state
    elif expected is None:
        with pytest.raises(ValidationError):
            _act(user, subject, action)
        assert selectors.state_of(rules.subject_target(subject.pk)) == state
    else:
        _act(user, subject, action)
        assert selectors.state_of(rules.subject_target(subject.pk)) == expected


def test_a_data_manager_of_another_site_is_refused(make_user, other_site, subject_on_day_6):
    far = make_user(Role.DATA_MANAGER, [other_site], username="dm2")
    with pytest.raises(PermissionDenied):
        _act(far, subject_on_day_6, "freeze")


def test_the_study_level_needs_no_site(data_manager):
    services.change_lock(user=data_manager, action="freeze", level=Level.STUDY)
    assert selectors.study_state() == F


@pytest.fixture
def effect():
    seen = []

    def voided(scope):
        seen.append(scope)
        return ["Signature of the casebook of subject X voided", "3 verified items now stale"]

    entry = registry.unlock_effects.register(registry.UnlockEffect("test.effect", voided))
    yield seen
    registry.unlock_effects._entries.pop(entry.key)


def test_unlock_needs_a_reason_and_a_valid_code_and_lists_what_it_reopened(
    data_manager, subject_on_day_6, effect
):
    subject = subject_on_day_6
    _act(data_manager, subject, "lock")
    with pytest.raises(ValidationError) as refused:
        services.change_lock(
            user=data_manager, action="unlock", level=Level.SUBJECT, subject=subject, reason=""
        )
    assert set(refused.value.message_dict) == {"reason", "code"}
    with pytest.raises(ValidationError) as refused:
        services.change_lock(
            user=data_manager,
            action="unlock",
            level=Level.SUBJECT,
            subject=subject,
            reason="late lab correction",
            code="000000" if totp_code(data_manager) != "000000" else "111111",
        )
    assert set(refused.value.message_dict) == {"code"}
    assert selectors.state_of(rules.subject_target(subject.pk)) == L
    services.change_lock(
        user=data_manager,
        action="unlock",
        level=Level.SUBJECT,
        subject=subject,
        reason="late lab correction",
        code=totp_code(data_manager),
    )
    row = DataLock.objects.get(target=rules.subject_target(subject.pk))
    assert row.state == OP
    entry = row.events.order_by("pgh_chain_seq").last()
    assert entry.state == OP
    assert entry.pgh_context["reason"] == "late lab correction"
    assert entry.pgh_context["user"] == data_manager.pk
    assert entry.effects[0].startswith("Reopened: subject")
    assert entry.effects[1:] == [
        "Signature of the casebook of subject X voided",
        "3 verified items now stale",
    ]
    assert effect == [
        {
            "level": "subject",
            "subject_ids": [subject.pk],
            "visit_id": None,
            "record": (None, None),
        }
    ]


def test_a_code_is_accepted_once(data_manager, subject_on_day_6):
    subject = subject_on_day_6
    _act(data_manager, subject, "lock")
    code = totp_code(data_manager)
    services.change_lock(
        user=data_manager,
        action="unlock",
        level=Level.SUBJECT,
        subject=subject,
        reason="r",
        code=code,
    )
    _act(data_manager, subject, "lock")
    with pytest.raises(ValidationError):
        services.change_lock(
            user=data_manager,
            action="unlock",
            level=Level.SUBJECT,
            subject=subject,
            reason="r",
            code=code,
        )


def test_the_effective_state_is_the_strongest_ancestor(data_manager, subject_on_day_6):
    subject = subject_on_day_6
    visit = subject.visits.order_by("pk").first()
    assert selectors.record_state(visit) == (OP, "")
    services.change_lock(user=data_manager, action="freeze", level=Level.VISIT, visit=visit)
    assert selectors.record_state(visit) == (F, "visit")
    _act(data_manager, subject, "lock")
    assert selectors.record_state(visit) == (L, "subject")
    services.change_lock(user=data_manager, action="freeze", level=Level.STUDY)
    assert selectors.record_state(visit)[0] == L  # locked beats frozen
    services.change_lock(
        user=data_manager, action="lock", level=Level.RECORD, record=subject.screening
    )
    assert selectors.record_state(subject.screening)[0] == L


def test_unlocking_a_subject_voids_its_ae_signatures_and_lists_them(
    data_manager, coordinator, investigator, subject_on_day_6
):
    """Safety registers an unlock effect: the reopened subject's AE signatures are voided,
    and the unlock's audited entry names them (datamanagement never imports safety)."""
    from portal.demo.treatment import serious_pneumonia
    from safety.models import AdverseEvent
    from safety.services.adverse_events import adverse_event_record
    from safety.services.signatures import _sign_each, to_sign

    subject = subject_on_day_6
    ae = adverse_event_record(ae=serious_pneumonia(subject), user=coordinator)
    _sign_each([ae], investigator)
    assert not to_sign(AdverseEvent.objects.all()).exists()
    _act(data_manager, subject, "lock")
    _act(data_manager, subject, "unlock")
    assert list(to_sign(AdverseEvent.objects.all())) == [ae]
    entry = DataLock.objects.get(target=rules.subject_target(subject.pk)).events.last()
    assert f"Signature of adverse event Pneumonia of {subject} voided" in entry.effects


def test_the_study_is_locked_only_through_the_database_lock(data_manager):
    with pytest.raises(ValidationError):
        services.change_lock(user=data_manager, action="lock", level=Level.STUDY)
    assert selectors.study_state() == OP


def test_unlocking_voids_the_casebook_signature_and_makes_verification_stale(
    data_manager, monitor, investigator, subject_on_day_6
):
    """The unlock's audited entry lists what it reopened, the signatures it voided and the
    verification it made stale: the reopened data may change."""
    from django.test import RequestFactory

    from datamanagement.models import CasebookSignature, SourceVerification
    from datamanagement.sdv import selectors as sdv_selectors
    from datamanagement.sdv import services as sdv_services
    from enrollment.models import Consent
    from tests.factories import DEMO_TEST_PASSWORD

    subject = subject_on_day_6
    consent = Consent.objects.get(screening__subject=subject)
    verified = sdv_services.record_verify(
        user=monitor, record=consent, seen_seq=sdv_selectors.latest_seq(consent)
    )
    assert verified
    request = RequestFactory().post("/")
    request.META["REMOTE_ADDR"] = "127.0.0.1"
    sdv_services.casebook_sign(
        subject=subject,
        signer=investigator,
        username=investigator.username,
        password=DEMO_TEST_PASSWORD,
        request=request,
    )
    _act(data_manager, subject, "lock")
    _act(data_manager, subject, "unlock")

    assert not CasebookSignature.objects.filter(subject=subject, voided_at__isnull=True).exists()
    assert not SourceVerification.objects.filter(subject=subject, changed_at__isnull=True).exists()
    effects = DataLock.objects.get(target=rules.subject_target(subject.pk)).effects
    assert f"Casebook signature of {subject} voided" in effects
    assert f"{verified} verified item(s) marked changed since verified" in effects
