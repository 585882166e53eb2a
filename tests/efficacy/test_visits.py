"""A visit's forms entered as a coordinator does: the visit becomes done when its date and
required forms are saved; out of window is a deviation with a reason; the change from
baseline follows the values."""

import re
from datetime import timedelta
from decimal import Decimal

from django.urls import reverse

from efficacy.models import HrctScore, LabResult, PulmonaryFunctionTest
from enrollment.models import Subject, SubjectVisit
from tests.efficacy.conftest import subject_on_day
from trial_edc.core.clock import study_day_date


def _url(name, subject, code):
    return reverse(name, args=[subject.pk, code])


def _on(subject, day):
    return study_day_date(subject.day1, day).isoformat()


def visit_date(client, subject, code, day, **extra):
    return client.post(
        _url("efficacy:visit_date_edit", subject, code), {"visit_date": _on(subject, day)} | extra
    )


def oxygenation(client, subject, code, day, pao2="62", fio2="0.40", spo2="91"):
    data = {
        "sampled_at": f"{_on(subject, day)}T08:00",
        "pressure_unit": "mmHg",
        "pao2": pao2,
        "fio2": fio2,
        "spo2": spo2,
        "oxygen_support": "HFNC",
    }
    return client.post(_url("efficacy:visit_blood_gas", subject, code), data)


def pft_not_done(client, subject, code, reason="unable"):
    return client.post(
        _url("efficacy:pft_edit", subject, code), {"done": "False", "not_done_reason": reason}
    )


def pft_done(client, subject, code, day, fvc="2.10", pct="61.0", **extra):
    data = {
        "done": "True",
        "performed_on": _on(subject, day),
        "fvc_litres": fvc,
        "fvc_percent_predicted": pct,
        "dlco_percent_predicted": "45.0",
        "reference_equation": "GLI",
    }
    return client.post(_url("efficacy:pft_edit", subject, code), data | extra)


def hrct(client, subject, code, day, ggo=(3, 3, 4, 2, 2, 4), fib=(1, 1, 2, 0, 1, 2), **extra):
    data = {"done": "True", "scanned_on": _on(subject, day), "reader": "Dr Lin (radiology)"}
    for n in range(1, 7):
        data[f"ggo_{n}"], data[f"fib_{n}"] = ggo[n - 1], fib[n - 1]
    return client.post(_url("efficacy:hrct_edit", subject, code), data | extra)


def labs(client, subject, code, day, **values):
    from trial_edc.study import study

    data = {"sampled_on": _on(subject, day)}
    for test in study().labs:
        low, high = test.reference
        data |= {
            f"{test.code}_value": "",
            f"{test.code}_unit": test.unit,
            f"{test.code}_low": "" if low is None else low,
            f"{test.code}_high": "" if high is None else high,
        }
    return client.post(_url("efficacy:lab_panel_edit", subject, code), data | values)


def fatal_adverse_event(subject, user):
    from safety.models import AdverseEvent
    from safety.services import adverse_events

    return adverse_events.adverse_event_record(
        ae=AdverseEvent(
            subject=subject,
            aeterm="Respiratory failure",
            aestdtc=subject.day1 + timedelta(days=80),
            aetoxgr=5,
            aeser=True,
            aesdth=True,
            aerel="NOT RELATED",
            aeout="FATAL",
            aeacn="NOT APPLICABLE",
        ),
        user=user,
    )


def _status(subject, code):
    return SubjectVisit.objects.get(subject=subject, code=code).outcome


def test_a_visit_is_done_once_its_date_and_every_required_form_are_saved(
    coordinator_client, subject_on_day_30
):
    subject, client = subject_on_day_30, coordinator_client
    page = client.get(_url("efficacy:visit_detail", subject, "DAY14")).content.decode()
    for label in ("Visit date", "Oxygenation", "Pulmonary function", "Laboratory", "HRCT"):
        assert re.search(rf'data-form="\w+"><td>[^<]*{label}', page)
    assert visit_date(client, subject, "DAY14", 14).status_code == 302
    assert oxygenation(client, subject, "DAY14", 14).status_code == 302
    assert pft_not_done(client, subject, "DAY14").status_code == 302
    assert hrct(client, subject, "DAY14", 14).status_code == 302
    assert _status(subject, "DAY14") == "planned"  # labs still missing
    dashboard = client.get(reverse("portal:subject_dashboard", args=[subject.pk])).content.decode()
    day14_row = re.search(r'data-visit="DAY14">.*?</tr>', dashboard, re.S).group(0)
    assert "Missing:" in day14_row and "Laboratory / serology" in day14_row
    assert "Pulmonary function" not in day14_row
    assert labs(client, subject, "DAY14", 14, CRP_value="12").status_code == 302
    assert _status(subject, "DAY14") == "done"
    visit = SubjectVisit.objects.get(subject=subject, code="DAY14")
    assert visit.events.last().pgh_context["reason"] == "visit complete: required forms saved"


