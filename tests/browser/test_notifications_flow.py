"""In headless Chromium: a coordinator opens their notifications and chooses a digest."""

import pytest

from tests.conftest import browser_login
from trial_edc.notifications.models import NotificationPreference

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_turns_a_reminder_off_and_chooses_the_daily_digest(page, coordinator):
    browser_login(page, "coordinator")
    page.get_by_role("link", name="Notifications", exact=True).click()
    assert "Each reminder is e-mailed on its own." in page.content()
    page.get_by_role("link", name="Preferences").click()
    page.get_by_label("Today's dose").uncheck()
    page.get_by_label("One daily digest instead of single e-mails").check()
    page.get_by_role("button", name="Save preferences").click()
    assert "Your notification preferences are saved." in page.locator(".alert-success").inner_text()
    assert "one daily digest" in page.content()
    pref = NotificationPreference.objects.get(user=coordinator)
    assert (pref.email_off, pref.daily_digest) == (["dose_today"], True)
    assert page.console_errors == []
