"""The eligibility and schedule rules, one test per rule, read like the protocol."""

from datetime import date, timedelta

import pytest

from enrollment import rules
from enrollment.schedule import rules as schedule_rules
from trial_edc.core import clock
from trial_edc.study import study

SCREENED = date(2026, 3, 10)


def evidence(**overrides) -> rules.EligibilityEvidence:
    s = study()
    values = {
        "inclusion": {c.number: True for c in s.inclusion},
        "exclusion": {c.number: False for c in s.exclusion},
        "date_of_birth": date(1980, 1, 1),
        "screening_date": SCREENED,
        "consent_date": SCREENED,
        "anti_mda5_result": "POS",
        "symptom_onset_date": SCREENED - timedelta(days=20),
        "onset_confirmed_by_investigator": False,
        "childbearing_potential": False,
        "pregnancy_test_result": None,
    }
    return rules.EligibilityEvidence(**(values | overrides))


def fields(problems):
    return [p.field for p in problems]


def test_all_criteria_met_is_eligible():
    e = evidence()
    assert rules.eligibility_failures(e) == []
    assert rules.missing_answers(e) == []
    assert rules.consistency_problems(e) == []


@pytest.mark.parametrize("number", [1, 2])
def test_inclusion_answered_no_fails_with_its_wording(number):
    e = evidence(inclusion={1: True, 2: True} | {number: False})
    failures = rules.eligibility_failures(e)
    assert fields(failures) == [f"inclusion_{number}"]
    assert study().inclusion[number - 1].text in failures[0].message


@pytest.mark.parametrize("number", range(1, 14))
def test_any_exclusion_answered_yes_fails_with_its_wording(number):
    exclusion = {c.number: False for c in study().exclusion} | {number: True}
    failures = rules.eligibility_failures(evidence(exclusion=exclusion))
    assert fields(failures) == [f"exclusion_{number}"]
    assert study().exclusion[number - 1].text in failures[0].message


@pytest.mark.parametrize(
    ("birth", "eligible"),
    [
        # consent on 2026-03-10
        (date(2008, 3, 11), False),  # 17 years 364 days
        (date(2008, 3, 10), True),  # 18 years 0 days
        (date(1950, 3, 11), True),  # 75 years 364 days
        (date(1950, 3, 10), False),  # 76 years 0 days
    ],
    ids=["17y364d", "18y0d", "75y364d", "76y0d"],
)
def test_age_limits_at_the_consent_date_are_inclusive(birth, eligible):
    failures = rules.eligibility_failures(evidence(date_of_birth=birth))
    assert (fields(failures) == []) is eligible
    if not eligible:
        assert fields(failures) == ["date_of_birth"]


def test_age_is_computed_at_consent_not_at_screening():
    # 18 on 2026-03-12: too young at screening, old enough at a consent two days later
    e = evidence(date_of_birth=date(2008, 3, 12), consent_date=date(2026, 3, 12))
    assert rules.eligibility_failures(e) == []


def test_inclusion_1_yes_with_negative_anti_mda5_is_refused_as_inconsistent():
    problems = rules.consistency_problems(evidence(anti_mda5_result="NEG"))
    assert fields(problems) == ["inclusion_1"]


def test_negative_anti_mda5_with_inclusion_1_no_is_consistent_but_fails():
    e = evidence(anti_mda5_result="NEG", inclusion={1: False, 2: True})
    assert rules.consistency_problems(e) == []
    assert fields(rules.eligibility_failures(e)) == ["inclusion_1"]


def test_positive_pregnancy_test_requires_exclusion_1_yes():
    e = evidence(childbearing_potential=True, pregnancy_test_result="POS")
    assert fields(rules.consistency_problems(e)) == ["exclusion_1"]
    exclusion = {c.number: False for c in study().exclusion} | {1: True}
    answered = evidence(
        childbearing_potential=True, pregnancy_test_result="POS", exclusion=exclusion
    )
    assert rules.consistency_problems(answered) == []
    assert fields(rules.eligibility_failures(answered)) == ["exclusion_1"]


def test_childbearing_potential_needs_a_pregnancy_test():
    e = evidence(childbearing_potential=True, pregnancy_test_result=None)
    assert fields(rules.consistency_problems(e)) == ["pregnancy_test_result"]


def test_screening_date_before_symptom_onset_is_refused():
    e = evidence(symptom_onset_date=SCREENED + timedelta(days=1))
    assert fields(rules.consistency_problems(e)) == ["symptom_onset_date"]


