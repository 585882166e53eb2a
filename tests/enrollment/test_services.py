"""Screening, consent and enrolment as the services enforce them."""

import threading
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from enrollment import services
from enrollment.models import Screening, Subject, SubjectVisit
from enrollment.schedule import rules as schedule_rules
from portal.demo.enrollment import (
    complete_checklist,
    eligible_screening,
    enrolled_subject,
    open_screening,
    record_consent,
)
from trial_edc.study import study


def test_screening_numbers_are_site_prefixed_and_sequential(site, coordinator):
    first = open_screening(site=site, user=coordinator)
    second = open_screening(site=site, user=coordinator)
    assert (first.screening_number, second.screening_number) == ("01-S001", "01-S002")


def test_coordinator_cannot_screen_at_a_site_not_theirs(other_site, coordinator):
    with pytest.raises(PermissionDenied):
        open_screening(site=other_site, user=coordinator)


def test_failed_criterion_makes_a_screen_failure_that_keeps_its_criteria(site, coordinator):
    screening = open_screening(site=site, user=coordinator)
    complete_checklist(screening, coordinator, exclusion_4=True)
    screening.refresh_from_db()
    assert screening.status == Screening.Status.SCREEN_FAILURE
    assert screening.failed_criteria == [
        {
            "code": "exclusion_4",
            "text": "Exclusion 4 applies: Currently diagnosed pulmonary embolism.",
        }
    ]


def test_inconsistent_checklist_is_refused_and_nothing_is_saved(site, coordinator):
    screening = open_screening(site=site, user=coordinator)
    with pytest.raises(ValidationError) as refused:
        complete_checklist(screening, coordinator, anti_mda5_result="NEG")
    assert "inclusion_1" in refused.value.message_dict
    screening.refresh_from_db()
    assert not hasattr(screening, "checklist")


def test_onset_confirmation_is_for_investigators_only(site, coordinator, investigator):
    screening = open_screening(site=site, user=coordinator)
    onset = screening.screening_date - timedelta(days=120)
    with pytest.raises(PermissionDenied):
        complete_checklist(
            screening, coordinator, symptom_onset_date=onset, onset_confirmed_by_investigator=True
        )
    checklist = complete_checklist(
        screening, investigator, symptom_onset_date=onset, onset_confirmed_by_investigator=True
    )
    assert checklist.onset_confirmed_by == investigator


def test_consent_out_of_window_is_refused(site, coordinator):
    screening = open_screening(site=site, user=coordinator)
    with pytest.raises(ValidationError) as refused:
        record_consent(screening, coordinator, on=screening.screening_date - timedelta(days=1))
    assert "screening window" in str(refused.value)


class TestEnrolment:
    def test_day_1_before_the_enrolment_date_is_refused(self, site, coordinator, investigator):
        screening = eligible_screening(site=site, user=coordinator)
        with pytest.raises(ValidationError) as refused:
            services.subject_enroll(
                screening=screening,
                investigator=investigator,
                first_dose_date=screening.screening_date + timedelta(days=1),
                enrolled_on=screening.screening_date + timedelta(days=2),
            )
        assert "before the enrolment date" in str(refused.value)

    def test_coordinator_cannot_enrol(self, site, coordinator):
        screening = eligible_screening(site=site, user=coordinator)
        with pytest.raises(PermissionDenied):
            services.subject_enroll(
                screening=screening,
                investigator=coordinator,
                first_dose_date=screening.screening_date + timedelta(days=1),
            )
        assert not Subject.objects.exists()

    def test_screening_without_consent_cannot_be_enrolled(self, site, coordinator, investigator):
        screening = open_screening(site=site, user=coordinator)
        complete_checklist(screening, coordinator)
        with pytest.raises(ValidationError, match="consent"):
            services.subject_enroll(
                screening=screening,
                investigator=investigator,
                first_dose_date=screening.screening_date + timedelta(days=1),
            )

    def test_screen_failure_cannot_be_enrolled(self, site, coordinator, investigator):
        screening = open_screening(site=site, user=coordinator)
        complete_checklist(screening, coordinator, exclusion_9=True)
        record_consent(screening, coordinator)
        with pytest.raises(ValidationError):
            services.subject_enroll(
                screening=screening,
                investigator=investigator,
                first_dose_date=screening.screening_date + timedelta(days=1),
            )
        assert Subject.objects.count() == 0

    def test_enrolment_assigns_number_day_1_and_the_configured_schedule(
        self, site, coordinator, investigator
    ):
        day1 = date.today() + timedelta(days=1)
        subject = enrolled_subject(
            site=site,
            coordinator=coordinator,
            investigator=investigator,
            day1=day1,
            screening_date=date.today() - timedelta(days=1),
        )
        assert subject.subject_number == "01-001"
        assert subject.day1 == day1
        assert subject.screening.status == Screening.Status.ENROLLED
        visits = list(subject.visits.order_by("order"))
        assert [v.code for v in visits] == [v.code for v in study().visits]
        expected = {
            "BASELINE": (day1, day1, day1),
            "DAY14": (day1 + timedelta(13), day1 + timedelta(12), day1 + timedelta(14)),
            "DAY28": (day1 + timedelta(27), day1 + timedelta(24), day1 + timedelta(30)),
            "SAFETY_CLOSE": (day1 + timedelta(43), day1 + timedelta(43), day1 + timedelta(46)),
            "MONTH3": (day1 + timedelta(89), day1 + timedelta(75), day1 + timedelta(103)),
            "MONTH6": (day1 + timedelta(179), day1 + timedelta(165), day1 + timedelta(193)),
            "MONTH12": (day1 + timedelta(364), day1 + timedelta(334), day1 + timedelta(394)),
        }
        for v in visits[1:]:
            assert (v.target_date, v.window_start, v.window_end) == expected[v.code], v.code
        assert visits[0].outcome == SubjectVisit.Outcome.DONE

    def test_first_dose_outside_the_screening_window_is_refused(
        self, site, coordinator, investigator
    ):
        screening = eligible_screening(site=site, user=coordinator)
        with pytest.raises(ValidationError) as refused:
            services.subject_enroll(
                screening=screening,
                investigator=investigator,
                first_dose_date=screening.screening_date + timedelta(days=20),
            )
        assert "first_dose_date" in refused.value.message_dict
        assert Subject.objects.count() == 0

    def test_refused_enrolment_leaves_no_gap_in_subject_numbers(
        self, site, coordinator, investigator
    ):
        failing = open_screening(site=site, user=coordinator)
        complete_checklist(failing, coordinator)
        with pytest.raises(ValidationError):
            services.subject_enroll(
                screening=failing, investigator=investigator, first_dose_date=date.today()
            )
        subject = enrolled_subject(site=site, coordinator=coordinator, investigator=investigator)
        assert subject.subject_number == "01-001"


