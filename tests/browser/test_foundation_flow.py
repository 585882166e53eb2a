"""In headless Chromium: each role signs in to its home page; an edit asks for a reason."""

import pytest

from tests.conftest import browser_login
from trial_edc.accounts.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOME_MARKERS = {
    Role.SITE_COORDINATOR: ("coordinator", "Site coordinator", False),
    Role.INVESTIGATOR: ("investigator", "Investigator", False),
    Role.MONITOR: ("monitor", "Monitor", False),
    Role.DATA_MANAGER: ("datamanager", "Data manager", True),
}


@pytest.mark.parametrize("role", list(HOME_MARKERS), ids=lambda r: r.value)
def test_each_role_signs_in_and_sees_its_home(page, role_users, role):
    username, label, sees_admin = HOME_MARKERS[role]
    browser_login(page, username)
    assert page.url.endswith("/")
    assert label in page.get_by_test_id("whoami").inner_text()
    assert "Guangzhou" in page.get_by_test_id("home-sites").inner_text()
    page.get_by_test_id("menu-administration").click()
    assert page.get_by_role("link", name="Access log", exact=True).count() == (
        1 if sees_admin else 0
    )
    assert page.console_errors == []  # no CSP violation, nothing missing


def test_site_edit_needs_a_reason_and_the_audit_trail_shows_it(page, data_manager):
    browser_login(page, "datamanager")
    page.get_by_test_id("menu-administration").click()
    page.get_by_role("link", name="Sites", exact=True).click()
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Site name").fill("Guangzhou Institute")
    page.get_by_role("button", name="Save").click()
    error = page.locator("#id_reason_for_change + .invalid-feedback, .invalid-feedback")
    assert "Say why you are changing this record" in error.first.inner_text()

    page.get_by_label("Reason for change").fill("Official name")
    page.get_by_role("button", name="Save").click()
    assert "saved" in page.locator(".alert-success").inner_text()

    page.get_by_role("link", name="Audit trail").click()
    trail = page.get_by_test_id("audit-trail").inner_text()
    assert "Guangzhou Institute" in trail
    assert "Official name" in trail
    page.screenshot(path="test-artifacts/audit-trail.png", full_page=True)
