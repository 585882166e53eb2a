"""A reminder or an alert is written in each recipient's language: the same dose reminder to
a Chinese-reading and an English-reading coordinator, queued at once, sent in two languages."""

import pghistory
from django.core import mail

from trial_edc.accounts.roles import Role
from trial_edc.notifications import reminders
from trial_edc.notifications.models import Notification
from trial_edc.notifications.services import outbox_send_due


def test_the_same_reminder_is_e_mailed_in_chinese_and_in_english(
    subject_on_day_6, site, coordinator, make_user, chinese, at
):
    zh = chinese(make_user(Role.SITE_COORDINATOR, [site], username="coordinator_zh"))
    reminders.reminders_run(at(18))
    mine = {
        n.recipient.username: n
        for n in Notification.objects.filter(kind="dose_missing").select_related("recipient")
    }
    number = subject_on_day_6.subject_number
    assert mine["coordinator_zh"].subject == f"{number}：第6天无给药记录"
    assert "给药记录" in mine["coordinator_zh"].body
    assert mine["coordinator"].subject == f"{number}: no dose recorded for day 6"
    assert "has no dose record" in mine["coordinator"].body

    outbox_send_due(at(18, 5))
    zh_subject, en_subject = f"{number}：第6天无给药记录", f"{number}: no dose recorded for day 6"
    sent = {(m.to[0], m.subject) for m in mail.outbox}
    assert (zh.email, zh_subject) in sent and (coordinator.email, en_subject) in sent
    assert (zh.email, en_subject) not in sent and (coordinator.email, zh_subject) not in sent


def test_the_language_of_a_recipient_without_a_choice_is_their_sites(
    subject_on_day_6, site, coordinator, at
):
    from trial_edc.accounts.models import Site

    with pghistory.context(reason="test set-up"):
        Site.objects.filter(pk=site.pk).update(language="zh-hans")
    reminders.reminders_run(at(18))
    subjects = set(
        Notification.objects.filter(recipient=coordinator).values_list("subject", flat=True)
    )
    assert f"{subject_on_day_6.subject_number}：第6天无生命体征" in subjects
