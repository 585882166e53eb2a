"""In headless Chromium: from the dashboard a coordinator records day 1's dose and vitals,
is refused an impossible SpO2, corrects a saved value with a reason, and the audit trail
shows the change."""

from datetime import timedelta

import pytest

from portal.demo.enrollment import enrolled_subject
from tests.conftest import browser_login
from trial_edc.core.clock import site_today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_record_day_1_dose_and_vitals_and_correct_with_a_reason(page, site, role_users):
    from trial_edc.accounts.roles import Role

    today = site_today(site)
    subject = enrolled_subject(
        site=site,
        coordinator=role_users[Role.SITE_COORDINATOR],
        investigator=role_users[Role.INVESTIGATOR],
        screening_date=today - timedelta(days=1),
        day1=today,
    )
    browser_login(page, "coordinator")
    page.goto(f"/subjects/{subject.pk}/")
    page.get_by_test_id("dose-strip").get_by_role("link").first.click()  # day 1
    page.get_by_role("link", name="Record dose").click()
    page.get_by_label("Start time").fill("09:05")
    page.get_by_label("Stop time").fill("09:25")
    page.get_by_label("Nebulizer device").fill("Aerogen Solo")
    page.get_by_label("Product lot").fill("MSC-2026-11")
    page.get_by_label("SpO2 before dose (%)").fill("95")
    page.get_by_label("SpO2 after dose (%)").fill("94")
    page.get_by_role("button", name="Save").click()
    assert "Dose of day 1 saved" in page.locator(".alert-success").inner_text()
    assert "Completed" in page.get_by_test_id("day-dose").inner_text()

    page.get_by_role("link", name="Add vital signs").click()
    page.get_by_label("Temperature (°C)").fill("37.1")
    page.get_by_label("Heart rate (beats/min)").fill("86")
    page.get_by_label("Respiratory rate (breaths/min)").fill("20")
    page.get_by_label("Systolic BP (mmHg)").fill("122")
    page.get_by_label("Diastolic BP (mmHg)").fill("76")
    page.get_by_label("SpO2 (%)").fill("101")
    page.get_by_role("button", name="Save").click()
    error = page.locator("#id_oxysat + .invalid-feedback, .invalid-feedback").first
    assert "Oxygen saturation (SpO2) must be between 50 and 100" in error.inner_text()

    page.get_by_label("SpO2 (%)").fill("96")
    page.get_by_role("button", name="Save").click()
    assert "Vital signs saved" in page.locator(".alert-success").inner_text()

    page.get_by_test_id("day-vitals").get_by_role("link", name="Edit").first.click()
    page.get_by_label("SpO2 (%)").fill("93")
    page.get_by_label("Reason for change").fill("Re-measured: probe repositioned")
    page.get_by_role("button", name="Save").click()
    assert "93↓" in page.get_by_test_id("day-vitals").inner_text()  # below the normal 94

    page.get_by_test_id("day-vitals").get_by_role("link", name="Audit").first.click()
    trail = page.get_by_test_id("audit-trail").inner_text()
    assert "Re-measured: probe repositioned" in trail
    assert "96" in trail and "93" in trail
    page.screenshot(path="test-artifacts/vitals-audit.png", full_page=True)
    page.goto(f"/subjects/{subject.pk}/")
    page.screenshot(path="test-artifacts/dashboard-treatment.png", full_page=True)
    assert page.console_errors == []
