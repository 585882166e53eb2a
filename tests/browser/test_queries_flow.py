"""In headless Chromium: a monitor raises a query on a vital sign from the subject's page;
the coordinator sees the badge next to the field, answers and corrects the value; the
monitor sees the value then and now and closes the query."""

import pytest

from tests.conftest import browser_login
from tests.datamanagement.queries_helpers import new_vitals
from trial_edc.accounts.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_monitor_raises_coordinator_answers_monitor_closes(browser, live_server, site, role_users):
    from portal.demo.enrollment import enrolled_subject

    coordinator = role_users[Role.SITE_COORDINATOR]
    subject = enrolled_subject(
        site=site, coordinator=coordinator, investigator=role_users[Role.INVESTIGATOR]
    )
    vitals = new_vitals(subject, coordinator)

    def as_user(username):
        context = browser.new_context(base_url=live_server.url)
        page = context.new_page()
        browser_login(page, username)
        return context, page

    context, page = as_user("monitor")
    page.goto(f"/subjects/{subject.pk}/")
    page.get_by_test_id("subject-records-link").click()
    page.get_by_role("link", name="Vital signs", exact=False).first.click()
    page.get_by_label("Item").select_option("hr")
    page.get_by_label("Question").fill("Heart rate 88 while febrile? Please check the source.")
    page.get_by_role("button", name="Raise the query").click()
    assert "Query raised" in page.locator(".alert-success").inner_text()
    query_url = page.url
    context.close()

    context, page = as_user("coordinator")
    page.get_by_test_id("worklist-queries_to_answer").get_by_role("link").first.click()
    page.get_by_label("Text").fill("Source says 98; corrected.")
    page.get_by_test_id("query-answer").click()
    assert page.get_by_test_id("query-state").inner_text() == "Answered"
    page.goto(f"/subjects/{subject.pk}/vitals/{vitals.pk}/")
    assert "1 answered query" in page.get_by_test_id("field-query-badge").inner_text()
    page.get_by_label("Heart rate", exact=False).fill("98")
    page.get_by_label("Reason for change").fill("Transcription error (query)")
    page.get_by_role("button", name="Save").click()
    context.close()

    context, page = as_user("monitor")
    page.goto(query_url)
    assert page.get_by_test_id("value-then").inner_text() == "88"
    assert page.get_by_test_id("value-now").inner_text() == "98"
    page.get_by_test_id("query-close").click()
    assert page.get_by_test_id("query-state").inner_text() == "Closed"
    assert page.get_by_test_id("query-message").count() == 3
    context.close()