def test_missing_forms_are_listed_only_for_visits_already_due(
    coordinator_client, subject_on_day_30
):
    html = coordinator_client.get(
        reverse("portal:subject_dashboard", args=[subject_on_day_30.pk])
    ).content.decode()
    rows = dict(re.findall(r'data-visit="(\w+)">(.*?)</tr>', html, re.S))
    assert "Missing:" in rows["BASELINE"] and "Missing:" in rows["DAY28"]
    assert "Missing:" not in rows["MONTH3"] and "not due yet" in rows["MONTH3"]
    assert "Missing:" not in rows["SCREENING"]


def test_an_out_of_window_visit_is_a_deviation_with_a_reason(
    coordinator_client, monitor_client, subject_on_day_30
):
    subject = subject_on_day_30
    response = visit_date(coordinator_client, subject, "DAY14", 17)  # window is day 13-15
    assert response.status_code == 200
    assert "outside the window" in str(response.context["form"].errors["deviation_reason"])
    assert SubjectVisit.objects.get(subject=subject, code="DAY14").visit_date is None
    response = visit_date(
        coordinator_client, subject, "DAY14", 17, deviation_reason="Subject febrile on day 14"
    )
    assert response.status_code == 302
    visit = SubjectVisit.objects.get(subject=subject, code="DAY14")
    assert visit.out_of_window and visit.deviation_reason == "Subject febrile on day 14"
    log = monitor_client.get(reverse("enrollment:visit_deviations")).content.decode()
    assert subject.subject_number in log and "Subject febrile on day 14" in log
    # back in the window: no longer a deviation (the audit trail keeps the earlier date)
    visit_date(coordinator_client, subject, "DAY14", 14, reason_for_change="Wrong date typed")
    visit.refresh_from_db()
    assert not visit.out_of_window and visit.deviation_reason == ""


def test_pft_not_done_needs_a_reason_next_to_the_field(coordinator_client, subject_on_day_30):
    response = coordinator_client.post(
        _url("efficacy:pft_edit", subject_on_day_30, "DAY14"), {"done": "False"}
    )
    assert response.status_code == 200
    assert "not_done_reason" in response.context["form"].errors
    response = pft_done(coordinator_client, subject_on_day_30, "DAY14", 14, fvc="12")
    assert "fvc_litres" in response.context["form"].errors
    assert not PulmonaryFunctionTest.objects.exists()


def test_hrct_totals_are_computed_and_impossible_scores_refused(
    coordinator_client, subject_on_day_30
):
    response = hrct(coordinator_client, subject_on_day_30, "BASELINE", 1, ggo=(3, 3, 6, 2, 2, 4))
    assert response.status_code == 200
    assert "ggo_3" in response.context["form"].errors
    assert hrct(coordinator_client, subject_on_day_30, "BASELINE", 1).status_code == 302
    score = HrctScore.objects.get()
    assert (score.ggo_total, score.fibrosis_total, score.total) == (18, 7, 25)


