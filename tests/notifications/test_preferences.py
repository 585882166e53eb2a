"""Per-person preferences: kinds not wanted by e-mail, and one daily digest instead."""

from datetime import timedelta

from django.core import mail

from tests.notifications.helpers import rows, sae_reminders_run, serious_ae
from trial_edc.notifications import reminders
from trial_edc.notifications.models import Notification
from trial_edc.notifications.services import outbox_send_due, preference_save


def test_a_kind_turned_off_is_not_e_mailed_but_kept_on_the_page(subject_on_day, at, coordinator):
    preference_save(user=coordinator, email_off=["dose_today"], daily_digest=False)
    subject_on_day(6)
    reminders.reminders_run(at(8, 30))
    assert outbox_send_due(at(8, 31)) == {"cancelled": 1}
    assert Notification.objects.get().cancelled_reason == (
        "Not e-mailed: turned off in the recipient's preferences."
    )
    assert mail.outbox == []


def test_safety_alerts_cannot_be_turned_off(subject_on_day, coordinator, investigator):
    preference_save(user=investigator, email_off=["sae_reminder"], daily_digest=True)
    report = serious_ae(subject_on_day(40), coordinator).sae_report
    twelve_hours_on = report.serious_since + timedelta(hours=12)
    sae_reminders_run(twelve_hours_on)
    assert outbox_send_due(twelve_hours_on) == {"sent": 1}
    assert mail.outbox[-1].subject.startswith("Reminder: SAE Pneumonia")


def test_a_digest_carries_the_days_reminders_in_one_mail_at_the_end_of_the_day(
    subject_on_day, at, site, coordinator
):
    preference_save(user=coordinator, email_off=[], daily_digest=True)
    first, second = subject_on_day(6), subject_on_day(22)
    reminders.reminders_run(at(8, 30))
    assert outbox_send_due(at(8, 31)) == {}  # kept for the digest
    reminders.reminders_run(at(18, 30))
    assert [r[0] for r in rows(kind="digest")] == ["digest"]
    assert outbox_send_due(at(18, 31)) == {"sent": 1}
    [digest_mail] = mail.outbox
    assert digest_mail.to == [coordinator.email]
    assert f"{first}: dose of day 6 today" in digest_mail.body
    assert f"{second}: Day 28 window opens in 3 day(s)" in digest_mail.body
    assert f"{first}: no vital signs for day 6" in digest_mail.body
    digest = Notification.objects.get(kind="digest")
    assert set(digest.items.values_list("status", flat=True)) == {"sent"}
    assert digest.items.count() == Notification.objects.exclude(kind="digest").count()
    reminders.reminders_run(at(18, 45))  # a later run: no second digest
    assert Notification.objects.filter(kind="digest").count() == 1
