"""The 30-day safety report: made by the worker, exactly once per subject."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dosing.models import DoseAdministration
from dosing.services import dose_record
from portal.demo.enrollment import enrolled_subject
from safety import reports
from safety.models import SafetyReport
from safety.tasks import safety_reports_due
from tests.conftest import wait_for
from trial_edc.core.clock import site_today


def _dosed(site, coordinator, investigator, last_dose_days_ago: int, doses: int = 3):
    """A subject whose last dose (of `doses`) was given `last_dose_days_ago` days ago."""
    day1 = site_today(site) - timedelta(days=last_dose_days_ago + doses - 1)
    subject = enrolled_subject(
        site=site,
        coordinator=coordinator,
        investigator=investigator,
        screening_date=day1 - timedelta(days=1),
        day1=day1,
    )
    for day in range(1, doses + 1):
        dose_record(
            dose=DoseAdministration(
                subject=subject,
                study_day=day,
                date=day1 + timedelta(days=day - 1),
                status="completed",
                start_time=time(9),
                stop_time=time(9, 20),
                volume_ml=5,
            ),
            user=coordinator,
        )
    return subject


def test_a_subject_is_due_the_day_after_their_window_closes(site, coordinator, investigator):
    closed = _dosed(site, coordinator, investigator, last_dose_days_ago=31)
    closing_today = _dosed(site, coordinator, investigator, last_dose_days_ago=30)
    assert reports.subjects_due() == [closed]
    assert closing_today not in reports.subjects_due()


def test_the_daily_task_run_twice_makes_one_report_per_subject(
    site, coordinator, investigator, mailoutbox
):
    subject = _dosed(site, coordinator, investigator, last_dose_days_ago=40)
    first, second = safety_reports_due(), safety_reports_due()
    assert len(first) == 1 and second == []
    report = SafetyReport.objects.get()
    assert (report.subject, report.status, report.kind) == (subject, "done", "subject")
    assert report.file.name.endswith(".pdf")
    assert [m.to for m in mailoutbox] == [[investigator.email]]


def test_the_notice_waits_for_a_finished_report_and_is_caught_up_once(
    site, coordinator, investigator, mailoutbox, monkeypatch
):
    _dosed(site, coordinator, investigator, last_dose_days_ago=40)

    def fail(report):
        SafetyReport.objects.filter(pk=report.pk).update(status="failed", error="disk full")

    monkeypatch.setattr(reports, "report_make", fail)
    safety_reports_due()
    assert mailoutbox == []  # a failed report is not announced
    # made by hand later (e.g. after the disk was freed): the next daily run announces it
    SafetyReport.objects.update(status="done", finished_at=timezone.now())
    safety_reports_due()
    safety_reports_due()
    assert [m.to for m in mailoutbox] == [[investigator.email]]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_30_day_task_runs_on_the_real_worker_exactly_once(
    celery_worker, site, coordinator, investigator
):
    eligible = [
        _dosed(site, coordinator, investigator, last_dose_days_ago=35 + i) for i in range(2)
    ]
    _dosed(site, coordinator, investigator, last_dose_days_ago=5)  # window still open
    safety_reports_due.delay()
    safety_reports_due.delay()
    done = wait_for(
        lambda: (
            SafetyReport.objects.filter(status="done").count() == 2
            and SafetyReport.objects.count() == 2
        ),
        timeout=60,
    )
    assert done
    safety_reports_due.delay()  # a third run, after both are made
    import time as clock

    clock.sleep(3)
    assert sorted(SafetyReport.objects.values_list("subject_id", flat=True)) == sorted(
        s.pk for s in eligible
    )


def test_cumulative_report_on_demand_is_made_and_downloadable(
    investigator_client, site, coordinator, investigator, django_capture_on_commit_callbacks
):
    _dosed(site, coordinator, investigator, last_dose_days_ago=3)
    with django_capture_on_commit_callbacks(execute=True):
        response = investigator_client.post(reverse("safety:safety_reports"))
    assert response.status_code == 302
    report = SafetyReport.objects.get(kind="cumulative")
    assert (report.status, report.site_codes, report.requested_by) == ("done", "01", investigator)
    page = investigator_client.get(reverse("safety:safety_reports"))
    assert page.context["pending"] is False
    download = investigator_client.get(reverse("safety:safety_report_download", args=[report.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_report_covering_another_site_is_not_downloadable(monitor_client, other_site, site):
    report = reports.cumulative_report_queue(site_codes=["01", "02"])
    assert monitor_client.get(reverse("safety:safety_reports")).context["reports"] == []
    url = reverse("safety:safety_report_download", args=[report.pk])
    assert monitor_client.get(url).status_code == 404


def test_the_subject_dashboard_lists_its_report(
    investigator_client, site, coordinator, investigator
):
    subject = _dosed(site, coordinator, investigator, last_dose_days_ago=40)
    safety_reports_due()
    html = investigator_client.get(
        reverse("portal:subject_dashboard", args=[subject.pk])
    ).content.decode()
    report = SafetyReport.objects.get()
    assert reverse("safety:safety_report_download", args=[report.pk]) in html