@pytest.mark.django_db(transaction=True)
def test_concurrent_enrolments_at_one_site_get_distinct_gap_free_numbers(
    site, coordinator, investigator
):
    screenings = [eligible_screening(site=site, user=coordinator) for _ in range(4)]
    barrier = threading.Barrier(len(screenings))
    numbers, errors = [], []

    def enrol(screening):
        try:
            barrier.wait()
            subject = services.subject_enroll(
                screening=screening,
                investigator=investigator,
                first_dose_date=screening.screening_date + timedelta(days=1),
                enrolled_on=screening.screening_date,
            )
            numbers.append(subject.subject_number)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=enrol, args=(s,)) for s in screenings]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(numbers) == ["01-001", "01-002", "01-003", "01-004"]
    assert Subject.objects.count() == 4


def test_rescreen_links_to_the_earlier_failure(site, coordinator):
    failed = open_screening(site=site, user=coordinator)
    complete_checklist(failed, coordinator, exclusion_3=True)
    failed.refresh_from_db()
    again = services.screening_open(
        user=coordinator,
        site=site,
        initials=failed.initials,
        date_of_birth=failed.date_of_birth,
        sex=failed.sex,
        childbearing_potential=False,
        screening_date=date.today(),
        rescreen_of=failed,
    )
    assert again.rescreen_of == failed
    assert failed.failed_criteria  # the failure keeps its criteria
    with pytest.raises(ValidationError):
        services.screening_open(
            user=coordinator,
            site=site,
            initials="AB",
            date_of_birth=date(1970, 1, 1),
            sex="M",
            childbearing_potential=False,
            screening_date=date.today(),
            rescreen_of=again,
        )


def test_withdrawal_marks_remaining_visits_not_applicable(site, coordinator, investigator):
    subject = enrolled_subject(site=site, coordinator=coordinator, investigator=investigator)
    services.subject_end(
        subject=subject,
        user=coordinator,
        status=Subject.Status.WITHDRAWN,
        on=date.today(),
        reason="Subject's decision",
        decided_by="the subject",
    )
    subject.refresh_from_db()
    assert subject.status == Subject.Status.WITHDRAWN
    outcomes = set(subject.visits.exclude(code="SCREENING").values_list("outcome", flat=True))
    assert outcomes == {SubjectVisit.Outcome.NOT_APPLICABLE}
    tomorrow = date.today() + timedelta(days=1)

    def refused(**options) -> list[str]:
        # the one rule of a record's date on study, as on the day after the withdrawal
        return [
            p.message
            for p in schedule_rules.record_date_problems(
                tomorrow,
                field="on",
                today=tomorrow,
                enrolled_on=None,
                ended_on=subject.ended_on,
                **options,
            )
        ]

    assert refused()  # no data after the subject left
    assert refused(after_end=True) == []  # but AE follow-up is still accepted
    with pytest.raises(ValidationError):
        services.subject_end(
            subject=subject,
            user=coordinator,
            status=Subject.Status.COMPLETED,
            on=date.today(),
            reason="x",
            decided_by="x",
        )


def test_enrolled_screening_refuses_checklist_changes(site, coordinator, investigator):
    subject = enrolled_subject(site=site, coordinator=coordinator, investigator=investigator)
    checklist = subject.screening.checklist
    checklist.hrct_finding = "changed"
    with pytest.raises(ValidationError, match="no longer change"):
        services.checklist_save(checklist=checklist, user=coordinator, reason="late fix")
