"""Issue 12, point 12: no typed date lies in the future where it cannot, years are bounded
(a year 0001 or 9999 is a message next to its field, never an overflow), and a study day in
a URL or a query string outside the schedule is a 404."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from enrollment.models import Screening, Subject
from portal.demo.enrollment import eligible_screening

FAR_FUTURE, FAR_PAST = "9999-12-31", "0001-01-01"


def _in_two_days() -> str:
    return (date.today() + timedelta(days=2)).isoformat()


def _screening_data(site, **overrides):
    return {
        "site": site.pk,
        "initials": "ZQ",
        "date_of_birth": "1970-02-03",
        "sex": "F",
        "childbearing_potential": "",
        "screening_date": date.today().isoformat(),
    } | overrides


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date_of_birth", FAR_PAST, "from 1900-01-01"),
        ("date_of_birth", FAR_FUTURE, "cannot be in the future"),
        ("screening_date", FAR_FUTURE, "cannot be in the future"),
        ("screening_date", _in_two_days(), "cannot be in the future"),
        ("screening_date", FAR_PAST, "from 1900-01-01"),
    ],
)
def test_screening_dates_are_bounded_next_to_their_field(
    coordinator_client, site, field, value, message
):
    response = coordinator_client.post(
        reverse("enrollment:screening_create"), _screening_data(site, **{field: value})
    )
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert not Screening.objects.exists()


@pytest.mark.parametrize("value", [f"{FAR_PAST}T00:00", f"{FAR_FUTURE}T23:59"])
def test_consent_signed_in_year_1_or_9999_is_refused_next_to_the_field(
    coordinator_client, screening, value
):
    response = coordinator_client.post(
        reverse("enrollment:consent_edit", args=[screening.pk]),
        {"version": "2.1", "signed_at": value, "taken_by": screening.created_by_id},
    )
    assert response.status_code == 200
    assert "signed_at" in response.context["form"].errors


@pytest.mark.parametrize("field", ["symptom_onset_date", "hrct_date", "anti_mda5_date"])
def test_checklist_dates_in_year_1_or_in_the_future_are_refused(
    coordinator_client, screening, field
):
    from portal.demo.enrollment import answers_all_met, evidence_supporting

    data = answers_all_met() | evidence_supporting(screening.screening_date)
    data = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}
    url = reverse("enrollment:checklist_edit", args=[screening.pk])
    for value in (FAR_PAST, FAR_FUTURE, _in_two_days()):
        response = coordinator_client.post(url, data | {field: value})
        assert response.status_code == 200
        assert field in response.context["form"].errors


def test_enrolment_bounds_the_planned_day_1_and_refuses_a_future_enrolment(
    investigator_client, site, coordinator
):
    screening = eligible_screening(site=site, user=coordinator)
    url = reverse("enrollment:enroll", args=[screening.pk])
    response = investigator_client.post(
        url, {"first_dose_date": FAR_FUTURE, "enrolled_on": _in_two_days(), "confirm": "on"}
    )
    errors = response.context["form"].errors
    assert "Enter a date between" in errors["first_dose_date"][0]
    assert "cannot be in the future" in errors["enrolled_on"][0]
    assert not Subject.objects.exists()


def test_end_of_study_in_the_future_is_refused(coordinator_client, subject_on_day_6):
    response = coordinator_client.post(
        reverse("enrollment:subject_end", args=[subject_on_day_6.pk]),
        {"status": "withdrawn", "on": _in_two_days(), "reason": "x", "decided_by": "x"},
    )
    assert "cannot be in the future" in response.context["form"].errors["on"][0]
    subject_on_day_6.refresh_from_db()
    assert subject_on_day_6.status == Subject.Status.ON_STUDY


def test_the_end_of_study_service_refuses_a_future_date_too(site, subject_on_day_6, coordinator):
    from django.core.exceptions import ValidationError

    from enrollment.services import subject_end

    with pytest.raises(ValidationError, match="cannot be in the future"):
        subject_end(
            subject=subject_on_day_6,
            user=coordinator,
            status="completed",
            on=date.today() + timedelta(days=2),
            reason="x",
            decided_by="x",
        )


def test_screening_withdrawal_in_year_9999_is_refused(coordinator_client, screening):
    response = coordinator_client.post(
        reverse("enrollment:screening_withdraw", args=[screening.pk]),
        {"withdrawn_on": FAR_FUTURE, "reason": "x"},
    )
    assert "withdrawn_on" in response.context["form"].errors


def test_efficacy_and_dosing_forms_bound_their_dates(coordinator_client, subject_on_day_6):
    pk = subject_on_day_6.pk
    response = coordinator_client.post(
        reverse("efficacy:pft_edit", args=[pk, "BASELINE"]),
        {"done": "True", "performed_on": FAR_PAST},
    )
    assert response.status_code == 200
    assert "from 1900-01-01" in response.context["form"].errors["performed_on"][0]
    response = coordinator_client.post(
        reverse("dosing:conmed_create", args=[pk]),
        {"category": "", "drug": "x", "start_date": FAR_FUTURE, "ongoing": "on"},
    )
    assert response.status_code == 200
    assert "cannot be in the future" in response.context["form"].errors["start_date"][0]


@pytest.mark.parametrize("day", [0, 15, 99999999999, 2**63])
def test_a_treatment_day_outside_days_1_to_14_in_a_url_is_a_404(
    coordinator_client, subject_on_day_6, day
):
    pk = subject_on_day_6.pk
    assert coordinator_client.get(f"/subjects/{pk}/day/{day}/dose/").status_code == 404
    assert coordinator_client.get(f"/subjects/{pk}/day/{day}/").status_code == 404


@pytest.mark.parametrize("day", ["0", "15", "99999999999", "-99999999999", "x"])
def test_a_blood_gas_day_outside_the_treatment_days_in_the_query_string_is_a_404(
    coordinator_client, subject_on_day_6, day
):
    url = reverse("efficacy:blood_gas_create", args=[subject_on_day_6.pk])
    assert coordinator_client.get(url, {"day": day}).status_code == 404
    assert coordinator_client.get(url, {"day": "3"}).status_code == 200
    assert coordinator_client.get(url).status_code == 200


def test_a_day_inside_the_treatment_still_opens_its_dose_form(coordinator_client, subject_on_day_6):
    pk = subject_on_day_6.pk
    assert coordinator_client.get(reverse("dosing:dose_edit", args=[pk, 3])).status_code == 200
