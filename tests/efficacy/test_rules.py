from decimal import Decimal

import pytest

from efficacy import rules


@pytest.mark.parametrize(
    ("kpa", "mmhg"),
    [
        (Decimal("8.0"), Decimal("60.0")),
        (Decimal("13.3"), Decimal("99.8")),
        (Decimal("10"), Decimal("75.0")),
    ],
)
def test_kpa_is_converted_to_mmhg(kpa, mmhg):
    assert rules.kpa_to_mmhg(kpa) == mmhg


@pytest.mark.parametrize(
    ("entered", "fraction"),
    [
        (Decimal("40"), Decimal("0.40")),
        (Decimal("21"), Decimal("0.21")),
        (Decimal("0.35"), Decimal("0.35")),
        (Decimal("100"), Decimal("1.00")),
    ],
)
def test_fio2_percent_is_converted_to_a_fraction(entered, fraction):
    assert rules.fio2_fraction(entered) == fraction


def test_pf_ratio_is_pao2_over_fio2():
    assert rules.pf_ratio(Decimal("60.0"), Decimal("0.40")) == Decimal("150")
    assert rules.pf_ratio(Decimal("95"), Decimal("0.21")) == Decimal("452")


def test_sf_ratio_only_when_spo2_at_most_97():
    assert rules.sf_ratio(92, Decimal("0.40")) == Decimal("230")
    assert rules.sf_ratio(97, Decimal("0.50")) == Decimal("194")
    assert rules.sf_ratio(98, Decimal("0.40")) is None
    assert rules.sf_ratio(None, Decimal("0.40")) is None


def test_impossible_blood_gas_values_are_refused():
    problems = rules.blood_gas_problems(
        pao2_mmhg=Decimal("800"),
        paco2=Decimal("5"),
        ph=Decimal("8.1"),
        fio2=Decimal("0.1"),
        spo2=101,
    )
    assert [p.field for p in problems] == ["pao2", "paco2", "ph", "fio2", "spo2"]
