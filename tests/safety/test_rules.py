from decimal import Decimal

import pytest

from safety import rules

NORMAL = {
    "temp": Decimal("36.8"),
    "hr": 80,
    "resp": 16,
    "sysbp": 120,
    "diabp": 75,
    "oxysat": 96,
    "oxygen_support": "ROOM_AIR",
    "flow": None,
    "fio2": Decimal("0.21"),
}


def fields(**changes):
    return [p.field for p in rules.vital_problems(NORMAL | changes)]


def test_normal_vitals_are_accepted_and_not_flagged():
    assert fields() == []
    assert rules.vital_flags(NORMAL) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"oxysat": 101}, "oxysat"),
        ({"temp": Decimal("29.9")}, "temp"),
        ({"temp": Decimal("45.1")}, "temp"),
        ({"hr": 300}, "hr"),
        ({"resp": 2}, "resp"),
    ],
)
def test_impossible_values_are_refused(change, field):
    assert fields(**change) == [field]


def test_temperature_limits_30_and_45_are_possible():
    assert fields(temp=Decimal("30.0")) == []
    assert fields(temp=Decimal("45.0")) == []


def test_systolic_must_exceed_diastolic():
    assert fields(sysbp=80, diabp=80) == ["diabp"]


def test_oxygen_support_needs_its_flow_or_fio2():
    assert fields(oxygen_support="NASAL_CANNULA", fio2=None) == ["flow"]
    assert fields(oxygen_support="HFNC", fio2=None, flow=Decimal("40")) == ["fio2"]
    assert fields(oxygen_support="ROOM_AIR", fio2=Decimal("0.40")) == ["fio2"]
    assert fields(oxygen_support="HFNC", fio2=Decimal("1.2"), flow=Decimal("40")) == ["fio2"]


def test_values_outside_the_normal_range_are_flagged_not_refused():
    values = NORMAL | {"oxysat": 88, "hr": 112, "temp": Decimal("38.2")}
    assert fields(**values) == []
    assert dict(rules.vital_flags(values)) == {"temp": "high", "hr": "high", "oxysat": "low"}
