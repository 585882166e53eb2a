"""21 CFR 11.300 and 11.200 for accounts: nobody raises their own access; a password someone
else set is changed before anything else; investigators and data managers sign in with a
second factor; the first signature of a session takes username and password; a page that
reloads itself does not keep a session alive; the client address behind proxies."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import login
from tests.factories import DEMO_TEST_PASSWORD, totp_code
from trial_edc.accounts import services
from trial_edc.accounts.access_log import client_ip
from trial_edc.accounts.models import AccessEvent, SiteMembership, User
from trial_edc.accounts.roles import Role, user_roles

NEW_PASSWORD = "my-own-secret-passphrase-9"


def _kinds(user):
    return list(AccessEvent.objects.filter(user=user).order_by("id").values_list("kind", flat=True))


def _password_login(client, username, password=DEMO_TEST_PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


# --- 4. nobody escalates ------------------------------------------------------------------


def test_nobody_changes_their_own_roles_or_sites(data_manager, data_manager_client, site):
    with pytest.raises(PermissionDenied):
        services.user_access_set(
            actor=data_manager,
            user=data_manager,
            roles=[Role.DATA_MANAGER, Role.INVESTIGATOR],
            sites=[site],
            is_active=True,
        )
    assert user_roles(data_manager) == [Role.DATA_MANAGER]
    own_page = reverse("accounts:user_access", args=[data_manager.pk])
    assert data_manager_client.get(own_page).status_code == 404
    assert own_page not in data_manager_client.get(reverse("accounts:user_list")).content.decode()
    for url in (
        reverse("accounts:user_password_reset", args=[data_manager.pk]),
        reverse("accounts:user_mfa_reset", args=[data_manager.pk]),
    ):
        assert data_manager_client.post(url, {"password": NEW_PASSWORD}).status_code == 404


def test_a_user_with_any_site_not_the_data_managers_is_not_theirs(
    data_manager, data_manager_client, make_user, site, other_site
):
    roaming = make_user(Role.INVESTIGATOR, [site, other_site], username="roaming")
    own = make_user(Role.SITE_COORDINATOR, [site], username="own")
    listing = data_manager_client.get(reverse("accounts:user_list")).context["users"]
    assert "own" in {u.username for u in listing}
    assert "roaming" not in {u.username for u in listing}
    for url, data in (
        (reverse("accounts:user_access", args=[roaming.pk]), {"roles": ["monitor"]}),
        (reverse("accounts:user_password_reset", args=[roaming.pk]), {"password": NEW_PASSWORD}),
        (reverse("accounts:user_mfa_reset", args=[roaming.pk]), {}),
    ):
        assert data_manager_client.get(url).status_code in (404, 405)
        assert data_manager_client.post(url, data).status_code == 404
    roaming.refresh_from_db()
    assert roaming.check_password(DEMO_TEST_PASSWORD)
    assert TOTPDevice.objects.filter(user=roaming).exists()
    with pytest.raises(PermissionDenied):
        services.user_password_reset(actor=data_manager, user=roaming, password=NEW_PASSWORD)
    with pytest.raises(PermissionDenied):
        services.user_mfa_reset(actor=data_manager, user=roaming)
    assert services.user_password_reset(actor=data_manager, user=own, password=NEW_PASSWORD) is None


def test_a_user_without_a_site_belongs_to_the_data_manager_who_created_them(
    data_manager, data_manager_client, make_user, other_site
):
    response = data_manager_client.post(
        reverse("accounts:user_create"),
        {
            "username": "siteless",
            "first_name": "No",
            "last_name": "Site",
            "email": "ns@example.org",
            "password": "a-long-enough-passphrase-77",
            "roles": ["monitor"],
        },
    )
    assert response.status_code == 302
    orphan = make_user(Role.MONITOR, [], username="orphan")  # created by nobody here
    names = {
        u.username for u in data_manager_client.get(reverse("accounts:user_list")).context["users"]
    }
    assert "siteless" in names
    assert "orphan" not in names
    assert (
        data_manager_client.get(reverse("accounts:user_access", args=[orphan.pk])).status_code
        == 404
    )


def test_nobody_becomes_superuser_or_staff_through_the_app(data_manager, site):
    user = services.user_create(
        actor=data_manager,
        username="plain",
        password="a-long-enough-passphrase-77",
        roles=[Role.DATA_MANAGER],
        sites=[site],
    )
    assert not user.is_superuser
    assert not user.is_staff
    superuser = User.objects.create_superuser("root", "r@example.org", "x-long-password-1")
    SiteMembership.objects.create(user=superuser, site=site)
    with pytest.raises(PermissionDenied):
        services.user_password_reset(actor=data_manager, user=superuser, password=NEW_PASSWORD)


def test_create_data_manager_makes_the_first_data_manager_once(db, monkeypatch):
    monkeypatch.setenv("DATA_MANAGER_PASSWORD", "first-manager-passphrase-1")
    out = StringIO()
    call_command(
        "create_data_manager",
        "--username=zhou",
        "--site-code=01",
        "--site-name=Guangzhou",
        stdout=out,
    )
    zhou = User.objects.get(username="zhou")
    assert not zhou.is_superuser
    assert not zhou.is_staff
    assert not zhou.password_change_required
    assert user_roles(zhou) == [Role.DATA_MANAGER]
    assert list(zhou.memberships.values_list("site__code", flat=True)) == ["01"]
    assert _kinds(zhou) == ["user_created", "role_granted", "membership_added"]
    with pytest.raises(CommandError, match="Users page"):
        call_command("create_data_manager", "--username=second", "--site-code=01")
    assert not User.objects.filter(username="second").exists()


def test_create_data_manager_asks_the_password_twice(db, monkeypatch):
    monkeypatch.delenv("DATA_MANAGER_PASSWORD", raising=False)
    answers = iter(["first-manager-passphrase-1", "a-different-one-2"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="differ"):
        call_command("create_data_manager", "--username=zhou", "--site-code=01", "--site-name=G")
    assert not User.objects.filter(username="zhou").exists()


# --- 5. passwords nobody else knows -------------------------------------------------------


def _create_coordinator(data_manager_client, site, password="nebuliser-morning-shift-7"):
    response = data_manager_client.post(
        reverse("accounts:user_create"),
        {
            "username": "li.na",
            "first_name": "Li",
            "last_name": "Na",
            "email": "li.na@example.org",
            "password": password,
            "roles": ["site_coordinator"],
            "sites": [site.pk],
        },
    )
    assert response.status_code == 302
    return User.objects.get(username="li.na")


def test_a_new_account_changes_its_password_before_anything_else(data_manager_client, site):
    user = _create_coordinator(data_manager_client, site)
    assert user.password_change_required
    c = Client()
    assert _password_login(c, "li.na", "nebuliser-morning-shift-7").status_code == 302
    for url in (reverse("portal:home"), reverse("enrollment:screening_log")):
        response = c.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:password_change")
    page = c.get(reverse("accounts:password_change"))
    assert page.status_code == 200
    assert b"set by someone else" in page.content
    same = c.post(
        reverse("accounts:password_change"),
        {
            "old_password": "nebuliser-morning-shift-7",
            "new_password1": "nebuliser-morning-shift-7",
            "new_password2": "nebuliser-morning-shift-7",
        },
    )
    assert "not the one you have now" in " ".join(same.context["form"].errors["new_password2"])
    changed = c.post(
        reverse("accounts:password_change"),
        {
            "old_password": "nebuliser-morning-shift-7",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 302
    user.refresh_from_db()
    assert not user.password_change_required
    assert c.get(reverse("portal:home")).status_code == 200
    assert "password_changed" in _kinds(user)


def test_logout_stays_reachable_while_the_password_must_change(data_manager_client, site):
    _create_coordinator(data_manager_client, site)
    c = Client()
    _password_login(c, "li.na", "nebuliser-morning-shift-7")
    response = c.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")


def test_a_reset_by_the_data_manager_is_logged_and_must_be_changed(
    data_manager, data_manager_client, coordinator
):
    url = reverse("accounts:user_password_reset", args=[coordinator.pk])
    assert data_manager_client.get(url).status_code == 200
    weak = data_manager_client.post(url, {"password": "short"})
    assert weak.status_code == 200
    assert weak.context["form"].errors["password"]
    assert data_manager_client.post(url, {"password": "temporary-passphrase-55"}).status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.password_change_required
    event = AccessEvent.objects.get(user=coordinator, kind="password_reset")
    assert event.actor == data_manager
    c = Client()
    assert _password_login(c, "coordinator", "temporary-passphrase-55").status_code == 302
    assert c.get(reverse("portal:home"))["Location"] == reverse("accounts:password_change")


def test_the_signing_service_refuses_a_user_who_must_change_their_password(
    investigator, subject_on_day_6, coordinator
):
    from safety.models import AdverseEvent
    from safety.services import adverse_events, signatures

    ae = adverse_events.adverse_event_record(
        ae=AdverseEvent(
            subject=subject_on_day_6,
            aeterm="Cough",
            aestdtc=subject_on_day_6.day1,
            ongoing=True,
            aetoxgr=1,
            aerel="NOT RELATED",
            aeacn="DOSE NOT CHANGED",
            aeout="RECOVERING/RESOLVING",
        ),
        user=coordinator,
    )
    investigator.password_change_required = True
    investigator.save()
    with pytest.raises(PermissionDenied, match="change it before you sign"):
        signatures.adverse_event_sign(
            ae=ae,
            signer=investigator,
            username="investigator",
            password=DEMO_TEST_PASSWORD,
            request=RequestFactory().post("/"),
        )
    assert not ae.signatures.exists()


# --- 6. two factors -----------------------------------------------------------------------


def _url_patterns(resolver=None, prefix=""):
    """(name, pattern) of every named URL, namespaces included."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            yield from _url_patterns(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{prefix}{p.name}", p


