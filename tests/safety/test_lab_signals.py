"""The safety laboratory end to end below the browser: panels saved through the service and
the form, the baseline taken from the dosing record, AE proposals opened once per result,
updated or closed by a correction, decided by the investigators (confirmed through the AE form
or 'not an AE' with a reason), shown on the home page and as automatic queries; pages and
the listing in a fixed number of queries."""

import subprocess
from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.demo.labs import NORMAL, dose_given, lab_ranges_seed, safety_lab_panel
from safety.labs import selectors, services
from safety.models import AdverseEvent, LabSignal, SafetyLabPanel, SafetyLabResult
from trial_edc.core.clock import site_moment, study_day_date


@pytest.fixture
def ranges(subject, data_manager):
    lab_ranges_seed(subject.site, data_manager)


@pytest.fixture
def dosed(subject, ranges, coordinator):
    """Baseline panel at 07:00 on day 1, the first dose at 09:00 (ALT ULN 40 U/L)."""
    safety_lab_panel(subject, 1, coordinator)
    dose_given(subject, 1, coordinator)
    return subject


def _correct(panel, user, **values):
    results = {r.test_code: (r.value, r.unit, r.lln, r.uln) for r in panel.results.all()}
    for code, value in values.items():
        _, unit, lln, uln = results[code]
        results[code] = (Decimal(value), unit, lln, uln)
    return services.safety_lab_record(
        panel=SafetyLabPanel.objects.get(pk=panel.pk),
        results=results,
        user=user,
        reason="transcription error corrected",
    )


def test_alt_six_times_uln_after_the_first_dose_proposes_an_ae_once(dosed, coordinator):
    panel = safety_lab_panel(dosed, 5, coordinator, {"ALT": "240"})
    signal = LabSignal.objects.get()
    assert (signal.grade, signal.test_code, signal.status) == (3, "ALT", "open")
    assert signal.ctcae_term.term == "Alanine aminotransferase increased"
    assert signal.specimen_on == study_day_date(dosed.day1, 5)
    assert "6 × ULN" in signal.explanation
    services.lab_signals_sync(subject_id=dosed.pk)  # again: nothing new
    services.lab_signals_sync(subject_id=dosed.pk)
    assert LabSignal.objects.count() == 1
    assert signal.result_id == panel.results.get(test_code="ALT").pk


def test_a_correction_closes_the_proposal_and_another_reopens_the_same_one(dosed, coordinator):
    panel = safety_lab_panel(dosed, 5, coordinator, {"ALT": "240"})
    _correct(panel, coordinator, ALT="60")  # 1.5 x ULN: grade 1
    signal = LabSignal.objects.get()
    assert signal.status == "closed"
    _correct(panel, coordinator, ALT="900")  # 22.5 x ULN: grade 4
    signal.refresh_from_db()
    assert (signal.status, signal.grade) == ("open", 4)
    assert LabSignal.objects.count() == 1


def test_a_rise_of_two_grades_from_baseline_is_proposed(dosed, coordinator):
    safety_lab_panel(dosed, 5, coordinator, {"NEUT": "1.2"})  # baseline 4.1 (0) -> grade 2
    signal = LabSignal.objects.get()
    assert (signal.test_code, signal.grade, signal.baseline_grade) == ("NEUT", 2, 0)


def test_values_before_the_first_dose_propose_nothing(subject, ranges, coordinator):
    safety_lab_panel(subject, 1, coordinator, {"ALT": "400"})  # grade 3, but pre-treatment
    assert not LabSignal.objects.exists()


def test_the_baseline_is_the_last_value_before_the_first_dose_from_the_dosing_record(
    subject, ranges, coordinator
):
    # day -1 (screening): ALT 100, abnormal; day 1 07:00: ALT 24, normal; dose at 09:00;
    # day 1 at 11:00, after the dose: ALT 30
    safety_lab_panel(subject, -1, coordinator, {"ALT": "100"})
    safety_lab_panel(subject, 1, coordinator, {"ALT": "24"})
    dose_given(subject, 1, coordinator)
    safety_lab_panel(subject, 1, coordinator, {"ALT": "30"}, at=time(11, 0))
    safety_lab_panel(subject, 5, coordinator, {"ALT": "150"})
    alt = [g for g in selectors.graded_results([subject.pk]) if g.test.code == "ALT"]
    assert [g.result.value for g in alt] == [100, 24, 30, 150]
    assert [g.is_baseline for g in alt] == [False, True, False, False]
    # the screening value: against its own ULN only (2.5 x ULN: grade 1)
    assert alt[0].grade.grade == 1 and alt[0].baseline is None
    # the baseline (normal): 150 is 3.75 x ULN: grade 2 by the ULN, not by the baseline
    assert alt[3].grade.grade == 2
    assert alt[3].baseline.value == 24 and alt[3].grade.inputs["baseline_state"] == "normal"