def test_labs_are_converted_flagged_and_impossible_values_refused(
    coordinator_client, subject_on_day_30
):
    subject, client = subject_on_day_30, coordinator_client
    response = labs(client, subject, "BASELINE", 1, CREAT_value="40", CREAT_unit="mg/dL")
    assert response.status_code == 200
    assert "cannot be" in str(response.context["form"].errors["CREAT_value"])
    response = labs(
        client,
        subject,
        "BASELINE",
        1,
        CREAT_value="1.30",
        CREAT_unit="mg/dL",
        CREAT_low="0.51",
        CREAT_high="1.24",
        FERRITIN_value="2450",
        KL6_value="1830",
    )
    assert response.status_code == 302
    results = {r.test_code: r for r in LabResult.objects.all()}
    assert set(results) == {"CREAT", "FERRITIN", "KL6"}
    assert (results["CREAT"].value_standard, results["CREAT"].flag) == (Decimal("114.920"), "H")
    assert (results["FERRITIN"].flag, results["KL6"].flag) == ("H", "H")
    # a correction needs a reason; clearing a value removes that result
    response = labs(
        client,
        subject,
        "BASELINE",
        1,
        CREAT_value="1.30",
        CREAT_unit="mg/dL",
        CREAT_low="0.51",
        CREAT_high="1.24",
        FERRITIN_value="2450",
    )
    assert "reason_for_change" in response.context["form"].errors
    labs(
        client,
        subject,
        "BASELINE",
        1,
        CREAT_value="1.30",
        CREAT_unit="mg/dL",
        CREAT_low="0.51",
        CREAT_high="1.24",
        FERRITIN_value="2450",
        reason_for_change="KL-6 belonged to another sample",
    )
    assert set(LabResult.objects.values_list("test_code", flat=True)) == {"CREAT", "FERRITIN"}


def test_change_from_baseline_follows_the_values_entered(coordinator_client, subject_on_day_30):
    subject, client = subject_on_day_30, coordinator_client
    oxygenation(client, subject, "BASELINE", 1, pao2="60", fio2="0.50")  # P/F 120
    oxygenation(client, subject, "DAY14", 14, pao2="75", fio2="0.40")  # P/F 188 (187.5)
    hrct(client, subject, "BASELINE", 1)  # total 25
    hrct(client, subject, "DAY14", 14, ggo=(2, 2, 3, 1, 1, 3), fib=(1, 1, 2, 0, 1, 2))  # 19
    pft_not_done(client, subject, "DAY14")
    html = client.get(reverse("portal:subject_dashboard", args=[subject.pk])).content.decode()
    table = re.search(r'data-testid="change-from-baseline".*?</table>', html, re.S).group(0)
    pf = re.search(r'data-measure="PF_RATIO">.*?</tr>', table, re.S).group(0)
    assert "120" in pf and "188" in pf and "+68.0 (+56.7%)" in pf
    total = re.search(r'data-measure="HRCT_TOTAL">.*?</tr>', table, re.S).group(0)
    assert "-6.0 (-24.0%)" in total
    fvc = re.search(r'data-measure="FVC_L">.*?</tr>', table, re.S).group(0)
    assert "not done" in fvc


def test_a_death_needs_a_fatal_adverse_event_and_ends_the_subject(
    coordinator_client, site, coordinator, investigator
):
    subject = subject_on_day(90, site=site, coordinator=coordinator, investigator=investigator)
    death_day = _on(subject, 85)
    data = {
        "assessed_on": _on(subject, 90),
        "vital_status": "dead",
        "death_date": death_day,
        "death_cause": "Progressive respiratory failure",
    }
    url = _url("efficacy:follow_up_edit", subject, "MONTH3")
    response = coordinator_client.post(url, data)
    assert "fatal outcome" in str(response.context["form"].errors["vital_status"])
    fatal_adverse_event(subject, coordinator)
    assert coordinator_client.post(url, data).status_code == 302
    subject.refresh_from_db()
    assert subject.status == Subject.Status.DIED
    assert str(subject.ended_on) == death_day
    outcomes = dict(subject.visits.values_list("code", "outcome"))
    assert outcomes["MONTH3"] == "done"
    assert outcomes["MONTH6"] == outcomes["MONTH12"] == "not_applicable"


def test_a_monitor_reads_visits_but_cannot_enter_forms(monitor_client, subject_on_day_30):
    assert (
        monitor_client.get(_url("efficacy:visit_detail", subject_on_day_30, "DAY14")).status_code
        == 200
    )
    assert pft_not_done(monitor_client, subject_on_day_30, "DAY14").status_code == 403
    assert not PulmonaryFunctionTest.objects.exists()


