"""Table 1 (baseline characteristics) against numbers worked out by hand for three subjects.

The fixture, as a statistician would write it down:

- A: male, 41; 170 cm, 65 kg (BMI 22.5); never smoked; DM diagnosed 91 days and ILD 30
  days before day 1; ferritin 500, KL-6 1000; at day 1 methylprednisolone and tacrolimus;
- B: female, 55; 160 cm, 56 kg (BMI 21.9); former smoker; DM 183, ILD 45 days; ferritin 800,
  KL-6 1500; at day 1 prednisone (IVIG given and stopped before day 1);
- C: male, 62; no demographics form; DM 365, ILD 60 days; ferritin 2000, no KL-6; nothing.

By hand (months = days / 30.4375; quartiles by the inclusive method, i.e. linear interpolation
at (n - 1)·p):
- age, normal: mean (41 + 55 + 62) / 3 = 52.67 → 52.7; SD √(((−11.67)² + 2.33² + 9.33²) / 2)
  = √114.33 = 10.69 → 10.7: "52.7 ± 10.7", n 3;
- BMI, normal: 65/1.7² = 22.49 → 22.5 and 56/1.6² = 21.88 → 21.9; mean 22.2, SD 0.6/√2 = 0.42
  → 0.4: "22.2 ± 0.4", n 2, missing 1 (C);
- ferritin, skewed: 500, 800, 2000 → median 800, Q1 500 + 0.5·300 = 650, Q3 800 + 0.5·1200
  = 1400: "800.0 [650.0–1400.0]";
- KL-6, skewed, C missing: 1000, 1500 → median 1250, Q1 1000 + 0.25·500 = 1125, Q3 1375:
  "1250.0 [1125.0–1375.0]", n 2, missing 1 (counted as zero, the median would be 1000);
- DM duration, skewed: 91, 183, 365 days → median 183/30.4375 = 6.01 → 6.0, Q1 137/30.4375 =
  4.50 → 4.5, Q3 274/30.4375 = 9.00 → 9.0: "6.0 [4.5–9.0]";
- sex: M 2 (66.7%), F 1 (33.3%); smoking: never 1 (50.0%), former 1 (50.0%), current 0 (0.0%),
  n 2, missing 1;
- treatments at baseline: corticosteroid 2/3 (66.7%), immunosuppressant 1/3 (33.3%), IVIG 0
  (0.0%: stopped before day 1).
"""

import csv
import io
import subprocess
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dosing.models import ConcomitantMedication
from dosing.services import conmed_record
from efficacy import rules, selectors
from efficacy.models import LabPanel
from efficacy.services import lab_panel_record
from enrollment.baseline.services import demographics_save, disease_history_save
from enrollment.models import Demographics, DiseaseHistory
from portal.demo.enrollment import enrolled_subject
from trial_edc.core.clock import site_today
from trial_edc.study import study


def _subject(site, coordinator, investigator, *, age: int, sex: str, initials: str):
    day1 = site_today(site) - timedelta(days=5)
    consent_on = day1 - timedelta(days=2)  # the demo consents on the screening date
    return enrolled_subject(
        site=site,
        coordinator=coordinator,
        investigator=investigator,
        day1=day1,
        screening_date=consent_on,
        initials=initials,
        sex=sex,
        # born on 1 January: `age` years old on any day of the consent's year
        date_of_birth=date(consent_on.year - age, 1, 1),
    )


def _demographics(subject, user, height, weight, smoking):
    demographics_save(
        demographics=Demographics(
            screening=subject.screening,
            ethnic="NOT HISPANIC OR LATINO",
            height=D(height),
            weight=D(weight),
            suncf=smoking,
        ),
        user=user,
    )


def _history(subject, user, dm_days, ild_days):
    disease_history_save(
        history=DiseaseHistory(
            screening=subject.screening,
            dm_diagnosed_on=subject.day1 - timedelta(days=dm_days),
            ild_diagnosed_on=subject.day1 - timedelta(days=ild_days),
            gottron="Y",
            heliotrope="Y",
            mechanics_hands="N",
            skin_ulcers="N",
            muscle_weakness="Y",
        ),
        user=user,
    )


