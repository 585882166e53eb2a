"""Redis down: asking for a cumulative safety report saves the request (a queued row) and
shows no error; once Redis is back a worker makes it, through the beat task of queued
reports. (The SAE alert has its own outbox; see test_sae.py.)"""

import logging
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from safety.models import SafetyReport
from safety.tasks import safety_reports_queued
from tests.conftest import wait_for
from trial_edc.celery import app

CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens there: Redis, or its host, is down


def _drop_connections() -> None:
    """Forget the broker connections, so the next message connects to the broker set now
    (what Celery does after a fork)."""
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def redis_down():
    """Tasks go to a broker that cannot be reached (not run in-process, as tests do)."""
    saved = app.conf.broker_url, app.conf.task_always_eager
    _drop_connections()
    app.conf.broker_url, app.conf.task_always_eager = CLOSED_PORT, False
    try:
        yield
    finally:
        _drop_connections()
        app.conf.broker_url, app.conf.task_always_eager = saved


def test_report_asked_for_while_redis_is_down_is_saved_without_an_error(
    investigator_client, django_capture_on_commit_callbacks, caplog
):
    with (
        redis_down(),
        caplog.at_level(logging.WARNING, logger="trial_edc.core.tasks"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = investigator_client.post(reverse("safety:safety_reports"))
    assert response.status_code == 302
    report = SafetyReport.objects.get(kind="cumulative")
    assert report.status == SafetyReport.Status.QUEUED
    assert "safety.safety_report_generate" in caplog.text
    page = investigator_client.get(reverse("safety:safety_reports"))
    assert page.context["pending"] is True


def test_a_queued_report_waits_a_minute_for_its_own_task(investigator, site):
    from safety import reports

    report = reports.cumulative_report_queue(site_codes=["01"], requested_by=investigator)
    assert safety_reports_queued() == []  # its own task may still be on its way
    SafetyReport.objects.filter(pk=report.pk).update(
        created_at=timezone.now() - timedelta(minutes=2)
    )
    assert safety_reports_queued() == [report.pk]
    report.refresh_from_db()
    assert report.status == SafetyReport.Status.DONE
    assert safety_reports_queued() == []  # made once


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_redis_down_loses_no_report_a_worker_makes_it_when_redis_is_back(
    celery_worker, investigator_client
):
    with redis_down():
        response = investigator_client.post(reverse("safety:safety_reports"))
    assert response.status_code == 302
    report = SafetyReport.objects.get(kind="cumulative")
    assert report.status == SafetyReport.Status.QUEUED
    # a minute later the beat sends the task of queued reports to the worker
    SafetyReport.objects.filter(pk=report.pk).update(
        created_at=timezone.now() - timedelta(minutes=2)
    )
    safety_reports_queued.delay()
    wait_for(lambda: SafetyReport.objects.get(pk=report.pk).status == "done", timeout=60)
    assert SafetyReport.objects.filter(kind="cumulative").count() == 1
