"""In headless Chromium, issue 12's acceptance: a subject on day 10 has a signed AE that
becomes fatal at a follow-up; the coordinator records the death; the subject shows died,
reminders stop, the CONSORT flow counts the death, and the monitor's listing shows grade 5 /
Fatal with the signature voided until the investigator signs again."""

from datetime import timedelta

import pytest

from enrollment.models import Subject, SubjectVisit
from portal.demo.enrollment import enrolled_subject
from portal.demo.treatment import serious_pneumonia
from safety.models import AdverseEventSignature
from safety.services.adverse_events import adverse_event_record
from tests.conftest import browser_login
from tests.factories import DEMO_TEST_PASSWORD
from tests.safety.test_listings import pdf_text
from trial_edc.accounts.roles import Role
from trial_edc.core.clock import site_today
from trial_edc.notifications import reminders
from trial_edc.notifications.services import content_type_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_fatal_follow_up_and_the_death_reach_every_page(
    browser, live_server, site, role_users, tmp_path
):
    coordinator = role_users[Role.SITE_COORDINATOR]
    day1 = site_today(site) - timedelta(days=9)  # today is day 10
    subject = enrolled_subject(
        site=site,
        coordinator=coordinator,
        investigator=role_users[Role.INVESTIGATOR],
        day1=day1,
        screening_date=day1 - timedelta(days=2),
    )
    ae = adverse_event_record(
        ae=serious_pneumonia(subject, aestdtc=day1 + timedelta(days=4)), user=coordinator
    )

    def as_user(username):
        context = browser.new_context(base_url=live_server.url, accept_downloads=True)
        page = context.new_page()
        browser_login(page, username)
        return context, page

    def sign_as_investigator():
        context, page = as_user("investigator")
        page.get_by_role("link", name="To sign", exact=True).click()
        page.get_by_label("Pneumonia", exact=False).check()
        # the first signature of the session: username and password (21 CFR 11.200)
        page.get_by_label("Your username").fill("investigator")
        page.get_by_label("Your password").fill(DEMO_TEST_PASSWORD)
        page.get_by_role("button", name="Sign", exact=True).click()
        assert "1 adverse event(s) signed" in page.locator(".alert-success").inner_text()
        context.close()

    sign_as_investigator()

    # the coordinator: a fatal follow-up today, then the death from the subject's page
    today = site_today(site).isoformat()
    context, page = as_user("coordinator")
    page.goto(f"/adverse-events/{ae.pk}/")
    page.get_by_role("link", name="Add follow-up").click()
    page.locator("#id_assessed_on").fill(today)
    page.locator("#id_aetoxgr").select_option("5")
    page.locator("#id_aeout").select_option("FATAL")
    page.locator("#id_aeendtc").fill(today)
    page.get_by_role("button", name="Save").click()
    assert page.locator(".alert-danger").count() == 0, page.content()
    page.goto(f"/subjects/{subject.pk}/")
    page.get_by_test_id("record-death").click()
    page.locator("#id_died_on").fill(today)
    page.locator("#id_cause").fill("Respiratory failure from rapidly progressive ILD")
    page.locator("#id_adverse_event").select_option(str(ae.pk))
    page.get_by_role("button", name="Save").click()
    assert "is recorded" in page.locator(".alert-success").inner_text()
    assert "Died" in page.locator("h1").inner_text()
    page.goto("/enrolment-summary/")
    assert page.get_by_test_id("consort-died").inner_text().strip().endswith("1")
    context.close()

    subject.refresh_from_db()
    assert subject.status == Subject.Status.DIED
    # no reminder about the subject or its visits (a query reminder, about the site, goes on:
    # a dead subject's data is still cleaned)
    about_subject = {(content_type_id(Subject), subject.pk)} | {
        (content_type_id(SubjectVisit), pk) for pk in subject.visits.values_list("pk", flat=True)
    }
    due = reminders.reminders_due(whole_day=True)
    assert [m for m in due if (m.content_type_id, m.object_id) in about_subject] == []
    assert AdverseEventSignature.objects.get(adverse_event=ae).voided_at is not None

    # the monitor's listing: worst grade 5 (initial 3), fatal, and no valid signature
    def listing_text():
        context, page = as_user("monitor")
        page.get_by_test_id("menu-reports").click()
        page.get_by_role("link", name="Listings", exact=True).click()
        with page.expect_download() as download_info:
            page.get_by_role("button", name="Download PDF").click()
        path = tmp_path / "listing.pdf"
        download_info.value.save_as(path)
        context.close()
        return pdf_text(path.read_bytes(), tmp_path)

    text = listing_text()
    assert "5 (3)" in text
    assert "Fatal" in text
    assert "Signature: unsigned" in text

    sign_as_investigator()  # the AE is back in the investigator's queue; signed again
    assert "Signature: unsigned" not in listing_text()
