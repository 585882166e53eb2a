"""The enrollment pages as coordinators, investigators and monitors use them."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from enrollment.models import EligibilityChecklist, Screening, Subject
from portal.demo.enrollment import (
    answers_all_met,
    eligible_screening,
    enrolled_subject,
    evidence_supporting,
    open_screening,
)
from trial_edc.core.clock import site_today


def _form(values: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}


def test_coordinator_opens_a_screening_from_the_form(coordinator_client, site):
    today = date.today()
    response = coordinator_client.post(
        reverse("enrollment:screening_create"),
        {
            "site": site.pk,
            "initials": "zq",
            "date_of_birth": "1970-02-03",
            "sex": "F",
            "childbearing_potential": "",
            "screening_date": today.isoformat(),
        },
    )
    screening = Screening.objects.get()
    assert response["Location"] == reverse("enrollment:screening_detail", args=[screening.pk])
    assert (screening.initials, screening.screening_number) == ("ZQ", "01-S001")


def test_bad_screening_input_is_shown_next_to_the_fields(coordinator_client, site):
    response = coordinator_client.post(
        reverse("enrollment:screening_create"),
        {
            "site": site.pk,
            "initials": "Z1",
            "date_of_birth": "2030-01-01",
            "sex": "M",
            "childbearing_potential": "on",
            "screening_date": "2026-01-01",
        },
    )
    errors = response.context["form"].errors
    assert "Use 2 to 4 letters" in errors["initials"][0]
    assert "cannot be in the future" in errors["date_of_birth"][0]
    assert "Only a woman" in errors["childbearing_potential"][0]
    assert not Screening.objects.exists()


def test_checklist_shows_every_criterion_word_for_word(coordinator_client, screening):
    from trial_edc.study import study

    html = coordinator_client.get(
        reverse("enrollment:checklist_edit", args=[screening.pk])
    ).content.decode()
    for c in (*study().inclusion, *study().exclusion):
        assert c.text.replace("'", "&#x27;") in html


def test_checklist_unanswered_criterion_is_refused_next_to_it(coordinator_client, screening):
    data = _form(answers_all_met() | evidence_supporting(screening.screening_date))
    del data["exclusion_7"]
    response = coordinator_client.post(
        reverse("enrollment:checklist_edit", args=[screening.pk]), data
    )
    assert response.context["form"].errors["exclusion_7"] == ["Answer yes or no."]
    assert not EligibilityChecklist.objects.exists()


def test_checklist_inconsistency_is_refused_on_the_form(coordinator_client, screening):
    data = _form(answers_all_met() | evidence_supporting(screening.screening_date))
    data["anti_mda5_result"] = "NEG"
    response = coordinator_client.post(
        reverse("enrollment:checklist_edit", args=[screening.pk]), data
    )
    assert "anti-MDA5 result is negative" in response.context["form"].errors["inclusion_1"][0]
    assert not EligibilityChecklist.objects.exists()


def test_checklist_edit_needs_a_reason(coordinator_client, site, coordinator):
    screening = eligible_screening(site=site, user=coordinator)
    data = _form(answers_all_met() | evidence_supporting(screening.screening_date))
    data["exclusion_2"] = "True"
    url = reverse("enrollment:checklist_edit", args=[screening.pk])
    response = coordinator_client.post(url, data)
    assert "reason_for_change" in response.context["form"].errors
    data["reason_for_change"] = "Allergy history found in records"
    assert coordinator_client.post(url, data).status_code == 302
    screening.refresh_from_db()
    assert screening.status == Screening.Status.SCREEN_FAILURE


def test_monitor_cannot_post_a_checklist(monitor_client, screening):
    data = _form(answers_all_met() | evidence_supporting(screening.screening_date))
    response = monitor_client.post(reverse("enrollment:checklist_edit", args=[screening.pk]), data)
    assert response.status_code == 403
    assert not EligibilityChecklist.objects.exists()


def test_investigator_enrols_and_lands_on_the_dashboard(investigator_client, site, coordinator):
    screening = eligible_screening(site=site, user=coordinator)
    day1 = screening.screening_date + timedelta(days=2)
    response = investigator_client.post(
        reverse("enrollment:enroll", args=[screening.pk]),
        {
            "first_dose_date": day1.isoformat(),
            "confirm": "on",
            "enrolled_on": screening.screening_date.isoformat(),
        },
    )
    subject = Subject.objects.get()
    assert response["Location"] == reverse("portal:subject_dashboard", args=[subject.pk])
    page = investigator_client.get(response["Location"]).content.decode()
    assert "01-001" in page
    assert day1.isoformat() in page


def test_enrol_form_shows_the_window_refusal(investigator_client, site, coordinator):
    screening = eligible_screening(site=site, user=coordinator)
    response = investigator_client.post(
        reverse("enrollment:enroll", args=[screening.pk]),
        {
            "first_dose_date": (screening.screening_date + timedelta(days=30)).isoformat(),
            "confirm": "on",
            "enrolled_on": screening.screening_date.isoformat(),
        },
    )
    assert "screening window" in response.context["form"].errors["first_dose_date"][0]
    assert not Subject.objects.exists()


def test_coordinator_post_to_enrol_is_forbidden(coordinator_client, site, coordinator):
    screening = eligible_screening(site=site, user=coordinator)
    response = coordinator_client.post(
        reverse("enrollment:enroll", args=[screening.pk]),
        {
            "first_dose_date": screening.screening_date.isoformat(),
            "confirm": "on",
            "enrolled_on": screening.screening_date.isoformat(),
        },
    )
    assert response.status_code == 403
    assert not Subject.objects.exists()


def test_other_sites_screenings_and_subjects_are_invisible(
    coordinator_client, make_user, other_site
):
    from trial_edc.accounts.roles import Role

    far_coord = make_user(Role.SITE_COORDINATOR, [other_site], username="far_coord")
    far_inv = make_user(Role.INVESTIGATOR, [other_site], username="far_inv")
    subject = enrolled_subject(site=other_site, coordinator=far_coord, investigator=far_inv)
    screening = subject.screening
    for url in [
        reverse("enrollment:screening_detail", args=[screening.pk]),
        reverse("enrollment:checklist_edit", args=[screening.pk]),
        reverse("portal:subject_dashboard", args=[subject.pk]),
        reverse("portal:record_audit", args=["enrollment", "screening", screening.pk]),
    ]:
        assert coordinator_client.get(url).status_code == 404, url
    assert (
        coordinator_client.post(
            reverse("enrollment:subject_end", args=[subject.pk]),
            {
                "status": "withdrawn",
                "on": date.today().isoformat(),
                "reason": "x",
                "decided_by": "x",
            },
        ).status_code
        == 404
    )
    assert (
        "02-S001"
        not in coordinator_client.get(reverse("enrollment:screening_log")).content.decode()
    )


def test_monitor_sees_the_screening_log_read_only(monitor_client, screening):
    html = monitor_client.get(reverse("enrollment:screening_log")).content.decode()
    assert screening.screening_number in html
    assert reverse("enrollment:screening_create") not in html
    detail = monitor_client.get(
        reverse("enrollment:screening_detail", args=[screening.pk])
    ).content.decode()
    assert reverse("enrollment:checklist_edit", args=[screening.pk]) not in detail


def test_subject_list_filters_withdrawn_and_overdue(
    coordinator_client, site, coordinator, investigator
):
    from enrollment import services

    long_ago = date.today() - timedelta(days=60)
    overdue = enrolled_subject(
        site=site,
        coordinator=coordinator,
        investigator=investigator,
        screening_date=long_ago,
        day1=long_ago + timedelta(days=1),
    )
    fresh = enrolled_subject(site=site, coordinator=coordinator, investigator=investigator)
    services.subject_end(
        subject=fresh,
        user=coordinator,
        status="withdrawn",
        on=date.today(),
        reason="moved away",
        decided_by="the subject",
    )
    response = coordinator_client.get(reverse("enrollment:subject_list") + "?overdue=1")
    assert [s.subject_number for s in response.context["subjects"]] == [overdue.subject_number]
    assert response.context["counts"]["overdue"] == 1
    response = coordinator_client.get(reverse("enrollment:subject_list") + "?status=withdrawn")
    assert [s.subject_number for s in response.context["subjects"]] == [fresh.subject_number]


def test_dashboard_shows_day_in_study_and_visit_status(
    coordinator_client, site, coordinator, investigator
):
    start = site_today(site) - timedelta(days=14)
    subject = enrolled_subject(
        site=site,
        coordinator=coordinator,
        investigator=investigator,
        screening_date=start - timedelta(days=1),
        day1=start,
    )
    response = coordinator_client.get(reverse("portal:subject_dashboard", args=[subject.pk]))
    assert response.context["study_day"] == 15
    html = response.content.decode()
    status = {c: s for s, c in re.findall(r'<tr class="visit-(\w+)" data-visit="(\w+)"', html)}
    assert status["SCREENING"] == "done"
    assert status["BASELINE"] == "overdue"
    assert status["DAY14"] == "due"
    assert status["DAY28"] == "upcoming"


def test_consort_summary_counts_each_outcome(coordinator_client, site, coordinator, investigator):
    from portal.demo.enrollment import complete_checklist

    enrolled_subject(site=site, coordinator=coordinator, investigator=investigator)
    complete_checklist(
        open_screening(site=site, user=coordinator, date_of_birth=date(1930, 1, 1)), coordinator
    )
    for exclusion in ("exclusion_4", "exclusion_4", "exclusion_9"):
        complete_checklist(
            open_screening(site=site, user=coordinator), coordinator, **{exclusion: True}
        )
    open_screening(site=site, user=coordinator)
    flow = coordinator_client.get(reverse("enrollment:consort")).context["flow"]
    assert (flow.screened, flow.screen_failures, flow.enrolled, flow.in_screening) == (6, 3, 1, 2)
    assert flow.failures_by_criterion[0] == (
        "Exclusion 4 applies: Currently diagnosed pulmonary embolism.",
        2,
    )


@pytest.mark.parametrize("n", [5, 50])
def test_lists_and_dashboard_run_a_constant_number_of_queries(
    n, coordinator_client, site, coordinator, investigator, django_assert_max_num_queries
):
    subjects = [
        enrolled_subject(site=site, coordinator=coordinator, investigator=investigator)
        for _ in range(n)
    ]
    for url in (
        reverse("enrollment:subject_list"),
        reverse("enrollment:screening_log"),
        reverse("enrollment:consort"),
    ):
        with django_assert_max_num_queries(12):
            assert coordinator_client.get(url).status_code == 200
    # the dashboard also draws the treatment strip, vitals, blood gases, trends, the visit
    # forms and the change from baseline (one query per efficacy form);
    # + 1 each for the subject's queries, freeze or lock, and verification and sign-off (the
    # data management panels)
    with django_assert_max_num_queries(26):
        coordinator_client.get(reverse("portal:subject_dashboard", args=[subjects[-1].pk]))


def test_corrected_date_of_birth_decides_eligibility_again(coordinator_client, site, coordinator):
    screening = eligible_screening(site=site, user=coordinator)
    data = {
        "initials": screening.initials,
        "date_of_birth": "1940-01-01",
        "sex": screening.sex,
        "screening_date": screening.screening_date.isoformat(),
    }
    url = reverse("enrollment:screening_edit", args=[screening.pk])
    assert "reason_for_change" in coordinator_client.post(url, data).context["form"].errors
    response = coordinator_client.post(url, data | {"reason_for_change": "Typo in birth year"})
    assert response.status_code == 302
    screening.refresh_from_db()
    assert screening.status == Screening.Status.SCREEN_FAILURE
    assert [f["code"] for f in screening.failed_criteria] == ["date_of_birth"]
    last = screening.events.order_by("pgh_id").last()
    assert last.pgh_context["reason"] == "Typo in birth year"
