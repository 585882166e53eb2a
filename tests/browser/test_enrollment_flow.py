"""In headless Chromium: a coordinator screens a candidate and completes the checklist and
consent; an investigator enrols; the dashboard shows the visit schedule."""

from datetime import timedelta

import pytest

from tests.conftest import browser_login
from trial_edc.core.clock import site_today
from trial_edc.study import study

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_screen_complete_checklist_consent_and_enrol(browser, live_server, role_users, site):
    today = site_today(site)
    screened = today - timedelta(days=1)

    coordinator = browser.new_context(base_url=live_server.url)
    page = coordinator.new_page()
    browser_login(page, "coordinator")
    page.get_by_role("link", name="New screening").first.click()
    page.get_by_label("Initials").fill("lwy")
    page.get_by_label("Date of birth").fill("1971-05-20")
    page.get_by_label("Sex").select_option("F")
    page.get_by_label("Screening date").fill(screened.isoformat())
    page.get_by_role("button", name="Save").click()
    assert "Screening 01-S001 opened" in page.locator(".alert-success").inner_text()

    page.get_by_role("link", name="Complete checklist").click()
    s = study()
    for c in s.inclusion:
        page.check(f"#id_inclusion_{c.number}_0")  # yes
    for c in s.exclusion:
        page.check(f"#id_exclusion_{c.number}_1")  # no
    page.get_by_label("anti-MDA5 antibody result").select_option("POS")
    page.get_by_label("anti-MDA5 assay").fill("Line immunoblot")
    page.get_by_label("anti-MDA5 test date").fill((screened - timedelta(days=7)).isoformat())
    page.get_by_label("Date of respiratory symptom onset").fill(
        (screened - timedelta(days=30)).isoformat()
    )
    page.get_by_label("HRCT date").fill((screened - timedelta(days=3)).isoformat())
    page.get_by_label("HRCT finding supporting RP-ILD").fill("Bilateral GGO, progressing")
    page.get_by_role("button", name="Save checklist").click()
    assert "Eligibility checklist saved" in page.locator(".alert-success").inner_text()
    assert "Informed consent is not recorded yet" in page.get_by_test_id("missing").inner_text()

    page.get_by_role("link", name="Record consent").click()
    page.get_by_label("Consent form version").fill("2.1")
    page.get_by_label("Date and time signed").fill(f"{screened.isoformat()}T09:30")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_test_id("screening-status").inner_text() == "Eligible"
    assert (
        page.get_by_role("link", name="Enrol", exact=True).count() == 0
    )  # coordinators cannot enrol
    coordinator.close()

    investigator = browser.new_context(base_url=live_server.url)
    page = investigator.new_page()
    browser_login(page, "investigator")
    page.get_by_role("link", name="Screening log").first.click()
    page.get_by_role("link", name="01-S001").click()
    page.get_by_role("link", name="Enrol", exact=True).click()
    page.get_by_label("Day 1: planned first dose date").fill(today.isoformat())
    page.get_by_label("I confirm this candidate meets").check()
    page.get_by_role("button", name="Save").click()

    assert page.get_by_test_id("subject-number").inner_text() == "01-001"
    schedule = page.get_by_test_id("visit-schedule").inner_text()
    for visit in s.visits:
        assert visit.name in schedule
    assert (today + timedelta(days=13)).isoformat() in schedule  # day 14
    page.screenshot(path="test-artifacts/subject-dashboard.png", full_page=True)
    investigator.close()
