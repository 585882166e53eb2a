"""A study day in a URL or a query string outside the schedule is a 404, never an overflow."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize("day", [99_999_999, 396, 15, 0])
def test_a_dose_page_of_no_study_day_is_a_404(coordinator_client, subject_on_day_6, day):
    url = reverse("dosing:dose_edit", args=[subject_on_day_6.pk, day])
    assert coordinator_client.get(url).status_code == 404


@pytest.mark.parametrize("name", ["safety:vitals_create", "efficacy:blood_gas_create"])
@pytest.mark.parametrize("day", ["99999999", "-99999999"])
def test_a_new_record_for_no_study_day_is_a_404(coordinator_client, subject_on_day_6, name, day):
    url = reverse(name, args=[subject_on_day_6.pk]) + f"?day={day}"
    assert coordinator_client.get(url).status_code == 404


@pytest.mark.parametrize("name", ["safety:vitals_create", "efficacy:blood_gas_create"])
def test_a_day_that_is_no_number_is_a_404(coordinator_client, subject_on_day_6, name):
    url = reverse(name, args=[subject_on_day_6.pk]) + "?day=abc"
    assert coordinator_client.get(url).status_code == 404
