"""Export jobs (issue 15, point 7): asked for → queued → made by the worker → ready with the
SHA-256 of the file kept; a failure kept with its message; a second run harmless; a job asked
for while the broker is down still made later; every request and download logged."""

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from datamanagement.exports import services
from datamanagement.exports.kinds import EXPORT_KINDS, ExportKind
from datamanagement.exports.tasks import export_run_task, exports_queued_task
from datamanagement.models.exports import ExportEvent, ExportJob
from portal.demo.enrollment import enrolled_subject
from trial_edc.accounts.roles import Role


@pytest.fixture(autouse=True)
def _export_root(settings, tmp_path):
    settings.EXPORT_ROOT = str(tmp_path / "exports")


@pytest.fixture
def subject(site, coordinator, investigator):
    return enrolled_subject(site=site, coordinator=coordinator, investigator=investigator)


def _ask(user, **filters):
    return services.export_request(user=user, kind="csv", dispatch=False, **filters)


def test_request_writes_the_job_and_its_log_entry(monitor, subject, site):
    job = _ask(monitor)
    assert job.status == ExportJob.Status.QUEUED
    assert job.filters["sites"] == ["01"]
    entry = ExportEvent.objects.get(job=job)
    assert entry.kind == ExportEvent.Kind.REQUESTED
    assert entry.who == monitor.printed_name and entry.export_kind == "csv"
    assert entry.filters == job.filters
    # the job's creation is in the audit trail with who asked
    event = job.events.get(pgh_label="insert")
    assert event.pgh_context["user"] == monitor.pk


def test_job_runs_to_ready_with_the_sha256_of_its_file(monitor, subject):
    job = _ask(monitor)
    assert export_run_task(job.pk) == "ready"
    job.refresh_from_db()
    path = Path(services.export_path(job))
    data = path.read_bytes()
    assert job.sha256 == hashlib.sha256(data).hexdigest()
    assert job.size == len(data)
    assert job.file_name.startswith("trial-edc_NCT06919380_csv_site01_")
    assert job.file_name.endswith(".zip")
    assert job.finished_at is not None and job.percent == 100
    # the moves are in the job's history: queued, running, ready
    statuses = list(job.events.order_by("pgh_id").values_list("status", flat=True))
    assert statuses == ["queued", "running", "ready"]


def test_running_twice_is_harmless(monitor, subject):
    job = _ask(monitor)
    export_run_task(job.pk)
    job.refresh_from_db()
    first = (job.sha256, job.path, job.finished_at)
    assert export_run_task(job.pk) == "skipped"
    job.refresh_from_db()
    assert (job.sha256, job.path, job.finished_at) == first
    assert len(list(Path(services.export_root()).iterdir())) == 1


def test_a_failure_is_kept_with_its_message_and_no_file(monitor, subject, client_for):
    def broken(job, out, progress):
        out.write(b"half a file")
        raise ValueError("The form table could not be read")

    EXPORT_KINDS._entries["broken"] = ExportKind(
        "broken", "Broken", broken, lambda job: "x.zip", "application/zip"
    )
    try:
        job = services.export_request(user=monitor, kind="broken", dispatch=False)
        export_run_task(job.pk)
        job.refresh_from_db()
        assert job.status == ExportJob.Status.FAILED
        assert "could not be read" in job.error
        assert services.export_path(job) is None
        assert not [p for p in Path(services.export_root()).iterdir() if p.is_file()]
        page = client_for(monitor).get(reverse("datamanagement:export_list")).content.decode()
        assert "The form table could not be read" in page
        assert reverse("datamanagement:export_download", args=[job.pk]) not in page
        # a failed job is tried again by the next run
        EXPORT_KINDS._entries["broken"] = EXPORT_KINDS["csv"]
        export_run_task(job.pk)
        job.refresh_from_db()
        assert job.status == ExportJob.Status.READY
    finally:
        EXPORT_KINDS._entries.pop("broken", None)


def test_a_job_asked_for_while_the_broker_is_down_is_made_by_the_beat_task(
    monitor, subject, django_capture_on_commit_callbacks
):
    # the broker cannot be reached: the request still succeeds, the job stays queued
    from tests.safety.test_broker_down import redis_down

    with redis_down(), django_capture_on_commit_callbacks(execute=True):
        job = services.export_request(user=monitor, kind="csv")
    job.refresh_from_db()
    assert job.status == ExportJob.Status.QUEUED
    # within the grace minute the beat task leaves it to its own task; after, it makes it
    assert exports_queued_task() == []
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    assert exports_queued_task() == [job.pk]
    job.refresh_from_db()
    assert job.status == ExportJob.Status.READY


def test_a_stuck_job_is_taken_over(monitor, subject, settings):
    job = _ask(monitor)
    ExportJob.objects.filter(pk=job.pk).update(
        status="running", claimed_at=timezone.now() - settings.EXPORT_STUCK_AFTER * 2
    )
    assert exports_queued_task() == [job.pk]
    job.refresh_from_db()
    assert job.status == ExportJob.Status.READY


def test_coordinators_may_not_export(coordinator, subject):
    with pytest.raises(PermissionDenied):
        _ask(coordinator)


def test_a_site_that_is_not_yours_is_refused(monitor, subject, other_site):
    with pytest.raises(PermissionDenied):
        _ask(monitor, sites=["02"])


def test_download_is_scoped_logged_and_not_cached(make_user, site, subject, client_for):
    owner = make_user(Role.MONITOR, [site], username="owner")
    other = make_user(Role.MONITOR, [site], username="other")
    manager = make_user(Role.DATA_MANAGER, [site], username="manager")
    job = _ask(owner)
    export_run_task(job.pk)
    job.refresh_from_db()
    url = reverse("datamanagement:export_download", args=[job.pk])
    assert client_for(other).get(url).status_code == 404
    for user in (owner, manager):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert response["Content-Type"] == "application/zip"
        assert job.file_name in response["Content-Disposition"]
        body = b"".join(response.streaming_content)
        assert hashlib.sha256(body).hexdigest() == job.sha256
    downloads = ExportEvent.objects.filter(job=job, kind=ExportEvent.Kind.DOWNLOADED)
    assert sorted(downloads.values_list("user__username", flat=True)) == ["manager", "owner"]
    # the list: the owner sees their job, another monitor does not, data managers see all
    assert url in client_for(owner).get(reverse("datamanagement:export_list")).content.decode()
    assert url not in client_for(other).get(reverse("datamanagement:export_list")).content.decode()
    assert url in client_for(manager).get(reverse("datamanagement:export_list")).content.decode()


def test_the_page_asks_for_an_export(
    monitor, subject, client_for, django_capture_on_commit_callbacks
):
    client = client_for(monitor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("datamanagement:export_list"),
            {"kind": "csv", "site": "01", "form": "", "as_of": "", "subject": ""},
        )
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.requested_by == monitor
    assert job.status == ExportJob.Status.READY  # eager in tests: the worker made it at once
    # a refused value is a message next to its field, no server error
    response = client.post(
        reverse("datamanagement:export_list"), {"kind": "csv", "site": "99", "as_of": "x"}
    )
    assert response.status_code == 200
    assert ExportJob.objects.count() == 1
