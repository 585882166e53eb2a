"""Golden tests of the safety laboratory's CTCAE v5.0 grading, written from the CTCAE text
(safety/data/ctcae_v5_terms.csv, grade columns): every expected grade below is typed by hand
from the definition quoted next to it, never computed by the code under test. Each threshold
is tested exactly on its boundary and just past it."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from safety.labs.grading import (
    baseline_of,
    grade_value,
    grading_path,
    grading_table,
    load_grading,
    measure,
    signal,
)
from trial_edc.study import study

D = Decimal


def grade(code, value, *, lln=None, uln=None, unit=None, baseline=None, after_first_dose=True):
    """The grade of `value` (in `unit`, the study unit by default); `baseline`: (value, lln,
    uln[, unit]) of the subject's baseline result."""
    test = study().safety_lab(code)
    base = None
    if baseline is not None:
        b_value, b_lln, b_uln, *b_unit = baseline
        base = measure(test, D(str(b_value)), b_unit[0] if b_unit else test.unit, b_lln, b_uln)
    value = measure(test, D(str(value)), unit or test.unit, lln, uln)
    return grade_value(
        grading_table()[code], test, value, baseline=base, after_first_dose=after_first_dose
    )


# --- increased, multiples of ULN when the baseline was normal -----------------------------
# ALT/AST: 1 ">ULN - 3.0 x ULN", 2 ">3.0 - 5.0 x ULN", 3 ">5.0 - 20.0 x ULN", 4 ">20.0 x ULN"
TRANSAMINASE_BASELINE_NORMAL = [
    ("40", 0),  # exactly the ULN is not above it
    ("40.01", 1),
    ("120", 1),  # exactly 3.0 x ULN: grade 1 ('>ULN - 3.0 x ULN')
    ("120.01", 2),
    ("200", 2),  # exactly 5.0 x ULN
    ("200.01", 3),
    ("240", 3),  # 6 x ULN
    ("800", 3),  # exactly 20.0 x ULN
    ("800.01", 4),
]


@pytest.mark.parametrize("code", ["ALT", "AST"])
@pytest.mark.parametrize(("value", "expected"), TRANSAMINASE_BASELINE_NORMAL)
def test_transaminases_with_a_normal_baseline_are_graded_by_multiples_of_uln(code, value, expected):
    assert grade(code, value, uln=40, baseline=(30, None, 40)).grade == expected


# ALT/AST baseline abnormal: 1 "1.5 - 3.0 x baseline", 2 ">3.0 - 5.0 x baseline",
# 3 ">5.0 - 20.0 x baseline", 4 ">20.0 x baseline" (baseline 60 U/L, above its ULN of 40)
TRANSAMINASE_BASELINE_ABNORMAL = [
    ("89.99", 0),  # below 1.5 x baseline: no grade, although above the ULN
    ("90", 1),  # exactly 1.5 x baseline: grade 1 (the text says "1.5 -", not ">1.5")
    ("180", 1),  # exactly 3.0 x baseline
    ("180.01", 2),
    ("300", 2),
    ("300.01", 3),
    ("1200", 3),
    ("1200.01", 4),
]


@pytest.mark.parametrize("code", ["ALT", "AST"])
@pytest.mark.parametrize(("value", "expected"), TRANSAMINASE_BASELINE_ABNORMAL)
def test_transaminases_with_an_abnormal_baseline_are_graded_by_multiples_of_baseline(
    code, value, expected
):
    assert grade(code, value, uln=40, baseline=(60, None, 40)).grade == expected


def test_alt_six_times_uln_is_grade_3_with_its_explanation():
    g = grade("ALT", 240, uln=40, baseline=(25, None, 40))
    assert g.grade == 3
    assert g.ctcae_term == "Alanine aminotransferase increased"
    assert g.rule == ">5.0 - 20.0 x ULN if baseline was normal"
    assert g.inputs["reference"] == D("40") and g.inputs["multiple"] == D("5.0")
    assert g.inputs["ratio"] == D("6.00")
    assert "240 U/L > 5 × ULN (40 U/L)" in g.explanation


