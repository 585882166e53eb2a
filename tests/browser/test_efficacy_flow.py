"""In headless Chromium: a coordinator opens day 14 from the visit schedule, is asked why the
PFT was not done, records the reason and the HRCT scores, and the subject's change-from-
baseline table shows the new HRCT total and the PFT as not done."""

import re

import pytest

from efficacy import services
from efficacy.models import HrctScore
from tests.conftest import browser_login
from tests.efficacy.conftest import subject_on_day
from trial_edc.core.clock import study_day_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_day_14_pft_not_done_and_hrct_scores_reach_the_change_table(page, site, role_users):
    from trial_edc.accounts.roles import Role

    coordinator = role_users[Role.SITE_COORDINATOR]
    subject = subject_on_day(
        16, site=site, coordinator=coordinator, investigator=role_users[Role.INVESTIGATOR]
    )
    baseline = subject.visits.get(code="BASELINE")
    scores = {f"ggo_{n}": 4 for n in range(1, 7)} | {f"fib_{n}": 1 for n in range(1, 7)}
    services.hrct_record(
        hrct=HrctScore(visit=baseline, scanned_on=subject.day1, reader="Dr Zhou", **scores),
        user=coordinator,
    )  # baseline total 30

    browser_login(page, "coordinator")
    page.goto(f"/subjects/{subject.pk}/")
    page.get_by_test_id("visit-schedule").get_by_role("link", name="Day 14", exact=True).click()

    page.get_by_role("link", name="Enter pulmonary function").click()
    page.get_by_label("Not done", exact=True).check()
    page.get_by_role("button", name="Save").click()
    assert "Say why it was not done" in page.locator(".invalid-feedback").first.inner_text()
    page.get_by_label("Reason not done").select_option(label="Clinically unstable")
    page.get_by_role("button", name="Save").click()
    assert "Pulmonary function test saved" in page.locator(".alert-success").inner_text()
    assert "Clinically unstable" in page.get_by_test_id("pft-not-done").inner_text()

    page.get_by_role("link", name="Enter chest hrct score").click()
    page.get_by_label("Scan date").fill(study_day_date(subject.day1, 14).isoformat())
    page.get_by_label("Reader").fill("Dr Zhou (radiology)")
    for n, zone in enumerate(
        (
            "right upper lobe",
            "right middle lobe",
            "right lower lobe",
            "left upper lobe",
            "lingula",
            "left lower lobe",
        ),
        start=1,
    ):
        page.get_by_label(f"{zone}: ground-glass").fill("3" if n % 2 else "2")
        page.get_by_label(f"{zone}: fibrosis").fill("1")
    page.get_by_label("right upper lobe: fibrosis").fill("7")
    page.get_by_role("button", name="Save").click()
    assert "from 0 to 5" in page.locator(".invalid-feedback").first.inner_text()
    page.get_by_label("right upper lobe: fibrosis").fill("1")
    page.get_by_role("button", name="Save").click()
    assert "HRCT score saved" in page.locator(".alert-success").inner_text()

    page.get_by_role("link", name=f"Subject {subject.subject_number}").click()
    table = page.get_by_test_id("change-from-baseline")
    total = table.locator('tr[data-measure="HRCT_TOTAL"]').inner_text()
    # day 14: ground-glass 3+2+3+2+3+2 = 15, fibrosis 6: total 21, from 30 at baseline
    assert re.search(r"30\s+21\s+-9\.0 \(-30\.0%\)", total), total
    assert "not done" in table.locator('tr[data-measure="FVC_L"]').inner_text()
