"""Automatic queries from edit checks (issue 14, point 3): named, versioned rules run daily
and after each save; one query per (check, version, record, item) however often they run;
closed by the system when the data is corrected, the same query re-opened when it fails
again; a fixed number of SQL queries whatever the subjects."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from datamanagement.checks.rules import Check, checks
from datamanagement.checks.services import checks_run
from datamanagement.models.queries import Query, QueryAction, QueryState
from datamanagement.queries import services as query_services
from datamanagement.tasks import checks_run_daily
from efficacy.models import LabPanel, LabResult
from enrollment.models import SubjectVisit
from safety.models import AdverseEvent, VitalSigns
from tests.datamanagement.test_matrix import _enrol
from tests.safety.test_views import VITALS, _at, _new
from trial_edc.audit.services import audit_context
from trial_edc.core.clock import site_today

S = QueryState
AE_CHECK = "ae_recovered_without_end"


def _ae(subject, user, **values) -> AdverseEvent:
    """An AE written straight to the table (the form refuses a recovered AE without an end
    date; an import or a correction in SQL does not)."""
    return AdverseEvent.objects.create(
        subject=subject,
        aeterm="Cough",
        aestdtc=subject.day1,
        aetoxgr=1,
        aerel="NOT RELATED",
        aeacn="NOT APPLICABLE",
        aeout="RECOVERED/RESOLVED",
        recorded_by=user,
        **values,
    )


def _write(model, pk, **values) -> None:
    """A change written past the forms (`update()`, as an import or SQL would), with its
    reason for change."""
    with audit_context(user=None, reason="corrected outside the forms"):
        model.objects.filter(pk=pk).update(**values)


def _auto(key=AE_CHECK):
    return Query.objects.filter(check_key=key)


def _actions(query) -> list[tuple[str, str, object]]:
    return [(m.action, m.state_after, m.author_id) for m in query.messages.order_by("at", "id")]


@pytest.fixture
def ae(subject_on_day_6, coordinator):
    return _ae(subject_on_day_6, coordinator)


def test_the_registry_holds_the_three_named_versioned_checks():
    assert {c.key: c.version for c in checks}.items() >= {
        "required_form_missing": 1,
        "lab_value_implausible": 1,
        "ae_recovered_without_end": 1,
    }.items()
    assert all(str(c.label) for c in checks)


def test_a_failing_item_gets_one_query_raised_by_the_system_anchored_to_its_value(ae):
    result = checks_run()
    assert result.raised >= 1
    query = _auto().get()
    assert query.raised_by is None
    assert query.state == S.OPEN
    assert (query.check_key, query.check_version, query.field) == (AE_CHECK, 1, "aeendtc")
    assert query.object_id == ae.pk
    assert query.subject_id == ae.subject_id
    assert query.site_id == ae.subject.site_id
    assert query.anchor_seq == ae.events.order_by("-pgh_chain_seq").first().pgh_chain_seq
    assert "Cough" in query.text
    assert _actions(query) == [(QueryAction.RAISE, S.OPEN, None)]
    assert query.events.exists()  # audited


def test_run_twice_one_query(ae):
    checks_run()
    second = checks_run()
    assert (second.raised, second.reopened, second.closed) == (0, 0, 0)
    assert _auto().count() == 1
    assert _auto().get().messages.count() == 1


def test_corrected_the_query_closes_as_system_and_broken_again_the_same_query_reopens(ae):
    checks_run()
    query = _auto().get()
    _write(AdverseEvent, ae.pk, aeendtc=ae.aestdtc + timedelta(days=3))
    assert checks_run().closed == 1
    query.refresh_from_db()
    assert query.state == S.CLOSED
    assert query.closed_at is not None
    closing = query.messages.order_by("-id").first()
    assert closing.author is None
    assert closing.text == "closed by system: the check passes now"
    assert checks_run().closed == 0  # idempotent when passing too

    _write(AdverseEvent, ae.pk, aeendtc=None)
    assert checks_run().reopened == 1
    assert _auto().count() == 1
    reopened = _auto().get()
    assert reopened.pk == query.pk
    assert reopened.state == S.OPEN
    assert reopened.closed_at is None
    assert _actions(reopened) == [
        (QueryAction.RAISE, S.OPEN, None),
        (QueryAction.CLOSE, S.CLOSED, None),
        (QueryAction.REOPEN, S.OPEN, None),
    ]
    assert checks_run().reopened == 0


def test_the_thread_page_shows_the_systems_moves(ae, monitor_client):
    checks_run()
    query = _auto().get()
    _write(AdverseEvent, ae.pk, aeendtc=ae.aestdtc)
    checks_run()
    page = monitor_client.get(reverse("datamanagement:query_detail", args=[query.pk]))
    assert page.status_code == 200
    assert "closed by system: the check passes now" in page.content.decode()


def test_an_answered_query_closes_when_the_site_corrects_the_value(ae, coordinator):
    checks_run()
    query = query_services.query_answer(
        user=coordinator, query=_auto().get(), text="End date entered"
    )
    assert query.state == S.ANSWERED
    _write(AdverseEvent, ae.pk, aeendtc=ae.aestdtc)
    checks_run()
    query.refresh_from_db()
    assert query.state == S.CLOSED


def test_a_query_a_person_closed_while_failing_stays_closed_until_it_passed_once(
    ae, coordinator, monitor
):
    checks_run()
    query = query_services.query_answer(
        user=coordinator, query=_auto().get(), text="The patient recovered; date unknown."
    )
    query_services.query_close(user=monitor, query=query, text="Accepted as is")
    assert checks_run().reopened == 0  # the monitor judged it: no re-open every day
    assert _auto().get().state == S.CLOSED
    _write(AdverseEvent, ae.pk, aeendtc=ae.aestdtc)
    checks_run()
    _write(AdverseEvent, ae.pk, aeendtc=None)
    assert checks_run().reopened == 1  # a new failure after it passed: re-opened
    assert _auto().get().pk == query.pk


def test_a_cancelled_query_is_never_touched(ae, monitor):
    checks_run()
    query_services.query_cancel(user=monitor, query=_auto().get(), text="Raised in error")
    for update in ({"aeendtc": ae.aestdtc}, {"aeendtc": None}):
        _write(AdverseEvent, ae.pk, **update)
        result = checks_run()
        assert (result.raised, result.reopened, result.closed) == (0, 0, 0)
    assert _auto().get().state == S.CANCELLED


def test_a_new_version_of_a_check_closes_the_old_ones_queries_and_raises_its_own(ae):
    checks_run()
    old = _auto().get()
    current = checks.get(AE_CHECK)
    checks.unregister(AE_CHECK)
    checks.register(Check(AE_CHECK, 2, current.label, current.model_label, current.failing))
    try:
        result = checks_run()
    finally:
        checks.unregister(AE_CHECK)
        checks.register(current)
    assert result.raised == 1
    old.refresh_from_db()
    assert old.state == S.CLOSED
    assert old.messages.order_by("-id").first().text == "closed by system: the check was revised"
    assert _auto().filter(check_version=2, state=S.OPEN).count() == 1


def test_a_lab_value_outside_the_plausible_range_gets_a_query_on_its_value(
    subject_on_day_6, coordinator
):
    visit = subject_on_day_6.visits.get(code="BASELINE")
    panel = LabPanel.objects.create(
        visit=visit, recorded_by=coordinator, sampled_on=visit.target_date
    )
    fine = LabResult.objects.create(
        panel=panel, test_code="KL6", value=900, unit="U/mL", value_standard=900
    )
    wrong = LabResult.objects.create(  # CRP plausible 0-1000 mg/L: a unit slip
        panel=panel, test_code="CRP", value=25000, unit="mg/L", value_standard=25000
    )
    checks_run(keys={"lab_value_implausible"})
    query = _auto("lab_value_implausible").get()
    assert (query.object_id, query.field, query.visit_id) == (wrong.pk, "value", visit.pk)
    assert "C-reactive protein" in query.text
    assert not _auto("lab_value_implausible").filter(object_id=fine.pk).exists()
    _write(LabResult, wrong.pk, value=25, value_standard=25)
    checks_run(keys={"lab_value_implausible"})
    query.refresh_from_db()
    assert query.state == S.CLOSED


def test_a_required_form_missing_after_the_window_closed_gets_a_query_per_form(
    subject_on_day_6,
):
    visit = subject_on_day_6.visits.get(code="DAY14")
    today = site_today(subject_on_day_6.site)
    assert (
        not checks_run(keys={"required_form_missing"}).raised
        or not _auto("required_form_missing").filter(visit=visit).exists()
    )  # still open: nothing missing yet
    _write(
        SubjectVisit,
        visit.pk,
        window_start=today - timedelta(days=4),
        window_end=today - timedelta(days=1),
    )
    checks_run(keys={"required_form_missing"})
    queries = _auto("required_form_missing").filter(visit=visit)
    fields = set(queries.values_list("field", flat=True))
    assert "visit_date" in fields
    assert "labs" in fields
    assert set(queries.values_list("object_id", flat=True)) == {visit.pk}
    # the visit is marked missed: nothing is missing any more, every query closes
    _write(SubjectVisit, visit.pk, outcome="missed", missed_reason="ill")
    checks_run(keys={"required_form_missing"})
    assert set(queries.values_list("state", flat=True)) == {S.CLOSED}
    _write(SubjectVisit, visit.pk, outcome="planned", missed_reason="")
    checks_run(keys={"required_form_missing"})
    assert set(queries.values_list("state", flat=True)) == {S.OPEN}
    assert queries.count() == len(fields)


def test_the_daily_task_is_scheduled_and_safe_to_run_twice(ae):
    scheduled = {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert checks_run_daily.name in scheduled
    first = checks_run_daily()
    assert first["raised"] >= 1
    assert checks_run_daily() == {"raised": 0, "reopened": 0, "closed": 0}
    assert _auto().count() == 1


def test_saving_a_crf_page_runs_the_checks_that_read_its_form_for_that_subject(
    coordinator_client, subject_on_day_6, coordinator, django_capture_on_commit_callbacks
):
    """A save runs the checks reading its model (`Check.reads`), for its subject only; a
    check that reads other forms waits for their save or for the daily run."""
    subject = subject_on_day_6
    _ae(subject, coordinator)  # recovered without an end date, written past the pages
    ran = []
    checks.register(
        Check(
            "reads_vitals",
            1,
            "reads vitals",
            "safety.vitalsigns",
            lambda ids: ran.append(ids) or [],
        )
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = coordinator_client.post(
                _new(subject), VITALS | {"measured_at": _at(subject)}
            )
    finally:
        checks.unregister("reads_vitals")
    assert response.status_code == 302
    assert VitalSigns.objects.filter(subject=subject).exists()
    assert ran == [[subject.pk]]
    assert _auto().count() == 0  # the AE check reads no vital signs: not run by this save
    assert {c.key for c in checks.reading("safety.vitalsigns")} == set()
    assert AE_CHECK in {c.key for c in checks.reading("safety.adverseevent")}
    assert "required_form_missing" in {c.key for c in checks.reading("efficacy.labpanel")}
    checks_run_daily()
    assert _auto().filter(subject=subject).count() == 1


def test_a_failing_check_never_breaks_the_save(
    coordinator_client, subject_on_day_6, django_capture_on_commit_callbacks, caplog
):
    def broken(subject_ids):
        raise RuntimeError("check crashed")

    checks.register(Check("broken", 1, "broken", "safety.vitalsigns", broken))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = coordinator_client.post(
                _new(subject_on_day_6), VITALS | {"measured_at": _at(subject_on_day_6)}
            )
    finally:
        checks.unregister("broken")
    assert response.status_code == 302
    assert VitalSigns.objects.filter(subject=subject_on_day_6).exists()
    assert "edit checks after the save" in caplog.text


def _failing_subjects(site, coordinator, investigator, n, first=0):
    subjects = _enrol(site, coordinator, investigator, n, first=first)
    for subject in subjects:
        _ae(subject, coordinator)
        panel = LabPanel.objects.create(
            visit=subject.visits.get(code="BASELINE"),
            recorded_by=coordinator,
            sampled_on=subject.day1,
        )
        LabResult.objects.create(
            panel=panel, test_code="CRP", value=5000, unit="mg/L", value_standard=Decimal(5000)
        )
    return subjects


def _queries_of_a_run(**kwargs) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        result = checks_run(**kwargs)
    return len(captured), result


def test_a_run_costs_the_same_sql_queries_for_5_and_30_subjects(site, coordinator, investigator):
    checks_run()  # warm up: the content types are cached from then on
    _failing_subjects(site, coordinator, investigator, 5)
    few_raise, first = _queries_of_a_run()
    few_again, _ = _queries_of_a_run()
    _failing_subjects(site, coordinator, investigator, 25, first=5)
    many_raise, second = _queries_of_a_run()
    many_again, _ = _queries_of_a_run()
    assert second.raised > first.raised  # more subjects, more queries raised...
    assert many_raise == few_raise  # ...in the same number of SQL queries
    assert many_again == few_again


def test_the_query_page_names_the_check_and_the_list_filters_the_systems_queries(
    ae, monitor_client, monitor
):
    checks_run(keys={AE_CHECK})
    query = _auto().get()
    page = monitor_client.get(reverse("datamanagement:query_detail", args=[query.pk])).content
    assert "An adverse event is recovered but has no end date (version 1)" in page.decode()
    query_services.query_raise(user=monitor, record=ae, field="aeterm", text="Term?")
    url = reverse("datamanagement:query_list")
    system = monitor_client.get(url + "?raised_by=0").context["lines"]
    assert [line["query"].pk for line in system] == [query.pk]
    assert len(monitor_client.get(url).context["lines"]) == 2


def test_a_missing_form_query_names_the_form(subject_on_day_6, monitor_client):
    visit = subject_on_day_6.visits.get(code="DAY14")
    today = site_today(subject_on_day_6.site)
    _write(
        SubjectVisit,
        visit.pk,
        window_start=today - timedelta(days=4),
        window_end=today - timedelta(days=1),
    )
    checks_run(keys={"required_form_missing"})
    query = _auto("required_form_missing").get(visit=visit, field="labs")
    page = monitor_client.get(reverse("datamanagement:query_detail", args=[query.pk]))
    assert "Laboratory / serology" in page.content.decode()
