"""In headless Chromium, the journey of a new investigator's account (21 CFR 11.300): the data
manager creates it with an initial password; at first sign-in the investigator must choose their
own password, then add an authenticator app and keep the recovery codes; later sign-ins ask the
app's code, and a lost phone is reset by the data manager."""

from base64 import b32decode

import pytest
from django_otp.oath import totp

from tests.conftest import browser_login
from trial_edc.accounts.models import AccessEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INITIAL = "given-by-the-dm-2026"
OWN = "only-wang-knows-this-1"


def _code_from_page(page) -> str:
    key = page.get_by_test_id("mfa-secret").inner_text().strip().replace(" ", "")
    return f"{totp(b32decode(key)):06d}"


def test_a_new_investigator_chooses_a_password_and_enrols_an_authenticator(
    page, data_manager, site
):
    # the data manager creates the account
    browser_login(page, "datamanager")
    page.goto("/users/new/")
    page.get_by_label("Username").fill("wang.fang")
    page.get_by_label("First name").fill("Fang")
    page.get_by_label("Last name").fill("Wang")
    page.get_by_label("E-mail").fill("wang.fang@example.org")
    page.get_by_label("Initial password").fill(INITIAL)
    page.get_by_label("Investigator").check()
    page.get_by_label(str(site)).check()
    page.get_by_role("button", name="Save").click()
    assert "wang.fang created" in page.locator(".alert-success").inner_text()

    # the investigator signs in with the password somebody else set
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("wang.fang")
    page.get_by_label("Password").fill(INITIAL)
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_test_id("password-change-required").is_visible()
    page.goto("/screenings/")  # any other page leads back here
    assert page.get_by_test_id("password-change-required").is_visible()
    page.locator("#id_old_password").fill(INITIAL)
    page.locator("#id_new_password1").fill(OWN)
    page.locator("#id_new_password2").fill(OWN)
    page.get_by_role("button", name="Change password").click()

    # then adds an authenticator app
    assert "/accounts/mfa/enrol/" in page.url
    assert page.get_by_test_id("mfa-qr").locator("svg").count() == 1
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Confirm").click()
    assert page.locator(".invalid-feedback").first.is_visible()
    page.get_by_label("Code").fill(_code_from_page(page))
    page.get_by_role("button", name="Confirm").click()
    codes = page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    assert len(codes) == 10
    page.screenshot(path="test-artifacts/recovery-codes.png", full_page=True)
    page.get_by_role("link", name="I have kept them, continue").click()
    assert "Investigator" in page.get_by_test_id("whoami").inner_text()

    # a later sign-in asks the code; a recovery code works once
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("wang.fang")
    page.get_by_label("Password").fill(OWN)
    page.get_by_role("button", name="Sign in").click()
    assert "/accounts/mfa/verify/" in page.url
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    assert "Investigator" in page.get_by_test_id("whoami").inner_text()
    assert page.console_errors == []

    kinds = set(AccessEvent.objects.filter(username="wang.fang").values_list("kind", flat=True))
    assert {"user_created", "password_changed", "login"} <= kinds
