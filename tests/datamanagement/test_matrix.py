"""The subject matrix: a site's subjects × the schedule's visits, each cell its forms
(entered, missing) and what data management registers for it, each a link to the form; the
same number of SQL queries for 5 subjects as for 100."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from datamanagement.matrix.selectors import Mark, MatrixOverlay, overlays
from portal.demo.enrollment import enrolled_subject
from trial_edc.core.clock import site_today
from trial_edc.study import study

URL = reverse("datamanagement:subject_matrix")


def _enrol(site, coordinator, investigator, n, *, first=0, days_ago=40):
    today = site_today(site)
    return [
        enrolled_subject(
            site=site,
            coordinator=coordinator,
            investigator=investigator,
            screening_date=today - timedelta(days=days_ago + 3),
            day1=today - timedelta(days=days_ago),
            initials="M" + chr(65 + (first + i) % 26) + chr(65 + (first + i) // 26 % 26),
        )
        for i in range(n)
    ]


def test_each_subject_is_a_row_and_each_visit_a_cell_with_links_to_its_forms(
    monitor_client, coordinator_client, site, coordinator, investigator
):
    (subject,) = _enrol(site, coordinator, investigator, 1)
    page = monitor_client.get(URL)
    matrix = page.context["matrix"]
    assert [v.code for v in matrix.visits] == [v.code for v in study().visits]
    (row,) = matrix.rows
    assert row.subject == subject
    day14 = next(c for c in row.cells if c.code == "DAY14")
    # the window of day 14 closed weeks ago and nothing was entered: its forms are missing
    assert day14.state == "missing"
    assert all(f.missing for f in day14.forms)
    # the monitor reads the visit's page (the form pages are for entering data, issue 19.7);
    # the coordinator is taken to each form
    html = page.content.decode()
    visit_page = reverse("efficacy:visit_detail", args=[subject.pk, "DAY14"])
    for form in day14.forms:
        assert f'href="{form.url}"' not in html
        assert form.read_url == visit_page
    assert f'href="{visit_page}"' in html
    assert monitor_client.get(visit_page).status_code == 200
    html = coordinator_client.get(URL).content.decode()
    for form in day14.forms:
        assert f'href="{form.url}"' in html


def test_what_an_overlay_registers_is_shown_in_its_cell(
    monitor_client, site, coordinator, investigator
):
    _enrol(site, coordinator, investigator, 1)
    overlay = overlays.register(
        MatrixOverlay(
            "test.queries",
            lambda ids: {(i, "DAY14"): [Mark("2 open queries", "warning")] for i in ids},
        )
    )
    try:
        html = monitor_client.get(URL).content.decode()
    finally:
        overlays._entries.pop(overlay.key)
    assert "2 open queries" in html


def test_another_sites_matrix_is_not_shown(monitor_client, other_site):
    assert monitor_client.get(URL + f"?site={other_site.code}").status_code == 404


@pytest.mark.parametrize("many", [100])
def test_the_matrix_runs_the_same_queries_for_5_and_100_subjects(
    many, monitor_client, site, coordinator, investigator
):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert monitor_client.get(URL).status_code == 200
        return len(captured)

    _enrol(site, coordinator, investigator, 5)
    queries()
    few = queries()
    _enrol(site, coordinator, investigator, many - 5, first=5)
    assert queries() == few


def test_queries_verification_sign_off_and_locks_mark_their_cells(
    monitor, monitor_client, data_manager, site, coordinator, investigator
):
    from datamanagement.locks import services as lock_services
    from datamanagement.models.locks import Level
    from datamanagement.queries.services import query_raise
    from enrollment.models import SubjectVisit

    (subject,) = _enrol(site, coordinator, investigator, 1)
    visit = SubjectVisit.objects.get(subject=subject, code="DAY14")
    query_raise(user=monitor, record=visit, field="visit_date", text="Date of the visit?")
    lock_services.change_lock(
        user=data_manager, action="freeze", level=Level.VISIT, visit=visit, subject=subject
    )
    matrix = monitor_client.get(URL).context["matrix"]
    (row,) = matrix.rows
    day14 = next(c for c in row.cells if c.code == "DAY14")
    labels = [m.label for m in day14.marks]
    assert "1 open queries" in labels
    assert "frozen" in labels
