"""In headless Chromium, data management end to end (issue 14): a monitor raises a query on a
vital sign; the coordinator answers it and corrects the value with a reason; the monitor
closes it and verifies the form; the investigator signs the casebook; the data manager locks
the subject, and a further edit is refused."""

import pytest

from tests.conftest import browser_login
from tests.datamanagement.queries_helpers import new_vitals
from tests.factories import DEMO_TEST_PASSWORD
from trial_edc.accounts.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_query_answer_correct_close_verify_sign_lock(browser, live_server, site, role_users):
    from datamanagement.models import CasebookSignature, SourceVerification
    from portal.demo.enrollment import enrolled_subject

    coordinator = role_users[Role.SITE_COORDINATOR]
    subject = enrolled_subject(
        site=site, coordinator=coordinator, investigator=role_users[Role.INVESTIGATOR]
    )
    vitals = new_vitals(subject, coordinator)
    vitals_page = f"/subjects/{subject.pk}/vitals/{vitals.pk}/"
    casebook = f"/casebook/{subject.pk}/"

    def as_user(username):
        context = browser.new_context(base_url=live_server.url)
        page = context.new_page()
        browser_login(page, username)
        return context, page

    # the monitor raises a query on the heart rate
    context, page = as_user("monitor")
    page.goto(f"/subjects/{subject.pk}/")
    page.get_by_test_id("subject-records-link").click()
    page.get_by_role("link", name="Vital signs", exact=False).first.click()
    page.get_by_label("Item").select_option("hr")
    page.get_by_label("Question").fill("Heart rate 88 while febrile? Please check the source.")
    page.get_by_role("button", name="Raise the query").click()
    query_url = page.url
    context.close()

    # the coordinator answers from the worklist and corrects the value with a reason
    context, page = as_user("coordinator")
    page.get_by_test_id("worklist-queries_to_answer").get_by_role("link").first.click()
    page.get_by_label("Text").fill("Source says 98; corrected.")
    page.get_by_test_id("query-answer").click()
    page.goto(vitals_page)
    page.get_by_label("Heart rate", exact=False).fill("98")
    page.get_by_label("Reason for change").fill("Transcription error (query)")
    page.get_by_role("button", name="Save").click()
    context.close()

    # the monitor closes the query and verifies the form from the casebook
    context, page = as_user("monitor")
    page.goto(query_url)
    assert page.get_by_test_id("value-now").inner_text() == "98"
    page.get_by_test_id("query-close").click()
    assert page.get_by_test_id("query-state").inner_text() == "Closed"
    page.goto(casebook)
    row = page.locator("tr", has_text="Vital signs").first
    row.get_by_role("button", name="Verify this form").click()
    assert SourceVerification.objects.filter(
        model_label="safety.vitalsigns", record_id=vitals.pk, changed_at__isnull=True
    ).exists()
    context.close()

    # the investigator signs the casebook: username and password at the first signing
    context, page = as_user("investigator")
    page.goto(casebook)
    page.get_by_label("Your username").fill("investigator")
    page.get_by_label("Your password").fill(DEMO_TEST_PASSWORD)
    page.get_by_role("button", name="Sign the casebook").click()
    assert page.get_by_test_id("casebook-signed").is_visible()
    assert CasebookSignature.objects.filter(subject=subject, voided_at__isnull=True).exists()
    context.close()

    # the data manager locks the subject
    context, page = as_user("datamanager")
    errors = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.goto("/locks/")
    row = page.get_by_test_id(f"subject-{subject.pk}")
    row.get_by_role("link", name="Lock", exact=True).click()
    page.get_by_label("Reason").fill("Subject's data reviewed and complete")
    page.get_by_test_id("lock-change-form").get_by_role("button").click()
    assert "locked" in page.get_by_test_id(f"subject-{subject.pk}").inner_text().lower()
    page.screenshot(path="test-artifacts/lock-console.png", full_page=True)
    assert errors == []  # no CSP violation on the console
    context.close()

    # a further edit is refused: the page says so and offers no save
    context, page = as_user("coordinator")
    page.goto(vitals_page)
    assert "locked" in page.get_by_test_id("record-lock-state").inner_text().lower()
    assert page.get_by_role("button", name="Save").count() == 0
    assert page.get_by_label("Heart rate", exact=False).is_disabled()
    page.screenshot(path="test-artifacts/locked-record.png", full_page=True)
    context.close()
    vitals.refresh_from_db()
    assert vitals.hr == 98
