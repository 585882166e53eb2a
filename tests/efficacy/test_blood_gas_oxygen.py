"""A blood gas's FiO2 agrees with its oxygen support by the vital signs' rule (one rule,
safety.rules.oxygen_problems): room air is FiO2 0.21, so no PaO2/FiO2 comes from a
contradiction."""

from datetime import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from efficacy.models import BloodGas
from efficacy.services import blood_gas_record
from safety import rules as safety_rules
from trial_edc.core.clock import site_moment, study_day_date
from trial_edc.study import study


def _post(client, subject, **data):
    values = {
        "sampled_at": f"{study_day_date(subject.day1, 3).isoformat()}T07:15",
        "pressure_unit": "mmHg",
        "pao2": "62",
        "paco2": "38",
        "ph": "7.44",
        "fio2": "0.40",
        "spo2": "91",
        "oxygen_support": "HFNC",
    } | data
    return client.post(reverse("efficacy:blood_gas_create", args=[subject.pk]), values)


def test_room_air_is_fio2_0_21_for_vitals_and_blood_gas_alike():
    room_air = study().fio2_range.low
    assert safety_rules.oxygen_problems(support="ROOM_AIR", fio2=room_air) == []
    refused = safety_rules.oxygen_problems(support="ROOM_AIR", fio2=Decimal("0.40"))
    assert [p.field for p in refused] == ["fio2"]
    # a record without a flow (the blood gas) is not asked for one
    assert (
        safety_rules.oxygen_problems(
            support="NASAL_CANNULA", fio2=Decimal("0.30"), flow_recorded=False
        )
        == []
    )


def test_blood_gas_form_refuses_room_air_with_fio2_0_40(coordinator_client, subject):
    response = _post(coordinator_client, subject, oxygen_support="ROOM_AIR", fio2="0.40")
    assert response.status_code == 200
    assert "fio2" in response.context["form"].errors
    assert not BloodGas.objects.exists()


def test_blood_gas_form_takes_room_air_as_21_percent(coordinator_client, subject):
    response = _post(coordinator_client, subject, oxygen_support="ROOM_AIR", fio2="21", pao2="84")
    assert response.status_code == 302
    gas = BloodGas.objects.get()
    assert (gas.fio2, gas.pf_ratio) == (Decimal("0.21"), Decimal("400"))


def test_blood_gas_service_refuses_room_air_with_fio2_0_40(subject, coordinator):
    gas = BloodGas(
        subject=subject,
        sampled_at=site_moment(study_day_date(subject.day1, 3), time(7, 15), subject.site),
        pao2=Decimal("62"),
        fio2=Decimal("0.40"),
        oxygen_support="ROOM_AIR",
    )
    with pytest.raises(ValidationError) as refused:
        blood_gas_record(gas=gas, user=coordinator)
    assert "fio2" in refused.value.message_dict
    assert not BloodGas.objects.exists()


def test_blood_gas_service_refuses_ventilation_without_fio2_in_range(subject, coordinator):
    gas = BloodGas(
        subject=subject,
        sampled_at=site_moment(study_day_date(subject.day1, 3), time(7, 15), subject.site),
        pao2=Decimal("62"),
        fio2=Decimal("0.15"),
        oxygen_support="NIV",
    )
    with pytest.raises(ValidationError) as refused:
        blood_gas_record(gas=gas, user=coordinator)
    assert "fio2" in refused.value.message_dict
