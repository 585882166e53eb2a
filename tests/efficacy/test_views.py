"""Blood gases entered in the units the lab reports; P/F and S/F computed on save."""

from decimal import Decimal

from django.urls import reverse

from efficacy.models import BloodGas
from trial_edc.core.clock import study_day_date


def _post(client, subject, **data):
    at = f"{study_day_date(subject.day1, 3).isoformat()}T07:15"
    values = {
        "sampled_at": at,
        "pressure_unit": "mmHg",
        "pao2": "62",
        "paco2": "38",
        "ph": "7.44",
        "fio2": "0.40",
        "spo2": "91",
        "oxygen_support": "HFNC",
    } | data
    return client.post(reverse("efficacy:blood_gas_create", args=[subject.pk]) + "?day=3", values)


def test_kpa_and_percent_are_converted_and_ratios_computed(coordinator_client, subject):
    response = _post(
        coordinator_client, subject, pressure_unit="kPa", pao2="8.0", paco2="5.1", fio2="40"
    )
    assert response["Location"] == reverse("portal:treatment_day", args=[subject.pk, 3])
    gas = BloodGas.objects.get()
    assert (gas.pao2, gas.paco2, gas.fio2) == (Decimal("60.0"), Decimal("38.3"), Decimal("0.40"))
    assert gas.pf_ratio == Decimal("150")
    assert gas.sf_ratio == Decimal("228")  # 91 / 0.40 = 227.5, rounded half up
    assert gas.study_day == 3


def test_no_sf_ratio_above_97_percent(coordinator_client, subject):
    _post(coordinator_client, subject, spo2="98")
    assert BloodGas.objects.get().sf_ratio is None


def test_impossible_values_are_refused_next_to_their_fields(coordinator_client, subject):
    response = _post(coordinator_client, subject, pao2="900", ph="8.2", fio2="150")
    errors = response.context["form"].errors
    assert {"pao2", "ph", "fio2"} <= set(errors)
    assert not BloodGas.objects.exists()


def test_page_labels_the_ratio_as_pao2_over_fio2(coordinator_client, subject):
    _post(coordinator_client, subject)
    html = coordinator_client.get(
        reverse("portal:treatment_day", args=[subject.pk, 3])
    ).content.decode()
    assert "PaO2/FiO2" in html
    assert "<strong>155</strong>" in html  # 62 / 0.40