def test_the_study_table_runs_the_same_queries_for_1_or_6_subjects(
    monitor_client, site, coordinator, investigator, coordinator_client
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add_subject():
        subject = subject_on_day(30, site=site, coordinator=coordinator, investigator=investigator)
        oxygenation(coordinator_client, subject, "BASELINE", 1)
        hrct(coordinator_client, subject, "BASELINE", 1)
        labs(coordinator_client, subject, "BASELINE", 1, CRP_value="20")
        pft_done(coordinator_client, subject, "DAY14", 14)

    def counts():
        result = []
        for name in (
            "efficacy:efficacy_summary",
            "efficacy:efficacy_summary_csv",
            "enrollment:visit_deviations",
        ):
            with CaptureQueriesContext(connection) as queries:
                assert monitor_client.get(reverse(name)).status_code == 200
            result.append(len(queries))
        return result

    add_subject()
    counts()  # the monitor's first pages of the session also load and save the session
    with_one = counts()
    for _ in range(5):
        add_subject()
    assert counts() == with_one
    # session, user, permissions, site scope, then one query per source form
    assert max(with_one) <= 15


def test_the_study_table_exports_csv_and_pdf(
    coordinator_client, monitor_client, site, coordinator, investigator
):
    for pao2_day14 in ("75", "55"):
        subject = subject_on_day(30, site=site, coordinator=coordinator, investigator=investigator)
        oxygenation(coordinator_client, subject, "BASELINE", 1, pao2="60", fio2="0.50")
        oxygenation(coordinator_client, subject, "DAY14", 14, pao2=pao2_day14, fio2="0.40")
    pft_not_done(coordinator_client, subject, "DAY14")
    response = monitor_client.get(reverse("efficacy:efficacy_summary_csv"))
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "measure,unit,visit,statistic,n,not_done,mean,sd,median,min,max"
    # P/F day 14: 188 and 138 (137.5 rounded half up); change +68 and +18
    assert "PaO2/FiO2,mmHg,DAY14,value,2,0,163.0,35.4,163.0,138.0,188.0" in lines
    assert "PaO2/FiO2,mmHg,DAY14,change,2,0,43.0,35.4,43.0,18.0,68.0" in lines
    assert "FVC,L,DAY14,value,0,1,,,,," in lines
    pdf = monitor_client.get(reverse("efficacy:efficacy_summary_pdf"))
    assert pdf.content.startswith(b"%PDF")
    assert coordinator_client.get(reverse("efficacy:efficacy_summary_csv")).status_code == 403


def test_visit_forms_of_another_site_are_404_and_their_audit_trail_is_readable(
    coordinator_client, make_user, other_site, site, subject_on_day_30
):
    from portal.demo.enrollment import enrolled_subject
    from trial_edc.accounts.roles import Role
    from trial_edc.core.clock import site_today

    pft_not_done(coordinator_client, subject_on_day_30, "DAY14")
    pft = PulmonaryFunctionTest.objects.get()
    audit = coordinator_client.get(
        reverse("portal:record_audit", args=["efficacy", "pulmonaryfunctiontest", pft.pk])
    )
    assert audit.status_code == 200 and "Subject unable to perform" in audit.content.decode()

    elsewhere = enrolled_subject(
        site=other_site,
        coordinator=make_user(Role.SITE_COORDINATOR, sites=[other_site]),
        investigator=make_user(Role.INVESTIGATOR, sites=[other_site]),
        screening_date=site_today(other_site) - timedelta(days=20),
    )
    for name in (
        "efficacy:visit_detail",
        "efficacy:pft_edit",
        "efficacy:hrct_edit",
        "efficacy:visit_date_edit",
    ):
        assert coordinator_client.get(_url(name, elsewhere, "DAY14")).status_code == 404
    assert pft_not_done(coordinator_client, elsewhere, "DAY14").status_code == 404
    assert PulmonaryFunctionTest.objects.count() == 1


def test_saving_an_unchanged_form_again_writes_nothing(coordinator_client, subject_on_day_30):
    subject = subject_on_day_30
    for post in (
        lambda: pft_not_done(coordinator_client, subject, "DAY14"),
        lambda: hrct(coordinator_client, subject, "DAY14", 14),
        lambda: visit_date(coordinator_client, subject, "DAY14", 14),
        lambda: oxygenation(coordinator_client, subject, "DAY14", 14, fio2="0.40"),
        lambda: labs(coordinator_client, subject, "DAY14", 14, CRP_value="12"),
    ):
        assert post().status_code == 302
        again = post()
        assert again.status_code == 302, again.content.decode()[:300]
    assert PulmonaryFunctionTest.objects.get().events.count() == 1


def test_forms_a_visit_does_not_have_are_404(coordinator_client, subject_on_day_30):
    subject = subject_on_day_30
    assert pft_not_done(coordinator_client, subject, "SAFETY_CLOSE").status_code == 404
    assert labs(coordinator_client, subject, "MONTH3", 1).status_code == 404
    assert (
        coordinator_client.get(_url("efficacy:follow_up_edit", subject, "DAY14")).status_code == 404
    )
    assert (
        coordinator_client.get(_url("efficacy:visit_date_edit", subject, "SCREENING")).status_code
        == 404
    )
    assert (
        coordinator_client.get(_url("efficacy:visit_detail", subject, "NOSUCH")).status_code == 404
    )
    assert not PulmonaryFunctionTest.objects.exists()


def test_assessments_belong_to_their_visit(coordinator_client, subject_on_day_30):
    subject = subject_on_day_30
    response = oxygenation(coordinator_client, subject, "DAY14", 3)
    assert "between" in str(response.context["form"].errors["sampled_at"])
    response = hrct(coordinator_client, subject, "DAY14", 20)
    assert "between" in str(response.context["form"].errors["scanned_on"])
    # the baseline HRCT may be the screening scan; a visit held late takes its own date
    assert hrct(coordinator_client, subject, "BASELINE", 0).status_code == 302
    visit_date(coordinator_client, subject, "DAY14", 17, deviation_reason="Febrile")
    assert hrct(coordinator_client, subject, "DAY14", 17).status_code == 302


def test_an_empty_lab_panel_is_refused(coordinator_client, subject_on_day_30):
    response = labs(coordinator_client, subject_on_day_30, "DAY14", 14)
    assert "at least one result" in str(response.context["form"].non_field_errors())


def test_the_default_range_follows_the_unit_entered(coordinator_client, subject_on_day_30):
    # 0.9 mg/dL of creatinine is normal: the default 45-110 µmol/L is 0.509-1.244 mg/dL
    labs(coordinator_client, subject_on_day_30, "DAY14", 14, CREAT_value="0.9", CREAT_unit="mg/dL")
    result = LabResult.objects.get()
    assert (result.reference_low, result.reference_high) == (Decimal("0.509"), Decimal("1.244"))
    assert (result.flag, result.value_standard) == ("", Decimal("79.560"))


def test_a_death_recorded_in_error_is_corrected(
    coordinator_client, site, coordinator, investigator
):
    subject = subject_on_day(90, site=site, coordinator=coordinator, investigator=investigator)
    fatal_adverse_event(subject, coordinator)
    url = _url("efficacy:follow_up_edit", subject, "MONTH3")
    data = {
        "assessed_on": _on(subject, 90),
        "vital_status": "dead",
        "death_date": _on(subject, 85),
        "death_cause": "Respiratory failure",
    }
    assert coordinator_client.post(url, data).status_code == 302
    corrected = data | {"death_date": _on(subject, 86), "reason_for_change": "Date per certificate"}
    assert coordinator_client.post(url, corrected).status_code == 302
    subject.refresh_from_db()
    assert str(subject.ended_on) == _on(subject, 86)
    alive = {
        "assessed_on": _on(subject, 90),
        "vital_status": "alive",
        "reason_for_change": "Wrong subject: this death was another patient's",
    }
    assert coordinator_client.post(url, alive).status_code == 302
    subject.refresh_from_db()
    assert (subject.status, subject.ended_on) == (Subject.Status.ON_STUDY, None)
    outcomes = dict(subject.visits.values_list("code", "outcome"))
    assert outcomes["MONTH6"] == outcomes["MONTH12"] == "planned"
    assert outcomes["MONTH3"] == "planned"  # now it needs its oxygenation, PFT and HRCT again


def test_the_baseline_blood_gas_is_taken_before_the_first_dose(
    coordinator_client, subject_on_day_30
):
    from tests.dosing.test_views import DOSE, _dose_url

    subject = subject_on_day_30
    assert coordinator_client.post(_dose_url(subject, 1), DOSE).status_code == 302  # 09:00
    data = {
        "sampled_at": f"{_on(subject, 1)}T10:00",
        "pressure_unit": "mmHg",
        "pao2": "62",
        "fio2": "0.40",
        "oxygen_support": "HFNC",
    }
    url = _url("efficacy:visit_blood_gas", subject, "BASELINE")
    response = coordinator_client.post(url, data)
    assert "before the first dose" in str(response.context["form"].errors["sampled_at"])
    data["sampled_at"] = f"{_on(subject, 1)}T08:30"
    assert coordinator_client.post(url, data).status_code == 302