def test_a_value_whose_limits_are_missing_is_shown_not_graded(subject, coordinator, client_for):
    # no reference ranges configured at the site: nothing to pre-fill, nothing guessed
    panel = SafetyLabPanel(
        subject=subject, specimen_at=site_moment(subject.day1, time(7), subject.site)
    )
    services.safety_lab_record(
        panel=panel, results={"ALT": (Decimal("400"), "U/L", None, None)}, user=coordinator
    )
    [g] = selectors.graded_results([subject.pk])
    assert g.grade.grade is None
    page = client_for(coordinator).get(reverse("safety:subject_labs", args=[subject.pk]))
    assert "not graded: limits missing (ULN)" in page.content.decode()


def _form_data(subject, day, **values):
    data = {"specimen_at": f"{study_day_date(subject.day1, day):%Y-%m-%d}T07:30"}
    for code, value in (NORMAL | values).items():
        data[f"{code}_value"] = value
    return data


def test_the_form_prefills_the_sites_limits_and_refuses_an_impossible_value_next_to_it(
    subject, ranges, coordinator, client_for
):
    client = client_for(coordinator)
    url = reverse("safety:lab_panel_create", args=[subject.pk]) + "?day=5"
    page = client.get(url)
    form = page.context["form"]
    assert form.initial["ALT_high"] == Decimal("40.000")  # the site's ULN
    data = {k: v for k, v in form.initial.items() if v is not None} | _form_data(
        subject, 5, ALT="99999"
    )
    response = client.post(url, {k: str(v) for k, v in data.items()})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "possible: 1–20000 U/L" in errors["ALT_value"][0]
    assert not SafetyLabPanel.objects.exists()
    data["ALT_value"] = "45"
    response = client.post(url, {k: str(v) for k, v in data.items()})
    assert response.status_code == 302
    result = SafetyLabResult.objects.get(test_code="ALT")
    assert (result.value, result.uln, result.unit) == (Decimal("45"), Decimal("40"), "U/L")


def test_the_investigator_confirms_the_proposal_through_the_ae_form(
    dosed, coordinator, investigator, client_for
):
    safety_lab_panel(dosed, 5, coordinator, {"ALT": "240"})
    signal = LabSignal.objects.get()
    client = client_for(investigator)
    home = client.get(reverse("portal:home")).content.decode()
    assert "Alanine aminotransferase increased grade 3" in home
    url = reverse("safety:adverse_event_create", args=[dosed.pk]) + f"?lab_signal={signal.pk}"
    form = client.get(url).context["form"]
    assert form.initial["aetoxgr"] == 3
    assert form.initial["ctcae_term"] == signal.ctcae_term_id
    assert form.initial["aestdtc"] == study_day_date(dosed.day1, 5)
    data = {
        "ctcae_term": signal.ctcae_term_id,
        "aeterm": "",
        "aestdtc": f"{signal.specimen_on:%Y-%m-%d}",
        "ongoing": "on",
        "aetoxgr": "3",
        "aerel": "POSSIBLY RELATED",
        "aeacn": "DOSE NOT CHANGED",
        "aeout": "NOT RECOVERED/NOT RESOLVED",
        "submission": form["submission"].value(),
    }
    assert client.post(url, data).status_code == 302
    ae = AdverseEvent.objects.get()
    signal.refresh_from_db()
    assert (signal.status, signal.adverse_event_id, signal.decided_by_id) == (
        "confirmed",
        ae.pk,
        investigator.pk,
    )
    assert (ae.aetoxgr, ae.aeterm) == (3, "Alanine aminotransferase increased")
    # decided: off the investigators' worklist (the new AE waits for its signature instead)
    assert "an adverse event?" not in client.get(reverse("portal:home")).content.decode()


