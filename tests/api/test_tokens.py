"""Personal API tokens: made on /api/tokens/ only after the authenticator's code in this
session (every role), shown once, listed, revoked; a revoked or expired token is refused
(401); every call is in the access log with the token's name."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from datamanagement.api.services import api_token_create
from datamanagement.models import ApiToken
from tests.api.conftest import auth, make_token
from tests.factories import force_login_verified, totp_device_enrol
from trial_edc.accounts.models import AccessEvent

pytestmark = pytest.mark.django_db

SUBJECTS = "/api/v1/subjects/"


def test_a_token_reads_and_the_access_log_names_it(client, coordinator):
    token = make_token(coordinator, name="R script of the statistician")
    assert client.get(SUBJECTS, **auth(token)).status_code == 200
    entry = AccessEvent.objects.filter(kind=AccessEvent.Kind.API_CALL).latest("pk")
    assert entry.user == coordinator
    assert "R script of the statistician" in entry.detail
    assert "GET /api/v1/subjects/" in entry.detail and "200" in entry.detail
    stored = ApiToken.objects.get(user=coordinator)
    assert token not in (stored.digest, stored.token_key)  # only a digest is kept
    assert stored.last_used is not None


def test_no_or_a_wrong_token_is_refused_and_logged(client, coordinator):
    assert client.get(SUBJECTS).status_code == 401
    assert client.get(SUBJECTS, **auth("edc_" + "0" * 64)).status_code == 401
    entry = AccessEvent.objects.filter(kind=AccessEvent.Kind.API_CALL).latest("pk")
    assert entry.user is None and "no valid token" in entry.detail and "401" in entry.detail


def test_a_signed_in_session_is_not_a_token(coordinator):
    client = force_login_verified(Client(), coordinator)
    assert client.get(SUBJECTS).status_code == 401


def test_a_revoked_token_gets_401(investigator):
    page = force_login_verified(Client(), investigator)
    token = make_token(investigator)
    api = Client()
    assert api.get(SUBJECTS, **auth(token)).status_code == 200
    digest = ApiToken.objects.get(user=investigator).digest
    response = page.post(reverse("api:token_revoke"), {"token": digest}, follow=True)
    assert response.status_code == 200
    assert not ApiToken.objects.filter(user=investigator).exists()
    assert api.get(SUBJECTS, **auth(token)).status_code == 401
    revoked = AccessEvent.objects.get(kind=AccessEvent.Kind.API_TOKEN_REVOKED)
    assert revoked.user == investigator and revoked.detail == "statistician's script"


def test_nobody_revokes_someone_elses_token(investigator, coordinator):
    token = make_token(coordinator)
    page = force_login_verified(Client(), investigator)
    digest = ApiToken.objects.get(user=coordinator).digest
    page.post(reverse("api:token_revoke"), {"token": digest})
    assert Client().get(SUBJECTS, **auth(token)).status_code == 200


def test_an_expired_token_gets_401(client, coordinator):
    token = make_token(coordinator, days=30)
    assert client.get(SUBJECTS, **auth(token)).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=30, minutes=1)):
        assert client.get(SUBJECTS, **auth(token)).status_code == 401
    assert client.get(SUBJECTS, **auth(token)).status_code == 401  # and deleted


def test_token_creation_refused_without_the_authenticator_code(monitor, investigator):
    # the service refuses a session that has not passed a second factor
    with pytest.raises(PermissionDenied):
        api_token_create(user=monitor, name="x", days=10)
    # a monitor signs in without one: the page sends them to add an authenticator first
    page = Client()
    page.force_login(monitor, backend="django.contrib.auth.backends.ModelBackend")
    response = page.get(reverse("api:tokens"))
    assert response.status_code == 200
    assert b'data-testid="token-refused"' in response.content
    assert reverse("accounts:mfa_enrol").encode() in response.content
    page.post(reverse("api:tokens"), {"name": "x", "days": "10"})
    assert not ApiToken.objects.exists()
    # with an authenticator and its code in this session, the same monitor may
    totp_device_enrol(monitor)
    page = force_login_verified(Client(), monitor)
    page.post(reverse("api:tokens"), {"name": "monitoring visit", "days": "10"})
    assert ApiToken.objects.filter(user=monitor, name="monitoring visit").exists()


def test_the_token_is_shown_once_then_listed(investigator):
    page = force_login_verified(Client(), investigator)
    form = page.get(reverse("api:tokens")).context["form"]
    key = form.fields["submission"].initial
    data = {"name": "sponsor export", "days": "14", "submission": key}
    shown = page.post(reverse("api:tokens"), data, follow=True)
    token = shown.context["new_token"]["token"]
    assert token.encode() in shown.content
    assert Client().get(SUBJECTS, **auth(token)).status_code == 200
    again = page.get(reverse("api:tokens"))
    assert token.encode() not in again.content
    assert b"sponsor export" in again.content
    # the same form sent twice makes one token
    page.post(reverse("api:tokens"), data, follow=True)
    assert ApiToken.objects.filter(user=investigator).count() == 1
    stored = ApiToken.objects.get(user=investigator)
    assert timedelta(days=13, hours=23) < stored.expiry - stored.created <= timedelta(days=14)
    created = AccessEvent.objects.get(kind=AccessEvent.Kind.API_TOKEN_CREATED)
    assert "sponsor export" in created.detail


def test_a_token_lasts_at_most_the_configured_maximum(investigator, settings):
    settings.API_TOKEN_MAX_DAYS = 365
    page = force_login_verified(Client(), investigator)
    response = page.post(reverse("api:tokens"), {"name": "forever", "days": "366"})
    assert response.status_code == 200
    assert response.context["form"].errors["days"]
    assert not ApiToken.objects.exists()


def test_a_password_reset_by_a_data_manager_stops_the_tokens(client, coordinator):
    token = make_token(coordinator)
    coordinator.password_change_required = True
    coordinator.save(update_fields=["password_change_required"])
    assert client.get(SUBJECTS, **auth(token)).status_code == 401
