"""Where people see queries: the list of their sites with filters and aging, the query's page
(thread, value then and now, the moves of their role), the record's items with a raise form,
a badge next to the queried field on the CRF page, the subject dashboard and the home page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from datamanagement.models.queries import Query, QueryState
from datamanagement.queries import selectors, services
from safety.services.vitals import vitals_record
from tests.datamanagement.queries_helpers import new_vitals, vitals  # noqa: F401
from trial_edc.accounts.roles import Role


def _record_url(record):
    return reverse("datamanagement:record_queries", args=[record._meta.label_lower, record.pk])


def _raise(monitor, record, field="hr", text="Check"):
    return services.query_raise(user=monitor, record=record, field=field, text=text)


def test_a_monitor_raises_from_the_record_page_once(monitor_client, vitals):  # noqa: F811
    page = monitor_client.get(_record_url(vitals))
    assert page.status_code == 200
    assert 'data-testid="raise-query-form"' in page.content.decode()
    key = page.context["form"]["submission"].value()
    data = {"field": "hr", "text": "HR 88 with SpO2 95?", "submission": key}
    first = monitor_client.post(_record_url(vitals), data)
    query = Query.objects.get()
    assert first.url == reverse("datamanagement:query_detail", args=[query.pk])
    again = monitor_client.post(_record_url(vitals), data)  # a double click
    assert again.status_code == 302 and Query.objects.count() == 1


def test_a_raise_without_text_is_a_message_next_to_the_field(monitor_client, vitals):  # noqa: F811
    page = monitor_client.post(_record_url(vitals), {"field": "hr", "text": ""})
    assert page.status_code == 200 and "text" in page.context["form"].errors
    page = monitor_client.post(_record_url(vitals), {"field": "nope", "text": "?"})
    assert "field" in page.context["form"].errors
    assert not Query.objects.exists()


def test_the_site_answers_and_never_closes_on_the_query_page(
    coordinator_client,
    monitor_client,
    monitor,
    vitals,  # noqa: F811
):
    q = _raise(monitor, vitals)
    url = reverse("datamanagement:query_detail", args=[q.pk])
    page = coordinator_client.get(url).content.decode()
    assert 'data-testid="query-answer"' in page and 'data-testid="query-close"' not in page
    refused = coordinator_client.post(url, {"action": "answer", "text": ""})
    assert "text" in refused.context["form"].errors
    coordinator_client.post(url, {"action": "answer", "text": "Source says 88"})
    refused = coordinator_client.post(url, {"action": "close"})
    assert refused.status_code == 200 and refused.context["form"].non_field_errors()
    q.refresh_from_db()
    assert q.state == QueryState.ANSWERED  # the coordinator's close was refused
    page = monitor_client.get(url).content.decode()
    assert 'data-testid="query-close"' in page and 'data-testid="query-answer"' not in page
    monitor_client.post(url, {"action": "close", "text": ""})
    monitor_client.post(url, {"action": "close", "text": ""})  # sent twice
    q.refresh_from_db()
    assert q.state == QueryState.CLOSED and q.messages.count() == 3


def test_the_query_page_shows_the_value_then_and_now(
    monitor_client,
    monitor,
    coordinator,
    vitals,  # noqa: F811
):
    q = _raise(monitor, vitals)
    vitals.hr = 98
    vitals_record(vitals=vitals, user=coordinator, reason="Transcription error")
    page = monitor_client.get(reverse("datamanagement:query_detail", args=[q.pk]))
    html = page.content.decode()
    assert page.context["value_then"] == "88" and page.context["value_now"] == "98"
    assert 'data-testid="value-then">88<' in html and 'data-testid="value-now">98<' in html


def test_a_badge_next_to_the_queried_field_on_the_crf_page(
    coordinator_client,
    monitor,
    vitals,  # noqa: F811
):
    q = _raise(monitor, vitals, text="<script>alert(1)</script>")
    url = reverse("safety:vitals_edit", args=[vitals.subject_id, vitals.pk])
    page = coordinator_client.get(url)
    html = page.content.decode()
    assert html.count('data-testid="field-query-badge"') == 1
    assert "1 open query" in str(page.context["form"].fields["hr"].label)
    assert 'data-testid="record-queries"' in html
    assert "<script>alert(1)</script>" not in html  # the question is escaped
    services.query_answer(user=None, query=q, text="ok")
    html = coordinator_client.get(url).content.decode()
    assert "1 answered query" in html


def test_a_record_or_query_of_another_site_is_404(
    client_for,
    make_user,
    other_site,
    monitor,
    vitals,  # noqa: F811
):
    q = _raise(monitor, vitals)
    stranger = client_for(make_user(Role.MONITOR, [other_site], username="stranger"))
    assert stranger.get(_record_url(vitals)).status_code == 404
    assert stranger.get(reverse("datamanagement:query_detail", args=[q.pk])).status_code == 404
    assert stranger.get(reverse("datamanagement:query_list")).context["total"] == 0
    bad = reverse("datamanagement:record_queries", args=["auth.user", 1])
    assert stranger.get(bad).status_code == 404


def test_the_list_filters_by_state_age_form_and_raiser_with_aging(
    monitor_client,
    monitor,
    data_manager,
    coordinator,
    vitals,  # noqa: F811
):
    old = _raise(monitor, vitals)
    Query.objects.filter(pk=old.pk).update(raised_at=timezone.now() - timedelta(days=10))
    services.query_answer(user=coordinator, query=old, text="ok")
    Query.objects.filter(pk=old.pk).update(first_answered_at=timezone.now() - timedelta(days=7))
    services.query_close(user=monitor, query=old)
    Query.objects.filter(pk=old.pk).update(closed_at=timezone.now() - timedelta(days=4))
    subject_query = _raise(data_manager, vitals.subject, field="", text="Whole subject")
    url = reverse("datamanagement:query_list")

    def ids(**params):
        return {line["query"].pk for line in monitor_client.get(url, params).context["lines"]}

    assert ids() == {old.pk, subject_query.pk}
    assert ids(state="closed") == {old.pk}
    assert ids(state="open") == {subject_query.pk}
    assert ids(min_days="5") == {old.pk}
    assert ids(form="enrollment.subject") == {subject_query.pk}
    assert ids(raised_by=str(monitor.pk)) == {old.pk}
    assert ids(min_days="-3", state="nonsense") == {old.pk, subject_query.pk}  # ignored
    line = next(ln for ln in monitor_client.get(url).context["lines"] if ln["query"].pk == old.pk)
    assert (line["days_open"], line["to_first_answer"], line["to_close"]) == (6, 3, 6)


@pytest.mark.parametrize("n", [5, 50])
def test_the_list_reads_a_constant_number_of_queries(
    n,
    monitor_client,
    monitor,
    subject_on_day_6,
    coordinator,
    django_assert_max_num_queries,
):
    records = [new_vitals(subject_on_day_6, coordinator, day=1 + i % 5) for i in range(5)]
    Query.objects.bulk_create(
        [
            Query(
                site=subject_on_day_6.site,
                subject=subject_on_day_6,
                content_type_id=_ct(records[0]),
                object_id=records[i % 5].pk,
                field="hr",
                text="?",
                raised_by=monitor,
                raised_at=timezone.now(),
            )
            for i in range(n)
        ]
    )
    with django_assert_max_num_queries(12):
        page = monitor_client.get(reverse("datamanagement:query_list"))
    assert page.context["total"] == n


def _ct(record):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(record).pk


def test_counts_per_subject_and_record_for_later_pages(
    monitor,
    coordinator,
    subject_on_day_6,
    django_assert_num_queries,
):
    a = new_vitals(subject_on_day_6, coordinator, day=1)
    b = new_vitals(subject_on_day_6, coordinator, day=2)
    q1 = _raise(monitor, a)
    _raise(monitor, a, field="resp")
    _raise(monitor, b)
    services.query_answer(user=coordinator, query=q1, text="ok")
    with django_assert_num_queries(1):
        by_subject = selectors.active_counts_by_subject([subject_on_day_6.pk])
    assert by_subject == {subject_on_day_6.pk: {"open": 2, "answered": 1}}
    with django_assert_num_queries(1):
        by_record = selectors.active_counts_by_record([subject_on_day_6.pk])
    assert by_record[("safety.vitalsigns", a.pk)] == {"open": 1, "answered": 1}
    assert by_record[("safety.vitalsigns", b.pk)] == {"open": 1, "answered": 0}


def test_the_dashboard_and_home_pages_count_queries(
    coordinator_client,
    monitor_client,
    monitor,
    coordinator,
    vitals,  # noqa: F811
):
    q = _raise(monitor, vitals)
    _raise(monitor, vitals, field="resp")
    services.query_answer(user=coordinator, query=q, text="ok")
    dash = monitor_client.get(reverse("portal:subject_dashboard", args=[vitals.subject_id]))
    html = dash.content.decode()
    assert 'data-testid="subject-open-queries">1<' in html
    assert 'data-testid="subject-answered-queries">1<' in html
    records = monitor_client.get(
        reverse("datamanagement:subject_records", args=[vitals.subject_id])
    ).content.decode()
    assert _record_url(vitals) in records

    def worklist(client, key):
        return {k: items for k, _, items in client.get("/").context["worklists"]}[key]

    (to_answer,) = worklist(coordinator_client, "queries_to_answer")  # the other is answered
    # the item by its label, in the reader's language, not by its field name
    assert "vital signs · respiratory rate (breaths/min) — " in to_answer.text
    assert to_answer.url.startswith("/queries/")
    assert len(worklist(monitor_client, "my_queries")) == 2


def test_each_item_links_to_a_raise_form_with_it_chosen(monitor_client, coordinator_client, vitals):  # noqa: F811
    page = monitor_client.get(_record_url(vitals))
    assert 'data-testid="raise-on-hr"' in page.content.decode()
    chosen = monitor_client.get(_record_url(vitals) + "?field=hr")
    assert chosen.context["form"]["field"].value() == "hr"
    site_page = coordinator_client.get(_record_url(vitals)).content.decode()
    assert "raise-query-form" not in site_page and "raise-on-hr" not in site_page
    refused = coordinator_client.post(_record_url(vitals), {"field": "hr", "text": "?"})
    assert refused.status_code == 403 and not Query.objects.exists()
