"""A screening dated in the future (9999-12-31) is refused next to its field, so consent and
eligibility never compute a window past the calendar's end (it was a 500 at consent)."""

from django.urls import reverse

from enrollment.models import Screening


def test_a_screening_date_in_the_future_is_refused(coordinator_client, site):
    response = coordinator_client.post(
        reverse("enrollment:screening_create"),
        {
            "site": site.pk,
            "initials": "ABC",
            "date_of_birth": "1970-01-01",
            "sex": "M",
            "screening_date": "9999-12-31",
        },
    )
    assert response.status_code == 200
    assert "screening_date" in response.context["form"].errors
    assert not Screening.objects.exists()


def test_a_correction_to_a_future_screening_date_is_refused(coordinator_client, screening):
    response = coordinator_client.post(
        reverse("enrollment:screening_edit", args=[screening.pk]),
        {
            "initials": screening.initials,
            "date_of_birth": screening.date_of_birth.isoformat(),
            "sex": screening.sex,
            "screening_date": "9999-12-31",
            "reason_for_change": "typing error",
        },
    )
    assert "screening_date" in response.context["form"].errors
