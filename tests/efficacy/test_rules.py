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
        oxygen_support="HFNC",
    )
    assert [p.field for p in problems] == ["pao2", "paco2", "ph", "fio2", "spo2"]


def _scores(ggo, fib):
    from trial_edc.study import study

    return {zone: (ggo[i], fib[i]) for i, zone in enumerate(study().hrct_zones)}


def test_hrct_totals_sum_the_six_zones():
    scores = _scores([1, 2, 3, 0, 1, 4], [0, 1, 2, 0, 0, 3])
    assert rules.hrct_totals(scores) == (11, 6, 17)


def test_hrct_scores_outside_0_to_5_are_refused():
    scores = _scores([1, 2, 6, 0, 1, 4], [0, 1, 2, 0, 0, -1])
    assert [p.field for p in rules.hrct_score_problems(scores)] == ["ggo_3", "fib_6"]


@pytest.mark.parametrize(
    ("baseline", "value", "absolute", "percent"),
    [
        (Decimal("150"), Decimal("210"), Decimal("60.0"), Decimal("40.0")),
        (Decimal("62.5"), Decimal("55.0"), Decimal("-7.5"), Decimal("-12.0")),
        (Decimal("3"), Decimal("2"), Decimal("-1.0"), Decimal("-33.3")),
        (Decimal("0"), Decimal("2"), Decimal("2.0"), None),
        (None, Decimal("2"), None, None),
    ],
)
def test_change_and_percent_change_from_baseline(baseline, value, absolute, percent):
    assert rules.change_from_baseline(baseline, value) == (absolute, percent)


def test_summary_statistics_skip_missing_and_not_done_values():
    stats = rules.summary_stats([Decimal("150"), None, Decimal("210"), Decimal("180"), None])
    assert stats == rules.SummaryStats(
        n=3,
        mean=Decimal("180.0"),
        sd=Decimal("30.0"),
        median=Decimal("180.0"),
        minimum=Decimal("150.0"),
        maximum=Decimal("210.0"),
    )
    assert rules.summary_stats([None]).n == 0
    single = rules.summary_stats([Decimal("7")])
    assert (single.n, single.sd, single.median) == (1, None, Decimal("7.0"))


# --- laboratory ----------------------------------------------------------------------------


def _lab(code):
    from trial_edc.study import study

    return study().lab(code)


@pytest.mark.parametrize(
    ("code", "value", "unit", "standard"),
    [
        ("CREAT", Decimal("1.00"), "mg/dL", Decimal("88.400")),
        ("CRP", Decimal("2.5"), "mg/dL", Decimal("25.000")),
        ("LDH", Decimal("5"), "µkat/L", Decimal("300.000")),
        ("FERRITIN", Decimal("1000"), "pmol/L", Decimal("445.000")),
        ("FERRITIN", Decimal("812"), "ng/mL", Decimal("812.000")),
    ],
)
def test_lab_values_are_converted_to_the_study_unit(code, value, unit, standard):
    assert rules.lab_value_standard(_lab(code), value, unit) == standard


def test_lab_flags_against_the_reference_range():
    assert rules.lab_flag(Decimal("9"), Decimal("10"), Decimal("20")) == "L"
    assert rules.lab_flag(Decimal("21"), Decimal("10"), Decimal("20")) == "H"
    assert rules.lab_flag(Decimal("20"), Decimal("10"), Decimal("20")) == ""
    assert rules.lab_flag(Decimal("600"), None, Decimal("500")) == "H"
    assert rules.lab_flag(Decimal("0"), None, Decimal("500")) == ""


def test_impossible_lab_values_and_ranges_are_refused():
    creatinine = _lab("CREAT")
    # 40 mg/dL = 3536 µmol/L, above the possible 3000
    assert [
        p.field
        for p in rules.lab_result_problems(
            creatinine, value=Decimal("40"), unit="mg/dL", low=None, high=None
        )
    ] == ["CREAT_value"]
    assert not rules.lab_result_problems(
        creatinine, value=Decimal("30"), unit="mg/dL", low=None, high=None
    )
    assert [
        p.field
        for p in rules.lab_result_problems(
            creatinine, value=Decimal("80"), unit="µmol/L", low=Decimal("110"), high=Decimal("45")
        )
    ] == ["CREAT_high"]
    assert [
        p.field
        for p in rules.lab_result_problems(
            creatinine, value=Decimal("80"), unit="g/L", low=None, high=None
        )
    ] == ["CREAT_unit"]
    assert [
        p.field
        for p in rules.lab_result_problems(
            creatinine, value=None, unit="µmol/L", low=Decimal("45"), high=None
        )
    ] == ["CREAT_value"]


# --- pulmonary function --------------------------------------------------------------------


def _pft(**overrides):
    from datetime import date

    values = {
        "done": True,
        "not_done_reason": "",
        "not_done_detail": "",
        "performed_on": date(2026, 3, 1),
        "fvc_litres": Decimal("2.10"),
        "fvc_percent_predicted": Decimal("61.0"),
        "dlco_percent_predicted": None,
        "reference_equation": "GLI",
    } | overrides
    return [p.field for p in rules.pft_problems(**values)]


def test_pft_done_needs_date_fvc_and_reference_equations_but_not_dlco():
    assert _pft() == []
    assert _pft(performed_on=None, fvc_litres=None, reference_equation="") == [
        "performed_on",
        "fvc_litres",
        "reference_equation",
    ]


def test_pft_values_must_be_possible():
    assert _pft(fvc_litres=Decimal("9.5"), dlco_percent_predicted=Decimal("250")) == [
        "fvc_litres",
        "dlco_percent_predicted",
    ]


def test_pft_not_done_needs_a_reason_and_no_values():
    not_done = {"done": False, "performed_on": None}
    assert _pft(**not_done, not_done_reason="unable") == ["fvc_litres", "fvc_percent_predicted"]
    assert _pft(**not_done, fvc_litres=None, fvc_percent_predicted=None) == ["not_done_reason"]
    assert _pft(
        **not_done, fvc_litres=None, fvc_percent_predicted=None, not_done_reason="other"
    ) == ["not_done_detail"]
    assert (
        _pft(**not_done, fvc_litres=None, fvc_percent_predicted=None, not_done_reason="unable")
        == []
    )
