"""Exactly once on PostgreSQL: two reminder runs at once queue each reminder once; two
senders at once deliver each row once (to a real SMTP server)."""

import threading
from collections import Counter

import pytest
from django.db import connection

from trial_edc.accounts.roles import Role
from trial_edc.notifications import reminders
from trial_edc.notifications.models import Notification
from trial_edc.notifications.services import outbox_send_due


def concurrently(job, n: int = 2) -> list:
    """Run job() in n threads started together, each on its own database connection."""
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def run(i):
        try:
            barrier.wait(10)
            results[i] = job()
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_queue_each_reminder_once(subject_on_day, at, make_user, site):
    make_user(Role.SITE_COORDINATOR, [site], username="second_coordinator")
    for day in (2, 6, 9, 22, 24):
        subject_on_day(day)
    expected = {m.key for m in reminders.reminders_due(at(18, 30))}
    assert len(expected) > 10
    for _round in range(3):
        concurrently(lambda: reminders.reminders_run(at(18, 30)), n=4)
    keys = Counter(
        Notification.objects.values_list(
            "kind", "content_type_id", "object_id", "for_date", "recipient_id"
        )
    )
    assert set(keys) == expected
    assert max(keys.values()) == 1


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_deliver_each_row_once(subject_on_day, at, smtp_server, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    for day in (2, 3, 4, 5, 6, 7, 8, 22, 24):
        subject_on_day(day)
    reminders.reminders_run(at(18, 30))
    queued = Notification.objects.count()
    assert queued >= 20
    outcomes = concurrently(lambda: outbox_send_due(at(18, 31)), n=3)
    assert sum(o.get("sent", 0) for o in outcomes) == queued
    assert sum(1 for o in outcomes if o.get("sent")) >= 2  # both really sent some
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
    delivered = Counter((m["To"], m["Subject"]) for m in smtp_server.inbox.messages)
    assert len(delivered) == queued and max(delivered.values()) == 1
