"""In headless Chromium: a coordinator records an SAE; the investigator signs it from the
to-sign queue; the monitor downloads the safety listing."""

import pytest

from portal.demo.enrollment import enrolled_subject
from tests.conftest import browser_login
from tests.factories import DEMO_TEST_PASSWORD
from trial_edc.accounts.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sae_recorded_signed_and_listed(browser, live_server, site, role_users, tmp_path):
    subject = enrolled_subject(
        site=site,
        coordinator=role_users[Role.SITE_COORDINATOR],
        investigator=role_users[Role.INVESTIGATOR],
    )

    def as_user(username):
        context = browser.new_context(base_url=live_server.url, accept_downloads=True)
        page = context.new_page()
        browser_login(page, username)
        return context, page

    context, page = as_user("coordinator")
    page.goto(f"/subjects/{subject.pk}/adverse-events/")
    page.get_by_role("link", name="Record adverse event").click()
    page.get_by_label("Adverse event term").fill("Pneumonia")
    page.get_by_label("Onset date").fill(subject.day1.isoformat())
    page.get_by_label("Ongoing").check()
    page.get_by_label("CTCAE grade").select_option("3")
    page.get_by_label("Serious").check()
    page.get_by_label("Requires or prolongs hospitalisation").check()
    page.get_by_label("Relationship to MSC-exos-P1").select_option("UNLIKELY RELATED")
    page.get_by_label("Action taken with study treatment").select_option("DRUG INTERRUPTED")
    page.get_by_label("Outcome").select_option("RECOVERING/RESOLVING")
    page.get_by_role("button", name="Save").click()
    assert "Adverse event saved" in page.locator(".alert-success").inner_text()
    assert "left" in page.get_by_test_id("sae-clock").inner_text()  # the 24-hour clock runs
    context.close()

    context, page = as_user("investigator")
    page.get_by_role("link", name="To sign", exact=True).click()
    page.get_by_label("Pneumonia", exact=False).check()
    # the first signature of the session: username and password (21 CFR 11.200)
    page.get_by_label("Your username").fill("investigator")
    page.get_by_label("Your password").fill(DEMO_TEST_PASSWORD)
    page.get_by_role("button", name="Sign", exact=True).click()
    assert "1 adverse event(s) signed" in page.locator(".alert-success").inner_text()
    assert page.get_by_test_id("to-sign-count").inner_text() == "0"
    context.close()

    context, page = as_user("monitor")
    page.get_by_test_id("menu-reports").click()
    page.get_by_role("link", name="Listings", exact=True).click()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download PDF").click()
    path = tmp_path / "listing.pdf"
    download_info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    context.close()


def test_ctcae_pick_list_is_searchable(page, site, role_users):
    from safety.ctcae import ctcae_load
    from safety.models import CtcaeTerm

    if not CtcaeTerm.objects.exists():  # flushed by an earlier transactional test
        ctcae_load(CtcaeTerm)
    subject = enrolled_subject(
        site=site,
        coordinator=role_users[Role.SITE_COORDINATOR],
        investigator=role_users[Role.INVESTIGATOR],
    )
    browser_login(page, "coordinator")
    page.goto(f"/subjects/{subject.pk}/adverse-events/new/")
    page.get_by_placeholder("Search CTCAE terms or SOC").fill("pneumonit")
    visible = page.locator("#id_ctcae_term option:not([hidden])").all_inner_texts()
    assert "Pneumonitis" in visible
    assert "Cough" not in visible
    page.locator("#id_ctcae_term").select_option(label="Pneumonitis")
    assert page.console_errors == []