# bilirubin: normal 1 ">ULN - 1.5 x ULN", 2 ">1.5 - 3.0 x ULN", 3 ">3.0 - 10.0 x ULN",
# 4 ">10.0 x ULN"; abnormal 1 "> 1.0 - 1.5 x baseline", 2 ">1.5 - 3.0", 3 ">3.0 - 10.0",
# 4 ">10.0 x baseline"
@pytest.mark.parametrize(
    ("value", "baseline", "expected"),
    [
        ("20", (10, None, 20), 0),
        ("20.01", (10, None, 20), 1),
        ("30", (10, None, 20), 1),  # exactly 1.5 x ULN
        ("30.01", (10, None, 20), 2),
        ("60", (10, None, 20), 2),
        ("60.01", (10, None, 20), 3),
        ("200", (10, None, 20), 3),
        ("200.01", (10, None, 20), 4),
        # baseline 30 µmol/L, above its ULN of 20: abnormal
        ("30", (30, None, 20), 0),  # exactly 1.0 x baseline: not "> 1.0"
        ("30.01", (30, None, 20), 1),
        ("45", (30, None, 20), 1),
        ("45.01", (30, None, 20), 2),
        ("90", (30, None, 20), 2),
        ("90.01", (30, None, 20), 3),
        ("300", (30, None, 20), 3),
        ("300.01", (30, None, 20), 4),
    ],
)
def test_total_bilirubin(value, baseline, expected):
    assert grade("BILI", value, uln=20, baseline=baseline).grade == expected


# ALP: normal 1 ">ULN - 2.5 x ULN", 2 ">2.5 - 5.0", 3 ">5.0 - 20.0", 4 ">20.0 x ULN";
# abnormal 1 "2.0 - 2.5 x baseline", 2 ">2.5 - 5.0", 3 ">5.0 - 20.0", 4 ">20.0 x baseline"
@pytest.mark.parametrize(
    ("value", "baseline", "expected"),
    [
        ("125", (80, None, 125), 0),
        ("125.01", (80, None, 125), 1),
        ("312.5", (80, None, 125), 1),
        ("312.51", (80, None, 125), 2),
        ("625", (80, None, 125), 2),
        ("625.01", (80, None, 125), 3),
        ("2500", (80, None, 125), 3),
        ("2500.01", (80, None, 125), 4),
        # baseline 150 U/L, above its ULN of 125
        ("299.99", (150, None, 125), 0),
        ("300", (150, None, 125), 1),  # exactly 2.0 x baseline: "2.0 -" includes it
        ("375", (150, None, 125), 1),
        ("375.01", (150, None, 125), 2),
        ("750", (150, None, 125), 2),
        ("750.01", (150, None, 125), 3),
        ("3000", (150, None, 125), 3),
        ("3000.01", (150, None, 125), 4),
    ],
)
def test_alkaline_phosphatase(value, baseline, expected):
    assert grade("ALP", value, uln=125, baseline=baseline).grade == expected


# CPK: 1 ">ULN - 2.5 x ULN", 2 ">2.5 x ULN - 5 x ULN", 3 ">5 x ULN - 10 x ULN", 4 ">10 x ULN"
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("200", 0),
        ("200.01", 1),
        ("500", 1),
        ("500.01", 2),
        ("1000", 2),
        ("1000.01", 3),
        ("2000", 3),
        ("2000.01", 4),
    ],
)
def test_creatine_kinase(value, expected):
    assert grade("CK", value, uln=200, baseline=(100, None, 200)).grade == expected


# creatinine: 1 ">ULN - 1.5 x ULN", 2 ">1.5 - 3.0 x baseline; >1.5 - 3.0 x ULN",
# 3 ">3.0 x baseline; >3.0 - 6.0 x ULN", 4 ">6.0 x ULN"
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("110", 0),
        ("110.01", 1),
        ("165", 1),
        ("165.01", 2),
        ("330", 2),
        ("330.01", 3),
        ("660", 3),
        ("660.01", 4),
    ],
)
def test_creatinine_by_uln_before_the_first_dose(value, expected):
    # before the first dose there is no baseline to compare with: the ULN alone grades
    assert grade("CREAT", value, uln=110, baseline=(50, 45, 110), after_first_dose=False).grade == (
        expected
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("75", 0),  # exactly 1.5 x baseline 50, and under the ULN
        ("75.01", 2),  # >1.5 x baseline: grade 2 although under the ULN
        ("100", 2),  # 2.0 x baseline; under the ULN
        ("150", 2),  # exactly 3.0 x baseline; 1.36 x ULN is grade 1: the worse is 2
        ("150.01", 3),  # >3.0 x baseline
        ("700", 4),  # 14 x baseline is grade 3, 6.36 x ULN grade 4: the worse is 4
        ("170", 3),  # 3.4 x baseline (3) against 1.55 x ULN (2): the worse is 3
    ],
)
def test_creatinine_takes_the_worse_of_the_uln_and_baseline_grades(value, expected):
    assert grade("CREAT", value, uln=110, baseline=(50, 45, 110)).grade == expected


