"""The outbox on a real Celery worker (Redis) sending to a real SMTP server (aiosmtpd):
sent once; kept with its error while the server is down and sent when it is back; left
pending by a worker killed mid-send and sent once by the next."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from safety.models import SeriousAdverseEventReport
from tests.conftest import wait_for
from tests.notifications.helpers import serious_ae
from trial_edc.notifications.models import Notification
from trial_edc.notifications.tasks import reminders_run_task

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_sae(subject_on_day, coordinator, investigator):
    """An SAE recorded 13 hours ago and not yet reported: its 12-hour reminder is due (and
    nothing else: day 40 is past treatment and between visit windows).
    (Made before the worker fixture, so its new-SAE alert is sent in this process.)"""
    report = serious_ae(subject_on_day(40), coordinator).sae_report
    SeriousAdverseEventReport.objects.filter(pk=report.pk).update(
        serious_since=timezone.now() - timedelta(hours=13)
    )
    return report


def reminder_row():
    return Notification.objects.filter(kind="sae_reminder").first()


def unlocked(pk: int) -> bool:
    try:
        with transaction.atomic():
            Notification.objects.select_for_update(nowait=True).get(pk=pk)
        return True
    except DatabaseError:
        return False


def test_the_worker_queues_and_sends_the_reminder_once_by_smtp(
    open_sae, investigator, outbox_worker, smtp_server
):
    outbox_worker.run(reminders_run_task)
    assert reminder_row().status == "sent"
    outbox_worker.run(reminders_run_task)  # the beat's next run
    outbox_worker.send_due()
    [message] = smtp_server.inbox.messages
    assert message["To"] == investigator.email
    assert message["Subject"].startswith("Reminder: SAE Pneumonia of")
    assert (reminder_row().attempts, reminder_row().last_error) == (1, "")


def test_with_the_mail_server_down_the_row_keeps_its_error_and_goes_out_when_it_is_back(
    open_sae, investigator, outbox_worker, smtp_server
):
    smtp_server.stop()
    outbox_worker.run(reminders_run_task)
    row = reminder_row()
    assert (row.status, row.attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in row.last_error
    assert row.send_after > timezone.now()  # backing off
    outbox_worker.send_due()  # too early: nothing is tried
    assert reminder_row().attempts == 1

    smtp_server.start()
    Notification.objects.filter(pk=row.pk).update(send_after=timezone.now())  # a minute later
    outbox_worker.send_due()
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)
    assert smtp_server.inbox.to() == [investigator.email]


def test_a_worker_killed_mid_send_leaves_the_row_pending_and_the_next_sends_it_once(
    open_sae, investigator, outbox_worker, smtp_server
):
    smtp_server.inbox.hang = True  # the server stalls once the message data starts
    outbox_worker.run(reminders_run_task, wait=False)
    assert smtp_server.inbox.in_data.wait(30)
    outbox_worker.kill()
    row = reminder_row()
    wait_for(lambda: unlocked(row.pk))  # the killed worker's transaction rolled back
    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at) == ("pending", 0, None)
    assert smtp_server.inbox.messages == []

    smtp_server.inbox.hang = False
    outbox_worker.start()
    outbox_worker.send_due()
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)
    assert smtp_server.inbox.to() == [investigator.email]
