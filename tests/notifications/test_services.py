"""Sending one row: failures are kept with their error and retried with back-off."""

from datetime import timedelta

from django.core import mail

from tests.notifications.conftest import free_port
from trial_edc.notifications import reminders
from trial_edc.notifications.models import Notification
from trial_edc.notifications.services import notification_send, outbox_send_due


def test_a_failed_send_is_kept_with_its_error_retried_later_then_marked_failed(
    subject_on_day, at, coordinator, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    subject_on_day(6)
    reminders.reminders_run(at(8, 30))
    row = Notification.objects.get()
    now = at(8, 31)
    assert outbox_send_due(now) == {"pending": 1}
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error.startswith("ConnectionRefusedError")
    assert row.send_after == now + timedelta(minutes=1)
    assert outbox_send_due(now + timedelta(seconds=30)) == {}  # not before its time

    Notification.objects.filter(pk=row.pk).update(attempts=29)
    assert notification_send(row.pk, now=now + timedelta(minutes=1)) == "failed"
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 30)
    assert outbox_send_due(now + timedelta(days=1)) == {}  # given up: for the data manager


def test_a_row_is_sent_once_however_often_it_is_asked(subject_on_day, at, coordinator):
    subject_on_day(6)
    reminders.reminders_run(at(8, 30))
    row = Notification.objects.get()
    assert notification_send(row.pk, now=at(8, 31)) == "sent"
    assert notification_send(row.pk, now=at(8, 32)) is None
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at) == ("sent", 1, at(8, 31))