# --- decreased: below LLN, then absolute values -------------------------------------------
@pytest.mark.parametrize(
    ("code", "lln", "value", "expected"),
    [
        # Anemia: 1 "<LLN - 100 g/L", 2 "<100 - 80g/L", 3 "<80 g/L; transfusion indicated";
        # grade 4 is clinical ("life-threatening consequences"): never from a value
        ("HGB", 115, "115", 0),
        ("HGB", 115, "114.9", 1),
        ("HGB", 115, "100", 1),
        ("HGB", 115, "99.9", 2),
        ("HGB", 115, "80", 2),
        ("HGB", 115, "79.9", 3),
        ("HGB", 115, "30", 3),
        # WBC decreased: "<LLN - 3.0", "<3.0 - 2.0", "<2.0 - 1.0", "<1.0 x 10e9 /L"
        ("WBC", 4, "4.0", 0),
        ("WBC", 4, "3.99", 1),
        ("WBC", 4, "3.0", 1),
        ("WBC", 4, "2.99", 2),
        ("WBC", 4, "2.0", 2),
        ("WBC", 4, "1.99", 3),
        ("WBC", 4, "1.0", 3),
        ("WBC", 4, "0.99", 4),
        # Neutrophil count decreased: "<LLN - 1.5", "<1.5 - 1.0", "<1.0 - 0.5", "<0.5"
        ("NEUT", "1.8", "1.8", 0),
        ("NEUT", "1.8", "1.79", 1),
        ("NEUT", "1.8", "1.5", 1),
        ("NEUT", "1.8", "1.49", 2),
        ("NEUT", "1.8", "1.0", 2),
        ("NEUT", "1.8", "0.99", 3),
        ("NEUT", "1.8", "0.5", 3),
        ("NEUT", "1.8", "0.49", 4),
        # Lymphocyte count decreased: "<LLN - 0.8", "<0.8 - 0.5", "<0.5 - 0.2", "<0.2"
        ("LYM", "1.0", "1.0", 0),
        ("LYM", "1.0", "0.99", 1),
        ("LYM", "1.0", "0.8", 1),
        ("LYM", "1.0", "0.79", 2),
        ("LYM", "1.0", "0.5", 2),
        ("LYM", "1.0", "0.49", 3),
        ("LYM", "1.0", "0.2", 3),
        ("LYM", "1.0", "0.19", 4),
        # Platelet count decreased: "<LLN - 75.0", "<75.0 - 50.0", "<50.0 - 25.0", "<25.0"
        ("PLAT", 125, "125", 0),
        ("PLAT", 125, "124", 1),
        ("PLAT", 125, "75", 1),
        ("PLAT", 125, "74.9", 2),
        ("PLAT", 125, "50", 2),
        ("PLAT", 125, "49.9", 3),
        ("PLAT", 125, "25", 3),
        ("PLAT", 125, "24.9", 4),
    ],
)
def test_counts_and_haemoglobin_graded_downwards(code, lln, value, expected):
    assert grade(code, value, lln=lln, baseline=(value, lln, None)).grade == expected


# --- units ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "value", "unit", "lln", "uln", "expected"),
    [
        ("HGB", "10.0", "g/dL", "11.5", None, 1),  # 100 g/L: "<LLN - 100 g/L"
        ("HGB", "9.9", "g/dL", "11.5", None, 2),  # 99 g/L: "<100 - 80 g/L"
        ("HGB", "7.9", "g/dL", "11.5", None, 3),  # 79 g/L: "<80 g/L"
        ("NEUT", "1000", "/mm³", "1800", None, 2),  # 1.0 x 10e9/L: "<1.5 - 1.0"
        ("NEUT", "999", "/mm³", "1800", None, 3),  # "<1000 - 500/mm3"
        ("PLAT", "49", "10^3/µL", "125", None, 3),
        ("CREAT", "1.86", "mg/dL", None, "1.24", 1),  # exactly 1.5 x ULN in mg/dL
        ("CREAT", "1.87", "mg/dL", None, "1.24", 2),
        ("BILI", "1.8", "mg/dL", None, "1.2", 1),  # exactly 1.5 x ULN
        ("BILI", "1.81", "mg/dL", None, "1.2", 2),
        ("ALT", "4.0", "µkat/L", None, "0.66", 3),  # 6.06 x ULN in the unit reported
    ],
)
def test_values_in_other_units_are_graded_as_in_the_si_unit(code, value, unit, lln, uln, expected):
    assert grade(code, value, unit=unit, lln=lln, uln=uln, after_first_dose=False).grade == expected


def test_creatinine_baseline_and_value_in_different_units():
    # baseline 50 µmol/L; 1.0 mg/dL = 88.4 µmol/L = 1.77 x baseline: grade 2 (">1.5 - 3.0")
    g = grade("CREAT", "1.0", unit="mg/dL", uln="1.24", baseline=(50, 45, 110, "µmol/L"))
    assert g.grade == 2
    assert g.inputs["basis"] == "baseline"


