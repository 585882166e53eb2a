"""Lockout, session expiry, CSRF, CSP, password rules and the access log."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import DEMO_TEST_PASSWORD
from trial_edc.accounts.models import AccessEvent


def _attempt(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_five_failed_logins_lock_the_username_for_15_minutes(client, coordinator):
    for _ in range(4):
        response = _attempt(client, "coordinator", "wrong-password")
        assert response.status_code == 200
        assert "do not match" in response.content.decode()
    assert _attempt(client, "coordinator", "wrong-password").status_code == 429  # the 5th
    locked = _attempt(Client(), "coordinator", DEMO_TEST_PASSWORD)
    assert locked.status_code == 429
    assert "This account is locked" in locked.content.decode()
    assert "_auth_user_id" not in locked.wsgi_request.session

    locked_at = timezone.now()
    with time_machine.travel(locked_at + timedelta(minutes=14, seconds=50), tick=False):
        assert _attempt(Client(), "coordinator", DEMO_TEST_PASSWORD).status_code == 429
    # each attempt while locked counts as a failure: the 15 minutes run from the last one
    with time_machine.travel(locked_at + timedelta(minutes=29, seconds=40), tick=False):
        assert _attempt(Client(), "coordinator", DEMO_TEST_PASSWORD).status_code == 429
    with time_machine.travel(locked_at + timedelta(minutes=45), tick=False):
        assert _attempt(Client(), "coordinator", DEMO_TEST_PASSWORD).status_code == 302


def test_lock_ends_15_minutes_after_the_last_failure(client, coordinator):
    for _ in range(5):
        _attempt(client, "coordinator", "wrong-password")
    with time_machine.travel(timezone.now() + timedelta(minutes=15, seconds=5), tick=False):
        assert _attempt(Client(), "coordinator", DEMO_TEST_PASSWORD).status_code == 302


def test_four_failures_do_not_lock(client, coordinator):
    for _ in range(4):
        _attempt(client, "coordinator", "wrong-password")
    assert _attempt(client, "coordinator", DEMO_TEST_PASSWORD).status_code == 302


def test_lockout_is_per_username(client, coordinator, investigator):
    for _ in range(5):
        _attempt(client, "coordinator", "wrong-password")
    assert _attempt(Client(), "investigator", DEMO_TEST_PASSWORD).status_code == 302


def test_access_log_records_login_logout_failure_and_lockout(client, coordinator):
    _attempt(client, "coordinator", "wrong-password")
    _attempt(client, "nobody-like-this", "whatever")
    c = Client()
    _attempt(c, "coordinator", DEMO_TEST_PASSWORD)
    c.post(reverse("accounts:logout"))
    for _ in range(5):
        _attempt(client, "coordinator", "wrong-password")
    kinds = list(AccessEvent.objects.order_by("id").values_list("kind", "username"))
    assert kinds[:4] == [
        ("login_failed", "coordinator"),
        ("login_failed", "nobody-like-this"),
        ("login", "coordinator"),
        ("logout", "coordinator"),
    ]
    assert ("locked_out", "coordinator") in kinds
    assert AccessEvent.objects.filter(kind="login", ip_address="127.0.0.1").exists()


def test_access_log_is_append_only(coordinator):
    from django.db import ProgrammingError, transaction

    # the runtime role has no right to change it (and the owner meets a trigger)
    event = AccessEvent.objects.create(kind="login", user=coordinator, username="coordinator")
    with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).update(detail="tampered")
    with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.django_db(transaction=True)
def test_access_log_refuses_update_and_delete_even_to_its_owner(coordinator):
    from django.db import InternalError

    from tests.conftest import owner_cursor

    event = AccessEvent.objects.create(kind="login", user=coordinator, username="coordinator")
    with owner_cursor() as cursor:
        for statement in (
            "UPDATE accounts_accessevent SET detail = 'tampered' WHERE id = %s",
            "DELETE FROM accounts_accessevent WHERE id = %s",
        ):
            with pytest.raises(InternalError, match="Cannot update or delete"):
                cursor.execute(statement, [event.pk])


class TestSessionExpiry:
    def test_idle_for_30_minutes_signs_out(self, coordinator_client):
        start = timezone.now()
        with time_machine.travel(start + timedelta(minutes=29), tick=False):
            assert coordinator_client.get(reverse("portal:home")).status_code == 200
        with time_machine.travel(start + timedelta(minutes=58), tick=False):
            assert coordinator_client.get(reverse("portal:home")).status_code == 200
        with time_machine.travel(start + timedelta(minutes=89), tick=False):
            response = coordinator_client.get(reverse("portal:home"))
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:login"))
        assert AccessEvent.objects.filter(kind="session_expired").count() == 1
        assert coordinator_client.get(reverse("portal:home")).status_code == 302

    def test_twelve_hours_signs_out_even_when_active(self, coordinator_client):
        start = timezone.now()
        for minutes in range(20, 12 * 60, 20):
            with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
                assert coordinator_client.get(reverse("portal:home")).status_code == 200
        with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
            assert coordinator_client.get(reverse("portal:home")).status_code == 302

    def test_expired_session_shows_why_on_login_page(self, coordinator_client):
        with time_machine.travel(timezone.now() + timedelta(minutes=31), tick=False):
            response = coordinator_client.get(reverse("portal:home"), follow=True)
        assert "Your session ended" in response.content.decode()


def test_post_without_csrf_token_is_refused(coordinator):
    c = Client(enforce_csrf_checks=True)
    c.force_login(coordinator)
    response = c.post(reverse("accounts:logout"))
    assert response.status_code == 403


def test_content_security_policy_forbids_inline_scripts(client, db):
    header = client.get(reverse("accounts:login"))["Content-Security-Policy"]
    assert "script-src 'self'" in header
    assert "unsafe-inline" not in header
    assert "frame-ancestors 'none'" in header


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pw-1", "at least 12 characters"),
        ("password1234", "too common"),
        ("newbie-person", "too similar"),
    ],
)
def test_weak_password_refused_next_to_the_field(data_manager_client, site, password, message):
    response = data_manager_client.post(
        reverse("accounts:user_create"),
        {
            "username": "newbie-person",
            "first_name": "New",
            "last_name": "Person",
            "email": "np@example.org",
            "password": password,
            "roles": ["site_coordinator"],
            "sites": [site.pk],
        },
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["password"])
    assert message in errors
