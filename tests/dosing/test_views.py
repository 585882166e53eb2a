"""The nebulization log as coordinators use it, day by day."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dosing.models import ConcomitantMedication, DoseAdministration
from dosing.services import dose_record
from enrollment import services as enrollment_services
from portal.demo.enrollment import enrolled_subject

DOSE = {
    "status": "completed",
    "start_time": "09:00",
    "stop_time": "09:20",
    "volume_ml": "5.0",
    "particles": "2.0e10",
    "device": "Aerogen Solo",
    "lot": "L2026-07",
    "spo2_pre": "95",
    "spo2_post": "94",
}


def _dose_url(subject, day):
    return reverse("dosing:dose_edit", args=[subject.pk, day])


def test_coordinator_records_day_1_and_returns_to_the_day(coordinator_client, subject):
    response = coordinator_client.post(_dose_url(subject, 1), DOSE)
    assert response["Location"] == reverse("portal:treatment_day", args=[subject.pk, 1])
    dose = DoseAdministration.objects.get()
    assert (dose.study_day, dose.date, dose.volume_ml) == (1, subject.day1, Decimal("5.00"))


def test_dose_form_is_prefilled_with_the_configured_dose(coordinator_client, subject):
    form = coordinator_client.get(_dose_url(subject, 2)).context["form"]
    assert form.initial["volume_ml"] == Decimal("5.0")
    assert form.initial["particles"] == Decimal("2.0E+10")


def test_dose_above_the_configured_dose_is_refused_next_to_the_field(coordinator_client, subject):
    response = coordinator_client.post(_dose_url(subject, 1), DOSE | {"volume_ml": "6"})
    assert "at most 5.0 mL" in response.context["form"].errors["volume_ml"][0]
    assert not DoseAdministration.objects.exists()


def test_future_day_is_refused(coordinator_client, subject):
    response = coordinator_client.post(_dose_url(subject, 7), DOSE)  # today is day 6
    assert "future" in " ".join(response.context["form"].errors["__all__"])
    assert not DoseAdministration.objects.exists()


def test_day_15_has_no_page(coordinator_client, subject):
    assert (
        coordinator_client.get(reverse("portal:treatment_day", args=[subject.pk, 15])).status_code
        == 404
    )


def test_second_save_of_a_day_is_an_edit_that_needs_a_reason(coordinator_client, subject):
    coordinator_client.post(_dose_url(subject, 1), DOSE)
    changed = DOSE | {"stop_time": "09:25"}
    response = coordinator_client.post(_dose_url(subject, 1), changed)
    assert "reason_for_change" in response.context["form"].errors
    coordinator_client.post(_dose_url(subject, 1), changed | {"reason_for_change": "Clock"})
    assert DoseAdministration.objects.count() == 1
    assert DoseAdministration.objects.get().stop_time.minute == 25


def test_only_one_administration_per_study_day(subject, coordinator):
    def not_given_on_day_2():
        return DoseAdministration(
            subject=subject,
            study_day=2,
            date=subject.day1 + timedelta(days=1),
            status="not_given",
            reason_not_completed="Fever",
        )

    dose_record(dose=not_given_on_day_2(), user=coordinator)
    with pytest.raises(ValidationError, match="already has an administration"):
        dose_record(dose=not_given_on_day_2(), user=coordinator)
    assert DoseAdministration.objects.count() == 1


def test_dose_after_withdrawal_is_refused(coordinator_client, subject, coordinator):
    enrollment_services.subject_end(
        subject=subject,
        user=coordinator,
        status="withdrawn",
        on=subject.day1,
        reason="consent withdrawn",
        decided_by="the subject",
    )
    response = coordinator_client.post(_dose_url(subject, 2), DOSE)
    assert "left the study" in " ".join(response.context["form"].errors["__all__"])


def test_monitor_reads_but_cannot_record(monitor_client, subject):
    assert (
        monitor_client.get(reverse("portal:treatment_day", args=[subject.pk, 1])).status_code == 200
    )
    assert monitor_client.post(_dose_url(subject, 1), DOSE).status_code == 403
    assert not DoseAdministration.objects.exists()


def test_other_sites_subject_is_not_reachable(coordinator_client, make_user, other_site):
    from trial_edc.accounts.roles import Role

    far = enrolled_subject(
        site=other_site,
        coordinator=make_user(Role.SITE_COORDINATOR, [other_site], username="c2"),
        investigator=make_user(Role.INVESTIGATOR, [other_site], username="i2"),
    )
    assert (
        coordinator_client.get(reverse("portal:treatment_day", args=[far.pk, 1])).status_code == 404
    )
    assert coordinator_client.post(_dose_url(far, 1), DOSE).status_code == 404
    assert coordinator_client.get(reverse("dosing:conmed_list", args=[far.pk])).status_code == 404


def test_dashboard_strip_shows_given_missing_and_compliance(coordinator_client, subject):
    coordinator_client.post(_dose_url(subject, 1), DOSE)
    not_given = {"status": "not_given", "reason_not_completed": "Fever 39.2"}
    coordinator_client.post(_dose_url(subject, 2), not_given)
    html = coordinator_client.get(
        reverse("portal:subject_dashboard", args=[subject.pk])
    ).content.decode()
    assert f'strip-cell strip-given" href="/subjects/{subject.pk}/day/1/' in html
    assert "strip-cell strip-not_given" in html
    assert html.count("strip-cell strip-missing") == 3  # days 3, 4, 5; today is day 6
    assert "1 doses given of 6 days elapsed, 1 of 14 planned" in html


def test_missing_doses_list_names_the_days(coordinator_client, subject):
    coordinator_client.post(_dose_url(subject, 1), DOSE)
    rows = coordinator_client.get(reverse("dosing:missing_doses")).context["rows"]
    assert [(r.subject.subject_number, r.days) for r in rows] == [("01-001", [2, 3, 4, 5])]


@pytest.mark.parametrize("n", [5, 50])
def test_treatment_pages_run_a_constant_number_of_queries(
    n, coordinator_client, site, coordinator, investigator, subject, django_assert_max_num_queries
):
    for _ in range(n):
        enrolled_subject(
            site=site,
            coordinator=coordinator,
            investigator=investigator,
            day1=subject.day1,
            screening_date=subject.screening.screening_date,
        )
    for day in range(1, 6):
        coordinator_client.post(_dose_url(subject, day), DOSE)
    with django_assert_max_num_queries(10):
        assert coordinator_client.get(reverse("dosing:missing_doses")).status_code == 200
    with django_assert_max_num_queries(12):
        assert (
            coordinator_client.get(
                reverse("portal:treatment_day", args=[subject.pk, 3])
            ).status_code
            == 200
        )
    # + 1 each for the subject's queries, freeze or lock, and verification and sign-off (the
    # data management panels)
    with django_assert_max_num_queries(26):
        assert (
            coordinator_client.get(
                reverse("portal:subject_dashboard", args=[subject.pk])
            ).status_code
            == 200
        )


class TestConcomitantMedication:
    URL = "dosing:conmed_create"
    DATA = {
        "category": "corticosteroid",
        "drug": "Methylprednisolone",
        "indication": "RP-ILD",
        "dose": "500",
        "unit": "mg",
        "route": "INTRAVENOUS",
        "frequency": "once daily",
        "start_date": "2026-01-01",
        "ongoing": "on",
    }

    def test_standard_care_from_before_enrolment_is_recorded(self, coordinator_client, subject):
        response = coordinator_client.post(reverse(self.URL, args=[subject.pk]), self.DATA)
        assert response.status_code == 302
        med = ConcomitantMedication.objects.get()
        assert (med.category, med.ongoing) == ("corticosteroid", True)
        assert (
            "Methylprednisolone"
            in coordinator_client.get(
                reverse("dosing:conmed_list", args=[subject.pk])
            ).content.decode()
        )

    def test_stop_before_start_is_refused(self, coordinator_client, subject):
        data = self.DATA | {"ongoing": "", "stop_date": "2025-12-31"}
        response = coordinator_client.post(reverse(self.URL, args=[subject.pk]), data)
        assert "cannot be before the start" in response.context["form"].errors["stop_date"][0]
        assert not ConcomitantMedication.objects.exists()
