"""Issue 12, point 13: with the broker (a real redis-server) stopped, a coordinator saving a
serious AE gets no error page and waits on nothing; the AE and its SAE alert (an outbox row)
are saved together; once Redis is back a real worker sends the alert, exactly once."""

import os
import time

import pytest
from django.urls import reverse

from safety.models import AdverseEvent
from tests.conftest import _worker_database_url
from tests.notifications.conftest import Worker
from trial_edc.celery import app
from trial_edc.notifications.models import Notification

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SERIOUS_PNEUMONIA = {
    "aeterm": "Pneumonia",
    "ongoing": "on",
    "aetoxgr": "3",
    "aeser": "on",
    "aeshosp": "on",
    "aerel": "UNLIKELY RELATED",
    "aeacn": "DRUG INTERRUPTED",
    "aeout": "RECOVERING/RESOLVING",
}


def _drop_connections() -> None:
    """Forget the broker connections, so the next message goes to the broker set now."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker(private_redis, settings):
    """Celery's broker is the private redis-server; tasks go to it (not run in-process)."""
    saved = app.conf.broker_url, app.conf.task_always_eager
    settings.CELERY_BROKER_URL = private_redis.url
    _drop_connections()
    app.conf.broker_url, app.conf.task_always_eager = private_redis.url, False
    yield private_redis
    _drop_connections()
    app.conf.broker_url, app.conf.task_always_eager = saved


def test_a_serious_ae_saved_with_redis_stopped_is_alerted_once_when_redis_and_a_worker_are_back(
    broker, subject_on_day, coordinator_client, investigator, smtp_server, settings, tmp_path
):
    subject = subject_on_day(6)
    broker.stop()

    started = time.monotonic()
    response = coordinator_client.post(
        reverse("safety:adverse_event_create", args=[subject.pk]),
        SERIOUS_PNEUMONIA | {"aestdtc": subject.day1.isoformat()},
    )
    waited = time.monotonic() - started
    ae = AdverseEvent.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("safety:adverse_event_detail", args=[ae.pk])
    assert waited < 3, f"the save waited {waited:.1f} s on the broker"
    [alert] = Notification.objects.filter(kind="sae_alert")
    assert (alert.recipient, alert.status) == (investigator, Notification.Status.PENDING)

    broker.start()
    worker = Worker(
        queue=f"{settings.CELERY_TASK_DEFAULT_QUEUE}_redis_back",
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "trial_edc.settings.test",
            "DATABASE_URL": _worker_database_url(),
            "REDIS_URL": broker.url,
            "TEST_WORKER_EMAIL_URL": smtp_server.url,
        },
        log_path=tmp_path / "worker.log",
    )
    worker.start()
    try:
        worker.send_due()  # the outbox sender, as the beat runs it every minute
        worker.send_due()  # and its next run
    finally:
        worker.stop()
    alert.refresh_from_db()
    assert (alert.status, alert.attempts) == (Notification.Status.SENT, 1)
    [message] = smtp_server.inbox.messages
    assert message["To"] == investigator.email
    assert "Pneumonia" in message["Subject"]