def _labs(subject, user, **values):
    lab_panel_record(
        panel=LabPanel(visit=subject.visits.get(code="BASELINE"), sampled_on=subject.day1),
        results={code: (D(v), study().lab(code).unit, None, None) for code, v in values.items()},
        user=user,
    )


def _conmed(subject, user, category, drug, *, start_days, stop_days=None):
    conmed_record(
        conmed=ConcomitantMedication(
            subject=subject,
            category=category,
            drug=drug,
            indication="Anti-MDA5 DM with RP-ILD",
            dose=D("1"),
            unit="mg",
            route="ORAL",
            frequency="once daily",
            start_date=subject.day1 - timedelta(days=start_days),
            stop_date=None if stop_days is None else subject.day1 - timedelta(days=stop_days),
            ongoing=stop_days is None,
        ),
        user=user,
    )


@pytest.fixture
def three_subjects(site, coordinator, investigator):
    a = _subject(site, coordinator, investigator, age=41, sex="M", initials="AAA")
    b = _subject(site, coordinator, investigator, age=55, sex="F", initials="BBB")
    c = _subject(site, coordinator, investigator, age=62, sex="M", initials="CCC")
    _demographics(a, coordinator, "170", "65", "NEVER")
    _demographics(b, coordinator, "160", "56", "FORMER")
    for subject, dm, ild in ((a, 91, 30), (b, 183, 45), (c, 365, 60)):
        _history(subject, coordinator, dm, ild)
    _labs(a, coordinator, FERRITIN="500", KL6="1000")
    _labs(b, coordinator, FERRITIN="800", KL6="1500")
    _labs(c, coordinator, FERRITIN="2000")  # no KL-6: missing
    _conmed(a, coordinator, "corticosteroid", "Methylprednisolone", start_days=20)
    _conmed(a, coordinator, "immunosuppressant", "Tacrolimus", start_days=20)
    _conmed(b, coordinator, "corticosteroid", "Prednisone", start_days=10)
    _conmed(b, coordinator, "ivig", "Human immunoglobulin", start_days=30, stop_days=26)
    return a, b, c


def _rows(user) -> dict:
    return {row.variable.code: row for row in selectors.table_one(user)["rows"]}


def _levels(row) -> dict:
    return {level.code: (level.count, level.percent) for level in row.stats.levels}


def test_age_is_mean_and_sd_by_hand(three_subjects, monitor):
    age = _rows(monitor)["AGE"]
    assert (age.text, age.stats.n, age.stats.missing) == ("52.7 ± 10.7", 3, 0)
    assert age.statistic == "mean ± SD"


def test_a_missing_value_counts_as_missing_not_as_zero(three_subjects, monitor):
    rows = _rows(monitor)
    kl6 = rows["KL6"]
    assert (kl6.stats.n, kl6.stats.missing) == (2, 1)
    assert kl6.text == "1250.0 [1125.0–1375.0]"  # with a zero it would be 1000.0 [500.0–1250.0]
    bmi = rows["BMI"]
    assert (bmi.text, bmi.stats.n, bmi.stats.missing) == ("22.2 ± 0.4", 2, 1)
    # nothing measured at all: n 0, every subject missing, no statistic
    fvc = rows["FVC_PCT"]
    assert (fvc.text, fvc.stats.n, fvc.stats.missing) == ("–", 0, 3)


def test_skewed_variables_are_median_and_inclusive_quartiles_by_hand(three_subjects, monitor):
    rows = _rows(monitor)
    ferritin = rows["FERRITIN"]
    assert (ferritin.text, ferritin.statistic) == ("800.0 [650.0–1400.0]", "median [Q1–Q3]")
    assert (ferritin.stats.q1, ferritin.stats.median, ferritin.stats.q3) == (
        D("650.0"),
        D("800.0"),
        D("1400.0"),
    )
    assert rows["DM_DURATION"].text == "6.0 [4.5–9.0]"