def test_not_an_ae_needs_a_reason_is_audited_and_only_investigators_may(
    dosed, coordinator, investigator, client_for
):
    safety_lab_panel(dosed, 5, coordinator, {"ALT": "240"})
    signal = LabSignal.objects.get()
    url = reverse("safety:lab_signal_not_ae", args=[signal.pk])
    assert client_for(coordinator).post(url, {"reason": "x"}).status_code == 403
    client = client_for(investigator)
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    assert client.post(url, {"reason": "Haemolysed sample; repeat normal"}).status_code == 302
    signal.refresh_from_db()
    assert (signal.status, signal.reason) == ("not_ae", "Haemolysed sample; repeat normal")
    last = signal.events.order_by("pgh_id").last()
    assert last.pgh_context["reason"] == "Haemolysed sample; repeat normal"
    assert not AdverseEvent.objects.exists()


def test_an_open_proposal_is_an_automatic_query_until_decided(dosed, coordinator, investigator):
    from datamanagement.checks.services import checks_run
    from datamanagement.models import Query

    safety_lab_panel(dosed, 5, coordinator, {"ALT": "240"})
    checks_run(keys=["lab_ae_proposal_open"])
    query = Query.objects.get(check_key="lab_ae_proposal_open")
    assert query.state == "open" and query.field == "value"
    assert query.object_id == SafetyLabResult.objects.get(panel__study_day=5, test_code="ALT").pk
    services.lab_signal_not_ae(signal=LabSignal.objects.get(), user=investigator, reason="artefact")
    checks_run(keys=["lab_ae_proposal_open"])
    query.refresh_from_db()
    assert query.state == "closed"


def _subjects_with_labs(n, site, coordinator, investigator):
    from portal.demo.enrollment import enrolled_subject
    from trial_edc.core.clock import site_today

    made = []
    for i in range(n):
        day1 = site_today(site) - timedelta(days=5)
        s = enrolled_subject(
            site=site,
            coordinator=coordinator,
            investigator=investigator,
            screening_date=day1 - timedelta(days=2),
            day1=day1,
            initials=f"L{i}",
        )
        safety_lab_panel(s, 1, coordinator)
        dose_given(s, 1, coordinator)
        for day in (3, 5):
            safety_lab_panel(s, day, coordinator, {"ALT": str(40 * day)})
        made.append(s)
    return made


def test_grading_the_dashboard_table_and_the_listing_take_a_fixed_number_of_queries(
    site, ranges, subject, coordinator, investigator
):
    few = _subjects_with_labs(1, site, coordinator, investigator)
    with CaptureQueriesContext(connection) as one:
        selectors.graded_results([s.pk for s in few])
    with CaptureQueriesContext(connection) as table_one:
        selectors.worst_grade_table(few[0].pk)
    many = few + _subjects_with_labs(3, site, coordinator, investigator)
    with CaptureQueriesContext(connection) as four:
        graded = selectors.graded_results([s.pk for s in many])
    assert len(graded) == 4 * 3 * 11
    assert len(one) == len(four) == 2
    with CaptureQueriesContext(connection) as table_again:
        table = selectors.worst_grade_table(many[-1].pk)
    assert len(table_one) == len(table_again)
    assert table.days == [1, 3, 5]
    alt = dict(table.rows)[next(t for t, _ in table.rows if t.code == "ALT")]
    # ALT 24 (baseline), 120 = 3.0 x ULN (grade 1: '>ULN - 3.0 x ULN'), 200 = 5.0 x ULN (2)
    assert [g.grade.grade for g in alt] == [0, 1, 2]


def test_the_dashboard_panel_and_the_listing_pdf_explain_each_grade(
    dosed, coordinator, investigator, client_for, tmp_path
):
    safety_lab_panel(dosed, 5, coordinator, {"ALT": "240"})
    page = client_for(investigator).get(reverse("portal:subject_dashboard", args=[dosed.pk]))
    html = page.content.decode()
    assert 'data-testid="lab-grades"' in html
    assert "240 U/L &gt; 5 × ULN (40 U/L)" in html
    pdf = client_for(investigator).get(reverse("safety:lab_listing"))
    assert pdf["Content-Type"] == "application/pdf"
    path = tmp_path / "labs.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "Safety laboratory listing" in text
    assert "240 U/L > 5 × ULN (40 U/L)" in " ".join(text.split())
