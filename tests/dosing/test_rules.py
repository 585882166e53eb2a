"""The nebulization log's rules, named as the protocol says them."""

from dataclasses import replace
from datetime import date, time, timedelta
from decimal import Decimal

import pytest

from dosing import rules

DAY1 = date(2026, 4, 1)
SUBJECT = rules.SubjectTreatment(
    day1=DAY1, enrolled_on=date(2026, 3, 30), ended_on=None, today=date(2026, 5, 1)
)
DOSE = rules.DoseRecord(
    study_day=1,
    date=DAY1,
    status="completed",
    start_time=time(9, 0),
    stop_time=time(9, 20),
    volume_ml=Decimal("5.0"),
    particles=Decimal("2.0E+10"),
    reason_not_completed="",
    spo2_pre=95,
    spo2_post=94,
    desaturation=False,
)


def fields(dose=DOSE, subject=SUBJECT):
    return [p.field for p in rules.dose_problems(dose, subject)]


def test_a_complete_dose_on_its_day_is_accepted():
    assert fields() == []


def test_dose_refused_after_day_14():
    assert "study_day" in fields(replace(DOSE, study_day=15, date=DAY1 + timedelta(days=14)))


def test_day_14_is_the_last_dose_day():
    assert fields(replace(DOSE, study_day=14, date=date(2026, 4, 14))) == []


def test_date_must_match_the_study_day():
    problems = rules.dose_problems(replace(DOSE, study_day=3, date=date(2026, 4, 4)), SUBJECT)
    assert [p.field for p in problems] == ["date"]
    assert "2026-04-03" in problems[0].message


def test_dose_refused_before_enrolment():
    enrolled_late = replace(SUBJECT, enrolled_on=date(2026, 4, 2))
    assert fields(subject=enrolled_late) == ["date"]


def test_dose_refused_after_withdrawal():
    withdrawn = replace(SUBJECT, ended_on=date(2026, 4, 5))
    assert fields(replace(DOSE, study_day=6, date=date(2026, 4, 6)), withdrawn) == ["date"]
    assert fields(replace(DOSE, study_day=5, date=date(2026, 4, 5)), withdrawn) == []


def test_dose_refused_for_a_future_day():
    assert fields(subject=replace(SUBJECT, today=date(2026, 3, 31))) == ["date"]


def test_stop_time_must_be_after_start_time():
    assert fields(replace(DOSE, stop_time=time(9, 0))) == ["stop_time"]


def test_dose_above_the_configured_dose_is_refused():
    assert fields(replace(DOSE, volume_ml=Decimal("5.01"))) == ["volume_ml"]
    assert fields(replace(DOSE, particles=Decimal("2.1E+10"))) == ["particles"]


def test_interrupted_or_not_given_needs_a_reason():
    assert fields(replace(DOSE, status="interrupted")) == ["reason_not_completed"]
    not_given = replace(
        DOSE, status="not_given", start_time=None, stop_time=None, volume_ml=None, particles=None
    )
    assert fields(not_given) == ["reason_not_completed"]
    assert fields(replace(not_given, reason_not_completed="Fever 39 °C")) == []


def test_desaturation_of_4_points_must_be_recorded():
    assert fields(replace(DOSE, spo2_pre=95, spo2_post=91)) == ["desaturation"]
    assert fields(replace(DOSE, spo2_pre=95, spo2_post=91, desaturation=True)) == []
    assert fields(replace(DOSE, spo2_pre=95, spo2_post=92)) == []


def test_strip_shows_given_missing_and_not_yet_due():
    cells = rules.treatment_strip(
        day1=DAY1,
        statuses={1: "completed", 2: "interrupted", 4: "not_given"},
        today=date(2026, 4, 6),
        ended_on=None,
    )
    states = [c.state for c in cells]
    assert states[:7] == [
        "given",
        "interrupted",
        "missing",
        "not_given",
        "missing",
        "not_yet_due",
        "not_yet_due",
    ]
    assert len(cells) == 14


def test_compliance_counts_given_doses_over_elapsed_days_and_over_14():
    c = rules.compliance(
        day1=DAY1,
        statuses={1: "completed", 2: "interrupted", 3: "not_given"},
        today=date(2026, 4, 4),
        ended_on=None,
    )
    assert (c.given, c.elapsed, c.planned) == (2, 4, 14)
    assert c.of_elapsed == pytest.approx(0.5)
    assert c.of_planned == pytest.approx(2 / 14)


def test_compliance_stops_counting_days_at_withdrawal():
    c = rules.compliance(
        day1=DAY1, statuses={1: "completed"}, today=date(2026, 5, 1), ended_on=date(2026, 4, 3)
    )
    assert c.elapsed == 2  # days 1 and 2; withdrawn on day 3 before its dose
    given_that_day = rules.compliance(
        day1=DAY1,
        statuses={1: "completed", 3: "completed"},
        today=date(2026, 5, 1),
        ended_on=date(2026, 4, 3),
    )
    assert (given_that_day.given, given_that_day.elapsed) == (2, 3)


def test_days_from_withdrawal_on_are_not_applicable_not_missing():
    cells = rules.treatment_strip(
        day1=DAY1, statuses={1: "completed"}, today=date(2026, 5, 1), ended_on=date(2026, 4, 3)
    )
    assert [c.state for c in cells[:4]] == ["given", "missing", "not_applicable", "not_applicable"]
    assert rules.missing_days(
        day1=DAY1, recorded_days={1}, today=date(2026, 5, 1), ended_on=date(2026, 4, 3)
    ) == [2]


def test_missing_days_are_past_days_without_a_record():
    assert rules.missing_days(
        day1=DAY1, recorded_days={1, 3}, today=date(2026, 4, 5), ended_on=None
    ) == [2, 4]


class TestConcomitantMedication:
    def test_stop_date_not_before_start_date(self):
        problems = rules.conmed_problems(
            start=date(2026, 4, 2), stop=date(2026, 4, 1), ongoing=False
        )
        assert [p.field for p in problems] == ["stop_date"]

    def test_ongoing_has_no_stop_date_and_a_finished_one_has_one(self):
        assert [p.field for p in rules.conmed_problems(start=DAY1, stop=DAY1, ongoing=True)] == [
            "ongoing"
        ]
        assert [p.field for p in rules.conmed_problems(start=DAY1, stop=None, ongoing=False)] == [
            "stop_date"
        ]
        assert rules.conmed_problems(start=DAY1, stop=None, ongoing=True) == []
