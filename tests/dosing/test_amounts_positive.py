"""Issue 19, point 1: a volume nebulised, a particle count or a concomitant medication's dose
of 0 or less is refused next to its field, with the limits of the study configuration, by the
form and the service alike; the database refuses it whatever writes."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from dosing import rules
from dosing.models import ConcomitantMedication, DoseAdministration
from dosing.services import conmed_record, dose_record
from tests.dosing.test_views import DOSE, TestConcomitantMedication
from trial_edc.core.clock import study_day_date
from trial_edc.study import study


def _dose_url(subject, day):
    return reverse("dosing:dose_edit", args=[subject.pk, day])


@pytest.mark.parametrize(
    ("field", "value"),
    [("volume_ml", "0"), ("volume_ml", "-5"), ("particles", "0"), ("particles", "-2e10")],
)
def test_dose_of_zero_or_less_is_refused_next_to_the_field(
    coordinator_client, subject, field, value
):
    response = coordinator_client.post(_dose_url(subject, 1), DOSE | {field: value})
    assert response.status_code == 200
    message = response.context["form"].errors[field][0]
    assert "more than 0" in message
    limit = study().dose.volume_ml if field == "volume_ml" else "2.00e+10"
    assert str(limit) in message  # the configured dose, not a number of this module
    assert not DoseAdministration.objects.exists()


def test_dose_service_refuses_a_negative_volume(subject, coordinator):
    dose = DoseAdministration(
        subject=subject,
        study_day=1,
        date=study_day_date(subject.day1, 1),
        status="completed",
        start_time="09:00",
        stop_time="09:20",
        volume_ml=Decimal("-1"),
        particles=Decimal("2E10"),
    )
    with pytest.raises(ValidationError) as refused:
        dose_record(dose=dose, user=coordinator)
    assert "volume_ml" in refused.value.message_dict
    assert not DoseAdministration.objects.exists()


def test_amount_rule_takes_its_limits_from_the_study():
    assert rules.amount_problems(Decimal("5.0"), Decimal("2.0E10")) == []
    assert [p.field for p in rules.amount_problems(Decimal("0"), Decimal("0"))] == [
        "volume_ml",
        "particles",
    ]


@pytest.mark.parametrize("value", ["0", "-40"])
def test_conmed_dose_of_zero_or_less_is_refused_next_to_the_field(
    coordinator_client, subject, value
):
    response = coordinator_client.post(
        reverse(TestConcomitantMedication.URL, args=[subject.pk]),
        TestConcomitantMedication.DATA | {"dose": value},
    )
    assert response.status_code == 200
    assert "more than 0" in response.context["form"].errors["dose"][0]
    assert not ConcomitantMedication.objects.exists()


def test_conmed_service_refuses_a_dose_of_zero(subject, coordinator):
    med = ConcomitantMedication(
        subject=subject,
        category="corticosteroid",
        drug="Prednisone",
        indication="DM",
        dose=Decimal("0"),
        unit="mg",
        route="ORAL",
        frequency="once daily",
        start_date=subject.day1,
        ongoing=True,
    )
    with pytest.raises(ValidationError) as refused:
        conmed_record(conmed=med, user=coordinator)
    assert "dose" in refused.value.message_dict


def test_database_refuses_a_dose_volume_of_zero_written_by_sql(subject, coordinator):
    dose_record(
        dose=DoseAdministration(
            subject=subject,
            study_day=1,
            date=study_day_date(subject.day1, 1),
            status="completed",
            start_time="09:00",
            stop_time="09:20",
            volume_ml=Decimal("5"),
            particles=Decimal("2E10"),
        ),
        user=coordinator,
    )
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE dosing_doseadministration SET volume_ml = 0, particles = -1")