def _dummy_url(name, pattern):
    converters = pattern.pattern.converters
    kwargs = {
        key: 1 if type(conv).__name__ == "IntConverter" else "x" for key, conv in converters.items()
    }
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("role", [Role.INVESTIGATOR, Role.DATA_MANAGER])
def test_every_page_sends_an_unenrolled_investigator_or_data_manager_to_enrolment(
    role, make_user, site
):
    user = make_user(role, [site], username="fresh", enrolled=False)
    c = login(Client(), user)
    enrol = reverse("accounts:mfa_enrol")
    open_pages = {
        "accounts:mfa_enrol",
        "accounts:mfa_verify",
        "accounts:logout",
        "set_language",
        "accounts:language_set",  # choosing a language stays open during enrolment
    }
    crawled = 0
    for name, pattern in _url_patterns():
        if name in open_pages:
            continue
        url = _dummy_url(name, pattern)
        response = c.get(url)
        assert response.status_code == 302, (name, url, response.status_code)
        assert response["Location"].startswith(enrol), (name, response["Location"])
        crawled += 1
    assert crawled > 50


def test_a_coordinator_needs_no_second_factor(coordinator):
    c = Client()
    _password_login(c, "coordinator")
    assert c.get(reverse("portal:home")).status_code == 200


def test_enrolment_with_a_real_code_shows_recovery_codes_once(make_user, site):
    user = make_user(Role.INVESTIGATOR, [site], username="fresh", enrolled=False)
    c = Client()
    _password_login(c, "fresh")
    page = c.get(reverse("accounts:mfa_enrol"))
    assert page.status_code == 200
    assert b"<svg" in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert page.context["secret"].encode() in page.content
    wrong = c.post(reverse("accounts:mfa_enrol"), {"code": "000000"})
    assert wrong.context["form"].errors["code"]
    code = f"{totp(device.bin_key):06d}"
    done = c.post(reverse("accounts:mfa_enrol"), {"code": code})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10
    assert c.get(reverse("portal:home")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert "mfa_enrolled" in _kinds(user)
    # the codes are not shown again
    assert c.get(reverse("accounts:mfa_enrol")).status_code == 302
    assert StaticToken.objects.filter(device__user=user).count() == 10


def test_an_enrolled_investigator_types_the_code_at_sign_in(investigator):
    c = Client()
    _password_login(c, "investigator")
    home = c.get(reverse("portal:home"))
    assert home["Location"].startswith(reverse("accounts:mfa_verify"))
    # until the code is typed, no menu leads anywhere
    page = c.get(home["Location"])
    assert b'href="/subjects/"' not in page.content
    response = c.post(
        reverse("accounts:mfa_verify"), {"code": totp_code(investigator), "next": "/subjects/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/subjects/"
    home = c.get(reverse("portal:home"))
    assert home.status_code == 200
    assert b'href="/subjects/"' in home.content
    assert _kinds(investigator)[-2:] == ["login", "mfa_verified"]


def test_a_recovery_code_works_once(investigator):
    from trial_edc.accounts.mfa import recovery_codes_replace

    code = recovery_codes_replace(investigator)[0]
    c = Client()
    _password_login(c, "investigator")
    assert c.post(reverse("accounts:mfa_verify"), {"code": code}).status_code == 302
    assert c.get(reverse("portal:home")).status_code == 200
    assert "recovery_code_used" in _kinds(investigator)
    again = Client()
    _password_login(again, "investigator")
    refused = again.post(reverse("accounts:mfa_verify"), {"code": code})
    assert refused.status_code == 200
    assert "not correct" in " ".join(refused.context["form"].errors["code"])


def test_five_wrong_codes_lock_the_account_and_sign_out(investigator):
    c = Client()
    _password_login(c, "investigator")
    for _ in range(4):
        response = c.post(reverse("accounts:mfa_verify"), {"code": "123456"})
        assert response.status_code == 200
    fifth = c.post(reverse("accounts:mfa_verify"), {"code": "123456"})
    assert fifth.status_code == 429
    assert "_auth_user_id" not in c.session
    assert _password_login(Client(), "investigator").status_code == 429
    kinds = _kinds(investigator)
    assert kinds.count("login_failed") >= 5  # the 5 codes, and the password while locked
    assert "locked_out" in kinds
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        assert _password_login(Client(), "investigator").status_code == 302


def test_wrong_codes_and_passwords_add_up_across_sign_ins(investigator):
    for _ in range(2):
        _password_login(Client(), "investigator", "wrong-password")
    c = Client()
    _password_login(c, "investigator")  # the password alone does not forgive the failures
    for _ in range(2):
        c.post(reverse("accounts:mfa_verify"), {"code": "123456"})
    assert c.post(reverse("accounts:mfa_verify"), {"code": "123456"}).status_code == 429


def test_a_data_manager_resets_a_lost_authenticator(
    data_manager, data_manager_client, investigator
):
    response = data_manager_client.post(reverse("accounts:user_mfa_reset", args=[investigator.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=investigator).exists()
    event = AccessEvent.objects.get(user=investigator, kind="mfa_reset")
    assert event.actor == data_manager
    c = Client()
    _password_login(c, "investigator")
    assert c.get(reverse("portal:home"))["Location"].startswith(reverse("accounts:mfa_enrol"))


# --- signatures: identification code and password ---------------------------------------


def test_the_first_signature_of_a_session_asks_username_then_only_the_password(
    investigator_client, subject_on_day_6, coordinator
):
    from safety.models import AdverseEvent
    from safety.services import adverse_events

    def ae(term):
        return adverse_events.adverse_event_record(
            ae=AdverseEvent(
                subject=subject_on_day_6,
                aeterm=term,
                aestdtc=subject_on_day_6.day1,
                ongoing=True,
                aetoxgr=1,
                aerel="NOT RELATED",
                aeacn="DOSE NOT CHANGED",
                aeout="RECOVERING/RESOLVING",
            ),
            user=coordinator,
        )

    first, second = ae("Cough"), ae("Headache")
    url = reverse("safety:to_sign")
    assert "username" in investigator_client.get(url).context["form"].fields
    missing = investigator_client.post(
        url, {"adverse_events": [first.pk], "password": DEMO_TEST_PASSWORD}
    )
    assert missing.context["form"].errors["username"]
    other = investigator_client.post(
        url,
        {"adverse_events": [first.pk], "username": "coordinator", "password": DEMO_TEST_PASSWORD},
    )
    assert "not the username" in other.context["form"].errors["username"][0]
    assert not first.signatures.exists()
    signed = investigator_client.post(
        url,
        {"adverse_events": [first.pk], "username": "investigator", "password": DEMO_TEST_PASSWORD},
    )
    assert signed.status_code == 302
    assert "username" not in investigator_client.get(url).context["form"].fields
    again = investigator_client.post(
        url, {"adverse_events": [second.pk], "password": DEMO_TEST_PASSWORD}
    )
    assert again.status_code == 302
    assert second.signatures.exists()


# --- 7. idle means idle -------------------------------------------------------------------


def test_automatic_refreshes_do_not_keep_the_session_alive(monitor_client):
    url = reverse("safety:safety_reports")
    start = timezone.now()
    for minutes in range(5, 30, 5):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert monitor_client.get(url + "?auto_refresh=1").status_code == 200
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        response = monitor_client.get(url + "?auto_refresh=1")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_a_real_request_still_counts_as_activity(monitor_client):
    url = reverse("safety:safety_reports")
    start = timezone.now()
    with time_machine.travel(start + timedelta(minutes=20), tick=False):
        assert monitor_client.get(url).status_code == 200
    with time_machine.travel(start + timedelta(minutes=45), tick=False):
        assert monitor_client.get(url + "?auto_refresh=1").status_code == 200


def test_the_reports_page_marks_its_refresh(monitor_client, monitor, site):
    from safety.reports import cumulative_report_queue

    cumulative_report_queue(site_codes=["01"], requested_by=monitor)
    content = monitor_client.get(reverse("safety:safety_reports")).content.decode()
    assert 'http-equiv="refresh" content="5;url=/' in content
    assert "auto_refresh=1" in content


# --- 8. the client's address --------------------------------------------------------------


def _request(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "198.51.100.7", None, "198.51.100.7"),
        (0, "198.51.100.7", "6.6.6.6", "198.51.100.7"),  # no proxy: the header is the client's
        (1, "10.0.0.2", "203.0.113.5", "203.0.113.5"),
        (1, "10.0.0.2", "6.6.6.6, 7.7.7.7, 203.0.113.5", "203.0.113.5"),  # spoofed entries
        (1, "10.0.0.2", None, "10.0.0.2"),  # not through the proxy
        (1, "10.0.0.2", "not-an-address", "10.0.0.2"),
        (2, "10.0.0.2", "6.6.6.6, 203.0.113.5, 10.0.0.3", "203.0.113.5"),
    ],
)
def test_client_address_behind_trusted_proxies(proxies, remote, forwarded, expected):
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_ip(_request(remote, forwarded)) == expected


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_access_log_and_lockout_use_the_same_address(coordinator):
    c = Client(HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    c.post(reverse("accounts:login"), {"username": "coordinator", "password": "wrong"})
    from axes.models import AccessAttempt

    assert AccessEvent.objects.get(kind="login_failed").ip_address == "203.0.113.5"
    assert AccessAttempt.objects.get().ip_address == "203.0.113.5"
