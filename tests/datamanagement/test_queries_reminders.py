"""The daily reminder of unanswered queries: in the site's morning, one message a day to each
of its coordinators and investigators; queued once however often the run goes; not sent
when every query was answered meanwhile (re-checked at send time)."""

from datetime import time

import pytest
from django.core import mail

from datamanagement.queries import services
from tests.datamanagement.queries_helpers import vitals  # noqa: F401
from trial_edc.core.clock import site_moment, site_today
from trial_edc.notifications import reminders
from trial_edc.notifications.models import Notification
from trial_edc.notifications.services import outbox_send_due


@pytest.fixture
def at(site):
    def moment(hour: int, minute: int = 0):
        return site_moment(site_today(site), time(hour, minute), site.time_zone)

    return moment


def _query_reminders():
    return Notification.objects.filter(kind="queries_unanswered").order_by("recipient__username")


def test_sent_once_a_day_to_the_site_staff(at, monitor, coordinator, investigator, vitals):  # noqa: F811
    services.query_raise(user=monitor, record=vitals, field="hr", text="Check")
    reminders.reminders_run(at(7))  # before the morning: nothing yet
    assert not _query_reminders().exists()
    reminders.reminders_run(at(8, 5))
    reminders.reminders_run(at(9))
    assert [n.recipient for n in _query_reminders()] == [coordinator, investigator]
    outbox_send_due(at(9, 5))
    assert {n.status for n in _query_reminders()} == {"sent"}
    sent = [m for m in mail.outbox if "waiting for an answer" in m.subject]
    assert [m.subject for m in sent] == ["Site 01: 1 queries waiting for an answer"] * 2


def test_not_sent_when_answered_meanwhile(at, monitor, coordinator, vitals):  # noqa: F811
    q = services.query_raise(user=monitor, record=vitals, field="hr", text="Check")
    reminders.reminders_run(at(8, 5))
    services.query_answer(user=coordinator, query=q, text="Source says 88")
    outbox_send_due(at(8, 10))
    assert {n.status for n in _query_reminders()} == {"cancelled"}
    assert {n.cancelled_reason for n in _query_reminders()} == {
        "Every query of the site has been answered."
    }
    assert not [m for m in mail.outbox if "waiting for an answer" in m.subject]
