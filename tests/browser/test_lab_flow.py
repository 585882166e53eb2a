"""In headless Chromium: the coordinator enters day-7 safety labs with ALT at 6 x ULN (the
baseline normal); the day's panel shows grade 3 with its explanation; the investigator
confirms it as an AE from the proposal on the home page; the AE appears in the AE listing with
grade 3 and its CTCAE term."""

from datetime import timedelta

import pytest

from portal.demo.enrollment import enrolled_subject
from portal.demo.labs import dose_given, lab_ranges_seed, safety_lab_panel
from tests.conftest import browser_login
from trial_edc.accounts.roles import Role
from trial_edc.core.clock import site_today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_alt_six_times_uln_on_day_7_is_graded_3_and_confirmed_as_an_ae(
    browser, live_server, site, role_users
):
    from safety.ctcae import ctcae_load
    from safety.models import CtcaeTerm

    if not CtcaeTerm.objects.exists():  # flushed by an earlier transactional test
        ctcae_load(CtcaeTerm)
    coordinator = role_users[Role.SITE_COORDINATOR]
    day1 = site_today(site) - timedelta(days=7)  # today is day 8: day 7 was yesterday
    subject = enrolled_subject(
        site=site,
        coordinator=coordinator,
        investigator=role_users[Role.INVESTIGATOR],
        screening_date=day1 - timedelta(days=2),
        day1=day1,
    )
    lab_ranges_seed(site, role_users[Role.DATA_MANAGER])  # ALT ULN 40 U/L
    safety_lab_panel(subject, 1, coordinator)  # the baseline before the first dose: ALT 24
    dose_given(subject, 1, coordinator)

    def as_user(username):
        context = browser.new_context(base_url=live_server.url)
        page = context.new_page()
        browser_login(page, username)
        return context, page

    context, page = as_user("coordinator")
    page.goto(f"/subjects/{subject.pk}/day/7/")
    page.get_by_role("link", name="Add safety labs").click()
    row = page.locator('tr[data-test="ALT"]')
    assert row.get_by_label("Alanine aminotransferase: ULN").input_value() == "40.000"
    page.get_by_label("Alanine aminotransferase", exact=True).fill("240")
    page.get_by_role("button", name="Save").click()
    assert "Safety laboratory saved" in page.locator(".alert-success").inner_text()
    labs = page.get_by_test_id("day-labs")
    alt = labs.locator('tr[data-test="ALT"]')
    assert alt.locator("[data-grade]").inner_text() == "grade 3"
    assert "240 U/L > 5 × ULN (40 U/L)" in alt.inner_text()
    assert "(6 × ULN)" in alt.inner_text()
    context.close()

    context, page = as_user("investigator")
    worklist = page.get_by_test_id("worklist-lab_ae_proposals")
    assert "Alanine aminotransferase increased grade 3" in worklist.inner_text()
    worklist.get_by_role("link").first.click()
    page.get_by_role("link", name="Confirm as an AE").click()
    assert page.get_by_label("CTCAE grade").input_value() == "3"
    assert page.get_by_label("Onset date").input_value() == (day1 + timedelta(days=6)).isoformat()
    page.get_by_label("Ongoing").check()
    page.get_by_label("Relationship to MSC-exos-P1").select_option("POSSIBLY RELATED")
    page.get_by_label("Action taken with study treatment").select_option("DOSE NOT CHANGED")
    page.get_by_label("Outcome").select_option("NOT RECOVERED/NOT RESOLVED")
    page.get_by_role("button", name="Save").click()
    assert "Adverse event saved" in page.locator(".alert-success").inner_text()
    page.goto("/adverse-events/")
    listing = page.locator("table").first.inner_text()
    assert "Alanine aminotransferase increased" in listing
    row = page.locator("tr", has_text="Alanine aminotransferase increased").first
    assert "3" in row.inner_text()
    context.close()