def test_the_conversion_is_the_study_rule_shared_with_the_efficacy_labs():
    from efficacy.rules import lab_value_standard

    creat = study().safety_lab("CREAT")
    assert creat is study().lab("CREAT")
    assert lab_value_standard(creat, D("1.00"), "mg/dL") == D("88.400")
    assert creat.to_standard(D("1.00"), "mg/dL") == D("88.400")
    assert study().safety_lab("HGB").to_standard(D("9.5"), "g/dL") == D("95.000")
    assert study().safety_lab("PLAT").to_standard(D("75000"), "/mm³") == D("75.000")
    assert study().safety_lab("BILI").to_standard(D("1.2"), "mg/dL") == D("20.520")


# --- missing limits: not graded, never guessed --------------------------------------------
def test_a_value_without_its_uln_is_not_graded():
    g = grade("ALT", 400, uln=None, baseline=(30, None, 40))
    assert g.grade is None and not g.graded
    assert "not graded: limits missing" in g.explanation


def test_a_count_without_its_lln_is_not_graded_even_when_very_low():
    assert grade("NEUT", "0.1", lln=None, baseline=("2", "1.8", None)).grade is None


def test_an_abnormal_or_normal_baseline_cannot_be_told_without_the_baselines_uln():
    g = grade("ALT", 400, uln=40, baseline=(30, None, None))
    assert g.grade is None
    assert "baseline" in g.explanation


# --- the baseline -------------------------------------------------------------------------
def test_the_baseline_is_the_last_value_before_the_first_dose():
    dose = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    specimens = [
        (dose - timedelta(days=6), "screening"),
        (dose - timedelta(hours=2), "day 1 pre-dose"),
        (dose, "at the dose"),  # not before it
        (dose + timedelta(days=6), "day 7"),
    ]
    assert baseline_of(specimens, dose) == "day 1 pre-dose"
    assert baseline_of(specimens[2:], dose) is None
    assert baseline_of(specimens, None) is None  # no dose yet: no baseline


def test_the_baseline_is_graded_against_its_own_limits_never_against_itself():
    # ALT 100 U/L at baseline, ULN 40: 2.5 x ULN is grade 1 ('>ULN - 3.0 x ULN'); graded
    # against itself (1.0 x baseline) it would be 0
    assert grade("ALT", 100, uln=40, baseline=(100, None, 40), after_first_dose=False).grade == 1
    # creatinine at baseline: 1.0 x itself adds nothing; within its ULN: grade 0
    assert grade("CREAT", 100, uln=110, baseline=(100, 45, 110), after_first_dose=False).grade == 0


# --- when a value is put to the investigator ----------------------------------------------
def test_grade_3_or_a_rise_of_two_grades_from_baseline_is_a_signal():
    g3 = grade("ALT", 240, uln=40, baseline=(30, None, 40))
    g2 = grade("NEUT", "1.2", lln="1.8", baseline=("2.0", "1.8", None))
    base0 = grade("NEUT", "2.0", lln="1.8", after_first_dose=False)
    base1 = grade("NEUT", "1.6", lln="1.8", after_first_dose=False)
    assert signal(g3, None)
    assert signal(g2, base0)  # 0 -> 2
    assert not signal(g2, base1)  # 1 -> 2
    assert not signal(g2, None)


# --- the table is data --------------------------------------------------------------------
def test_every_graded_analyte_of_the_safety_panels_has_a_row_per_gradable_grade():
    table = grading_table()
    assert set(table) == {t.code for t in study().safety_labs}
    assert {t.grade for t in table["HGB"].thresholds} == {1, 2, 3}  # 4 and 5 are clinical
    assert all(max(t.grade for t in r.thresholds) <= 4 for r in table.values())


def test_the_table_quotes_the_ctcae_text_of_each_term(db):
    from safety.models import CtcaeTerm

    for rule in grading_table().values():
        term = CtcaeTerm.objects.get(meddra_code=rule.meddra_code)
        assert term.term == rule.ctcae_term
        definitions = " ".join(term.grade_definitions().values())
        for t in rule.thresholds:
            assert t.ctcae_text.replace(" ", "") in definitions.replace(" ", ""), t


def test_another_ctcae_version_is_another_data_file(tmp_path):
    # a made-up version whose ALT grade 1 starts at 2 x ULN: data, no code
    v5 = grading_path("5.0").read_text(encoding="utf-8")
    changed = v5.replace(
        "ALT,Alanine aminotransferase increased,10001551,high,1,uln,normal,gt,1.0",
        "ALT,Alanine aminotransferase increased,10001551,high,1,uln,normal,gt,2.0",
    )
    path = tmp_path / "lab_grading_ctcae_v9.csv"
    path.write_text(changed, encoding="utf-8")
    table = load_grading(path, study().safety_labs)
    test = study().safety_lab("ALT")
    g = grade_value(
        table["ALT"],
        test,
        measure(test, D("60"), "U/L", None, D("40")),
        baseline=None,
        after_first_dose=False,
        version="9",
    )
    assert g.grade == 0
