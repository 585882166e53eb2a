"""Issue 12, point 4: the subject's 30-day safety report is due only once treatment is over
and the window after the last dose given has closed; a report that failed, or whose worker
died while making it, is made again on its row until one is done (still exactly one)."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone

from enrollment.models import Subject
from enrollment.services import subject_end
from portal.demo.enrollment import enrolled_subject
from portal.demo.treatment import _dose
from safety import reports
from safety.models import SafetyReport
from safety.tasks import safety_reports_due, safety_reports_queued
from trial_edc import study as study_module
from trial_edc.core.clock import site_today


@pytest.fixture
def subject_on(site, coordinator, investigator):
    """subject_on(n, doses): today (at the site) is study day n; doses given on `doses`."""

    def make(day: int, doses=range(1, 4)) -> Subject:
        day1 = site_today(site) - timedelta(days=day - 1)
        subject = enrolled_subject(
            site=site,
            coordinator=coordinator,
            investigator=investigator,
            screening_date=day1 - timedelta(days=2),
            day1=day1,
        )
        for n in doses:
            _dose(subject, n, coordinator)
        return subject

    return make


@pytest.fixture
def week_window(monkeypatch):
    """A study whose primary safety window is 7 days after the last dose: shorter than the
    treatment period, so an early last dose can close it while treatment goes on."""
    s = replace(study_module.NCT06919380, safety_window_days_after_last_dose=7)
    monkeypatch.setattr(study_module, "NCT06919380", s)
    study_module.study.cache_clear()
    assert study_module.study().safety_window_days_after_last_dose == 7
    yield
    monkeypatch.undo()
    study_module.study.cache_clear()


def test_no_30_day_report_while_treatment_goes_on_even_if_the_window_closed(
    week_window, subject_on, coordinator
):
    subject = subject_on(12, doses=(1, 2))  # last dose day 2: day 9 closed its window
    assert reports.subjects_due() == []  # day 12: another dose may still come
    subject_end(
        subject=subject,
        user=coordinator,
        status=Subject.Status.WITHDRAWN,
        on=site_today(subject.site),
        reason="Consent withdrawn",
        decided_by="the subject",
    )
    assert reports.subjects_due() == [subject]  # left the study: treatment is over


def test_30_day_report_of_an_early_stop_counts_from_the_last_dose_given(subject_on):
    stopped = subject_on(36, doses=range(1, 6))  # last dose day 5: window closed on day 35
    closing = subject_on(35, doses=range(1, 6))  # ... closes today
    assert reports.subjects_due() == [stopped]
    assert closing not in reports.subjects_due()


def test_a_failed_30_day_report_is_made_again_on_its_row(
    subject_on, investigator, monkeypatch, mailoutbox
):
    subject = subject_on(40)
    pdf = reports.safety_listing_pdf

    def disk_full(listing):
        raise OSError("No space left on device")

    monkeypatch.setattr(reports, "safety_listing_pdf", disk_full)
    assert safety_reports_due() == []
    report = SafetyReport.objects.get()
    assert (report.status, report.subject) == ("failed", subject)
    assert "No space left" in report.error
    assert mailoutbox == []

    monkeypatch.setattr(reports, "safety_listing_pdf", pdf)  # the disk was freed
    assert safety_reports_due() == [report.pk]
    report.refresh_from_db()
    assert (report.status, report.error) == ("done", "")
    assert report.file.name.endswith(".pdf")
    assert safety_reports_due() == []
    assert SafetyReport.objects.count() == 1
    assert [m.to for m in mailoutbox] == [[investigator.email]]


def test_a_30_day_report_whose_worker_died_is_made_again_after_the_timeout(subject_on, settings):
    settings.SAFETY_REPORT_STUCK_AFTER = timedelta(minutes=30)
    subject = subject_on(40)
    report = reports.subject_report_queue(subject)
    # a worker took it up 10 minutes ago and is still at it: left alone
    SafetyReport.objects.filter(pk=report.pk).update(
        status="running", claimed_at=timezone.now() - timedelta(minutes=10)
    )
    assert reports.subjects_due() == []
    assert reports.report_make(report) is None
    assert safety_reports_queued() == []
    # ... 31 minutes ago and never finished: its worker died; the next run makes it
    SafetyReport.objects.filter(pk=report.pk).update(
        claimed_at=timezone.now() - timedelta(minutes=31)
    )
    assert reports.subjects_due() == [subject]
    assert safety_reports_due() == [report.pk]
    report.refresh_from_db()
    assert report.status == "done"
    assert SafetyReport.objects.count() == 1


def test_the_minute_task_takes_over_a_stuck_report(subject_on, settings):
    settings.SAFETY_REPORT_STUCK_AFTER = timedelta(minutes=30)
    report = reports.subject_report_queue(subject_on(40))
    SafetyReport.objects.filter(pk=report.pk).update(
        status="running", claimed_at=timezone.now() - timedelta(hours=2)
    )
    assert safety_reports_queued() == [report.pk]
    assert SafetyReport.objects.get().status == "done"


def test_two_runs_at_once_make_one_30_day_report(subject_on, settings, monkeypatch):
    """A run taking over a report another run is still making (past the timeout): the one
    that finishes first is the report; the other keeps nothing."""
    settings.SAFETY_REPORT_STUCK_AFTER = timedelta(0)  # every running report looks stuck
    report = reports.subject_report_queue(subject_on(40))
    pdf = reports.safety_listing_pdf
    second = []

    def slow_first_run(listing):
        monkeypatch.setattr(reports, "safety_listing_pdf", pdf)
        second.append(reports.report_make(report))  # another worker, meanwhile
        return pdf(listing)

    monkeypatch.setattr(reports, "safety_listing_pdf", slow_first_run)
    assert reports.report_make(report) is None  # finished by the second: nothing kept
    assert second[0] is not None and second[0].status == "done"
    report.refresh_from_db()
    assert (report.status, report.file.name) == ("done", second[0].file.name)
    assert SafetyReport.objects.count() == 1


def test_a_second_run_leaves_a_report_being_made(subject_on):
    report = reports.subject_report_queue(subject_on(40))
    claimed = reports.report_claim(report)
    assert claimed.status == "running" and claimed.claimed_at is not None
    assert reports.report_claim(report) is None  # the same row, claimed: not made twice
    assert reports.report_make(report) is None
    assert reports.subject_report_queue(report.subject) == report  # one row, reused
