"""Corrections after review: an AE no longer serious has no SAE clock, a digest leaves out
kinds turned off, safety alerts never give up, the 30-day notice waits for a finished report,
a subject who died gets no reminders, and the command queues no past day."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from tests.notifications.conftest import free_port
from tests.notifications.helpers import rows, sae_reminders_run, serious_ae, subject_died
from trial_edc.audit.services import audited_save
from trial_edc.notifications import reminders
from trial_edc.notifications.models import Kind, Notification
from trial_edc.notifications.services import notification_send, outbox_send_due, preference_save


def test_an_ae_no_longer_serious_has_no_reminder_or_escalation(
    subject_on_day, coordinator, investigator
):
    ae = serious_ae(subject_on_day(6), coordinator)
    since = ae.sae_report.serious_since
    sae_reminders_run(since + timedelta(hours=12))
    assert [r[0] for r in rows(kind__startswith="sae_r")] == ["sae_reminder"]
    ae.aeser, ae.aeshosp = False, False
    audited_save(instance=ae, user=coordinator, reason="Not hospitalised after all")
    assert outbox_send_due(since + timedelta(hours=12)) == {"cancelled": 1}
    assert Notification.objects.get(kind="sae_reminder").cancelled_reason == (
        "The adverse event is no longer serious."
    )
    reminders.reminders_run(since + timedelta(hours=24))
    assert not Notification.objects.filter(kind="sae_escalation").exists()


def test_a_digest_leaves_out_the_kinds_turned_off(subject_on_day, at, coordinator):
    preference_save(user=coordinator, email_off=["dose_today"], daily_digest=True)
    subject = subject_on_day(6)
    reminders.reminders_run(at(8, 30))
    reminders.reminders_run(at(18, 30))
    assert outbox_send_due(at(18, 31)) == {"sent": 1}
    [digest] = mail.outbox
    assert f"{subject}: no vital signs for day 6" in digest.body
    assert "dose of day 6 today" not in digest.body
    assert Notification.objects.get(kind="dose_today").status == "cancelled"


def test_a_safety_alert_keeps_trying_where_a_reminder_gives_up(
    subject_on_day, coordinator, investigator, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    report = serious_ae(subject_on_day(6), coordinator).sae_report
    later = report.serious_since + timedelta(hours=12)
    reminders.reminders_run(later)
    row = Notification.objects.get(kind="sae_reminder")
    Notification.objects.filter(pk=row.pk).update(attempts=29)
    assert notification_send(row.pk, now=later) == "pending"
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 30)
    assert row.send_after == later + timedelta(hours=1)


def test_a_subject_who_died_gets_no_reminders(subject_on_day, at, coordinator):
    subject = subject_on_day(6)
    subject_died(subject, coordinator)
    reminders.reminders_run(at(8, 30))
    reminders.reminders_run(at(18, 30))
    # the fatal AE is still an SAE to report: its alert and, once its clock has run long
    # enough (it depends on the hour the suite runs), its reminders; nothing else
    sae_kinds = {Kind.SAE_ALERT, Kind.SAE_REMINDER, Kind.SAE_ESCALATION}
    reminders_only = Notification.objects.exclude(kind__in=sae_kinds)
    assert not reminders_only.filter(object_id=subject.pk).exists()
    assert rows(kind__in=[k for k in Kind.values if k not in sae_kinds]) == []


def test_the_command_queues_no_past_day(db):
    with pytest.raises(CommandError, match="Only --dry-run looks at past days"):
        call_command("reminders", "--date", "2020-01-01")