def test_onset_more_than_3_months_before_screening_needs_investigator_confirmation():
    old_onset = evidence(symptom_onset_date=date(2025, 12, 9))  # 3 months and a day
    assert "onset_confirmed_by_investigator" in fields(rules.missing_answers(old_onset))
    confirmed = evidence(symptom_onset_date=date(2025, 12, 9), onset_confirmed_by_investigator=True)
    assert rules.missing_answers(confirmed) == []
    exactly_three_months = evidence(symptom_onset_date=date(2025, 12, 10))
    assert rules.missing_answers(exactly_three_months) == []


def test_unanswered_criteria_and_missing_consent_leave_eligibility_open():
    e = evidence(inclusion={1: True, 2: None}, consent_date=None)
    assert fields(rules.missing_answers(e)) == ["inclusion_2", "consent"]
    assert rules.eligibility_failures(e) == []


class TestConsent:
    def test_consent_inside_the_window_and_before_procedures_is_accepted(self):
        assert (
            rules.consent_problems(
                consent_date=SCREENED,
                screening_date=SCREENED,
                today=SCREENED,
                procedure_dates={"the pregnancy test": SCREENED + timedelta(days=1)},
            )
            == []
        )

    def test_consent_after_a_study_procedure_is_refused(self):
        problems = rules.consent_problems(
            consent_date=SCREENED + timedelta(days=2),
            screening_date=SCREENED,
            today=SCREENED + timedelta(days=2),
            procedure_dates={"the pregnancy test": SCREENED + timedelta(days=1)},
        )
        assert "precede every study procedure" in problems[0].message

    @pytest.mark.parametrize(("offset", "ok"), [(-1, False), (0, True), (7, True), (8, False)])
    def test_consent_must_fall_in_the_screening_window(self, offset, ok):
        problems = rules.consent_problems(
            consent_date=SCREENED + timedelta(days=offset),
            screening_date=SCREENED,
            today=SCREENED + timedelta(days=30),
            procedure_dates={},
        )
        assert (problems == []) is ok

    def test_consent_in_the_future_is_refused(self):
        problems = rules.consent_problems(
            consent_date=SCREENED + timedelta(days=1),
            screening_date=SCREENED,
            today=SCREENED,
            procedure_dates={},
        )
        assert "future" in problems[0].message

    @pytest.mark.parametrize(
        ("days_after_consent", "ok"), [(0, False), (1, True), (8, True), (9, False)]
    )
    def test_day_1_follows_consent_within_the_screening_window(self, days_after_consent, ok):
        problems = rules.first_dose_date_problems(
            first_dose_date=SCREENED + timedelta(days=days_after_consent), consent_date=SCREENED
        )
        assert (problems == []) is ok


def test_visit_schedule_dates_follow_the_configured_days_and_windows():
    day1 = date(2026, 4, 1)
    schedule = {v.code: v for v in schedule_rules.visit_schedule(day1=day1)}
    assert (schedule["SCREENING"].window_start, schedule["SCREENING"].window_end) == (
        date(2026, 3, 24),  # day -7
        date(2026, 3, 31),  # day 0
    )
    assert schedule["BASELINE"].target_date == day1
    assert (schedule["DAY14"].target_date, schedule["DAY14"].window_start) == (
        date(2026, 4, 14),
        date(2026, 4, 13),
    )
    assert schedule["DAY28"].window_end == date(2026, 5, 1)
    # 30 days after the last planned dose (day 14 = 2026-04-14)
    assert schedule["SAFETY_CLOSE"].target_date == date(2026, 5, 14)
    assert schedule["SAFETY_CLOSE"].window_end == date(2026, 5, 17)
    assert schedule["MONTH3"].target_date == date(2026, 6, 29)  # day 90
    assert schedule["MONTH12"].window_start == date(2027, 3, 1)  # day 365 - 30


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (date(2026, 4, 12), "upcoming"),
        (date(2026, 4, 13), "due"),
        (date(2026, 4, 15), "due"),
        (date(2026, 4, 16), "overdue"),
    ],
)
def test_visit_timing_against_its_window(today, status):
    timing = schedule_rules.visit_timing(
        window_start=date(2026, 4, 13), window_end=date(2026, 4, 15), today=today
    )
    assert timing == status


def test_study_day_counts_day_1_as_first_dose_and_day_0_before_it():
    day1 = date(2026, 4, 1)
    assert clock.study_day(day1, day1) == 1
    assert clock.study_day(day1, date(2026, 3, 31)) == 0
    assert clock.study_day(day1, date(2026, 4, 14)) == 14
