"""Issue 19, point 1: a PaO2 of 0 (hence a PaO2/FiO2 of 0) is refused next to the field with
the plausible range of the study configuration; the database refuses it whatever writes."""

import pytest
from django.db import IntegrityError, connection, transaction

from efficacy.models import BloodGas
from tests.efficacy.test_blood_gas_oxygen import _post
from trial_edc.study import study


@pytest.mark.parametrize(("unit", "value"), [("mmHg", "0"), ("kPa", "0"), ("mmHg", "-60")])
def test_pao2_of_zero_is_refused_next_to_the_field(coordinator_client, subject, unit, value):
    response = _post(coordinator_client, subject, pressure_unit=unit, pao2=value)
    assert response.status_code == 200
    message = response.context["form"].errors["pao2"][0]
    assert str(study().pao2_plausible.low) in message
    assert not BloodGas.objects.exists()


def test_database_refuses_a_pao2_of_zero_written_by_sql(coordinator_client, subject):
    assert _post(coordinator_client, subject).status_code == 302
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE efficacy_bloodgas SET pao2 = 0")