def test_categorical_counts_and_percentages_by_hand(three_subjects, monitor):
    rows = _rows(monitor)
    assert _levels(rows["SEX"]) == {"F": (1, D("33.3")), "M": (2, D("66.7"))}
    smoking = rows["SMOKING"]
    assert (smoking.stats.n, smoking.stats.missing) == (2, 1)
    assert _levels(smoking) == {
        "NEVER": (1, D("50.0")),
        "FORMER": (1, D("50.0")),
        "CURRENT": (0, D("0.0")),
    }


def test_treatments_at_baseline_come_from_the_conmed_list(three_subjects, monitor):
    treatments = _levels(_rows(monitor)["TREATMENT"])
    assert treatments["corticosteroid"] == (2, D("66.7"))
    assert treatments["immunosuppressant"] == (1, D("33.3"))
    assert treatments["ivig"] == (0, D("0.0"))  # stopped before day 1: prior, not at baseline


def test_quartiles_are_the_inclusive_method():
    stats = rules.describe_continuous([D(1), D(2), D(3), D(4)], places=2)
    assert (stats.q1, stats.median, stats.q3) == (D("1.75"), D("2.50"), D("3.25"))
    one = rules.describe_continuous([D(7), None])
    assert (one.n, one.missing, one.median, one.q1, one.q3, one.sd) == (
        1,
        1,
        D("7.0"),
        D("7.0"),
        D("7.0"),
        None,
    )
    assert rules.continuous_text(one, "normal") == "7.0"


def test_the_table_reads_in_a_constant_number_of_queries(
    site, coordinator, investigator, monitor, three_subjects
):
    with CaptureQueriesContext(connection) as few:
        selectors.table_one(monitor)
    for n in range(3):
        subject = _subject(site, coordinator, investigator, age=30 + n, sex="F", initials=f"M{n}X")
        _labs(subject, coordinator, FERRITIN="300")
        _conmed(subject, coordinator, "corticosteroid", "Prednisone", start_days=3)
    with CaptureQueriesContext(connection) as many:
        assert selectors.table_one(monitor)["subject_count"] == 6
    assert len(many) == len(few)


def test_the_page_shows_the_table_with_n_and_missing(three_subjects, monitor_client):
    page = monitor_client.get(reverse("efficacy:table_one"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "52.7 ± 10.7" in html and "1250.0 [1125.0–1375.0]" in html
    summary = monitor_client.get(reverse("efficacy:efficacy_summary")).content.decode()
    assert reverse("efficacy:table_one") in summary


def test_csv_is_utf8_with_a_bom_and_the_numbers_by_hand(three_subjects, monitor_client):
    response = monitor_client.get(reverse("efficacy:table_one_csv"))
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    age = next(r for r in rows if r["variable"] == "Age at consent")
    assert (age["summary"], age["n"], age["missing"], age["mean"], age["sd"]) == (
        "52.7 ± 10.7",
        "3",
        "0",
        "52.7",
        "10.7",
    )
    kl6 = next(r for r in rows if r["variable"] == "KL-6")
    assert (kl6["n"], kl6["missing"], kl6["median"], kl6["q1"], kl6["q3"]) == (
        "2",
        "1",
        "1250.0",
        "1125.0",
        "1375.0",
    )
    male = next(r for r in rows if r["variable"] == "Sex" and r["level"] == "Male")
    assert (male["count"], male["percent"]) == ("2", "66.7")


def test_the_efficacy_pdf_has_a_table_one_section(three_subjects, monitor_client, tmp_path):
    response = monitor_client.get(reverse("efficacy:efficacy_summary_pdf"))
    assert response.status_code == 200
    pdf = tmp_path / "summary.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Table 1" in text
    assert "52.7 ± 10.7" in text and "800.0 [650.0–1400.0]" in text
