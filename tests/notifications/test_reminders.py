"""The reminder run: what each site's coordinators and investigators get, when, and once."""

from datetime import timedelta

import pytest
from django.core import mail

from tests.notifications.helpers import (
    dose_not_given,
    rows,
    sae_reminders_run,
    serious_ae,
    visit_done,
    vitals_now,
)
from trial_edc.accounts.roles import Role
from trial_edc.core.clock import site_today
from trial_edc.notifications import reminders
from trial_edc.notifications.models import Notification
from trial_edc.notifications.services import outbox_send_due

SENT, PENDING, CANCELLED = "sent", "pending", "cancelled"


@pytest.fixture
def other_coordinator(make_user, other_site):
    return make_user(Role.SITE_COORDINATOR, [other_site], username="far_coord")


def test_visit_window_opening_in_3_days_and_a_visit_overdue_go_to_the_sites_coordinators(
    subject_on_day, at, site, coordinator, investigator, other_coordinator
):
    subject = subject_on_day(22)  # DAY28 window opens on day 25; DAY14's closed on day 15
    today = site_today(site)
    reminders.reminders_run(at(9))
    visits = rows(kind__startswith="visit")
    assert visits == [
        ("visit_overdue", "coordinator", today - timedelta(days=6), PENDING),
        ("visit_window_opens", "coordinator", today, PENDING),
    ]
    opening = Notification.objects.get(kind="visit_window_opens")
    assert opening.subject == f"{subject}: Day 28 window opens in 3 day(s)"
    assert f"/subjects/{subject.pk}/" in opening.body
    assert opening.about == subject.visits.get(code="DAY28")


def test_a_window_opening_tomorrow_is_reminded_again(subject_on_day, at, site, coordinator):
    subject_on_day(24)
    reminders.reminders_run(at(9))
    assert rows(kind="visit_window_opens") == [
        ("visit_window_opens", "coordinator", site_today(site), PENDING)
    ]


def test_running_twice_on_the_same_day_queues_each_reminder_once(
    subject_on_day, at, coordinator, investigator
):
    subject_on_day(22)
    subject_on_day(6)
    reminders.reminders_run(at(9))
    first = rows()
    reminders.reminders_run(at(9, 15))
    reminders.reminders_run(at(19))  # end of day adds the missing-data alerts only
    # DAY28 opens in 3 days and DAY14 overdue (day 22); today's dose (day 6)
    assert len(first) == 3
    assert [r for r in rows() if r[0] in ("visit_overdue", "visit_window_opens", "dose_today")] == (
        first
    )
    assert Notification.objects.count() == 5


def test_a_reminder_of_a_visit_done_before_send_time_is_cancelled_not_sent(
    subject_on_day, at, coordinator
):
    subject = subject_on_day(22)
    reminders.reminders_run(at(8, 5))
    visit_done(subject.visits.get(code="DAY14"), coordinator)
    outcome = outbox_send_due(at(8, 10))
    assert outcome == {"cancelled": 1, "sent": 1}
    overdue = Notification.objects.get(kind="visit_overdue")
    assert (overdue.status, overdue.cancelled_reason) == (CANCELLED, "The visit is done.")
    assert [m.subject for m in mail.outbox] == [f"{subject}: Day 28 window opens in 3 day(s)"]


def test_morning_dose_reminder_then_missing_dose_and_vitals_at_the_end_of_the_day(
    subject_on_day, at, site, coordinator
):
    subject = subject_on_day(6)
    today = site_today(site)
    reminders.reminders_run(at(7, 59))
    assert rows() == []  # before the site's morning
    reminders.reminders_run(at(8))
    assert rows() == [("dose_today", "coordinator", today, PENDING)]
    reminders.reminders_run(at(18))
    assert rows(kind__endswith="missing") == [
        ("dose_missing", "coordinator", today, PENDING),
        ("vitals_missing", "coordinator", today, PENDING),
    ]
    assert Notification.objects.get(kind="dose_today").about == subject


def test_recorded_dose_and_vitals_cancel_their_alerts_at_send_time(subject_on_day, at, coordinator):
    subject = subject_on_day(6)
    reminders.reminders_run(at(18, 1))
    dose_not_given(subject, 6, coordinator)
    vitals_now(subject, coordinator)
    assert outbox_send_due(at(18, 2)) == {"cancelled": 3}
    assert set(Notification.objects.values_list("cancelled_reason", flat=True)) == {
        "The day's dose has been recorded.",
        "The day's vital signs have been recorded.",
    }
    assert mail.outbox == []


def test_a_dose_already_recorded_is_not_reminded(subject_on_day, at, coordinator):
    subject = subject_on_day(6)
    dose_not_given(subject, 6, coordinator)
    reminders.reminders_run(at(18, 30))
    assert [r[0] for r in rows()] == ["vitals_missing"]


def test_no_treatment_reminders_after_day_14_or_for_a_withdrawn_subject(
    subject_on_day, at, coordinator
):
    from enrollment.services import subject_end

    subject_on_day(15)
    withdrawn = subject_on_day(3)
    subject_end(
        subject=withdrawn,
        user=coordinator,
        status="withdrawn",
        on=site_today(withdrawn.site),
        reason="consent withdrawn",
        decided_by="the subject",
    )
    reminders.reminders_run(at(18, 30))
    assert rows() == []


def test_a_utc_plus_8_site_gets_its_morning_reminder_at_its_own_morning(
    subject_on_day, at, site, other_site, make_user, coordinator
):
    """Site 01 is Asia/Shanghai (UTC+8): its 08:00 is 00:00 UTC; Amsterdam is still asleep."""
    from portal.demo.enrollment import enrolled_subject

    far_coordinator = make_user(Role.SITE_COORDINATOR, [other_site], username="far_coord")
    far_investigator = make_user(Role.INVESTIGATOR, [other_site], username="far_inv")
    subject_on_day(6)
    far_today = site_today(other_site, at(8))
    enrolled_subject(
        site=other_site,
        coordinator=far_coordinator,
        investigator=far_investigator,
        screening_date=far_today - timedelta(days=7),
        day1=far_today - timedelta(days=5),
    )
    morning = at(8)
    assert morning.utcoffset() == timedelta(hours=8)
    reminders.reminders_run(morning - timedelta(minutes=1))
    assert rows() == []
    reminders.reminders_run(morning)
    assert rows() == [("dose_today", "coordinator", site_today(site), PENDING)]
    assert Notification.objects.get().send_after == morning
    assert outbox_send_due(morning - timedelta(seconds=1)) == {}
    assert outbox_send_due(morning) == {"sent": 1}
    assert mail.outbox[0].to == [coordinator.email]


def test_sae_clock_reminds_the_investigator_at_12_hours_and_escalates_at_24(
    subject_on_day, coordinator, investigator, data_manager, make_user, site
):
    subject = subject_on_day(6)
    monitor = make_user(Role.MONITOR, [site], username="mon")
    report = serious_ae(subject, coordinator).sae_report
    since = report.serious_since
    reminders.reminders_run(since + timedelta(hours=11, minutes=59))
    assert rows(kind__in=("sae_reminder", "sae_escalation")) == []
    reminders.reminders_run(since + timedelta(hours=12))
    day = site_today(site, since)
    assert rows(kind__in=("sae_reminder", "sae_escalation")) == [
        ("sae_reminder", "investigator", day, PENDING)
    ]
    reminders.reminders_run(since + timedelta(hours=24))
    assert rows(kind__in=("sae_reminder", "sae_escalation")) == [
        ("sae_escalation", "datamanager", day, PENDING),
        ("sae_escalation", "investigator", day, PENDING),
        ("sae_reminder", "investigator", day, PENDING),
    ]
    assert monitor.notifications.count() == 0
    escalation = Notification.objects.get(kind="sae_escalation", recipient=data_manager)
    assert escalation.send_after == since + timedelta(hours=24)


def test_an_sae_reported_before_the_reminder_goes_out_cancels_it(
    subject_on_day, coordinator, investigator
):
    from django.utils import timezone

    from safety.services.adverse_events import sae_mark_reported

    subject = subject_on_day(6)
    report = serious_ae(subject, coordinator).sae_report
    later = report.serious_since + timedelta(hours=13)
    sae_reminders_run(later)
    sae_mark_reported(report=report, user=investigator, reported_at=timezone.now())
    assert outbox_send_due(later) == {"cancelled": 1}
    reminders.reminders_run(later + timedelta(hours=12))  # reported: no escalation
    assert not Notification.objects.filter(kind="sae_escalation").exists()


def test_the_daily_run_takes_a_fixed_number_of_queries(
    subject_on_day, at, coordinator, django_assert_max_num_queries
):
    subject_on_day(6)
    subject_on_day(22)
    reminders.reminders_run(at(18, 30))  # warm the content-type cache
    # 13: + 1 for the recipients' languages (each message is written in its reader's)
    with django_assert_max_num_queries(13) as few:
        reminders.reminders_run(at(18, 31))
    for day in (2, 3, 4, 5, 7, 8, 20, 21, 22, 23, 24):
        subject_on_day(day)
    with django_assert_max_num_queries(len(few.captured_queries)):
        reminders.reminders_run(at(18, 32))
    assert Notification.objects.count() > 20


def test_a_site_behind_utc_gets_the_dose_of_its_own_day_across_the_utc_midnight(
    make_user, other_site, at
):
    """A site at UTC-8: its morning is 16:00 UTC and its 18:00 is 02:00 UTC the next day;
    both messages are about the site's date, not the UTC one."""
    from datetime import UTC, time

    from portal.demo.enrollment import enrolled_subject
    from trial_edc.audit.services import audited_save
    from trial_edc.notifications.rules import site_moment

    coordinator = make_user(Role.SITE_COORDINATOR, [other_site], username="la_coord")
    other_site.time_zone = "America/Los_Angeles"
    audited_save(instance=other_site, user=coordinator, reason="Site moved to California")
    investigator = make_user(Role.INVESTIGATOR, [other_site], username="la_inv")
    today = site_today(other_site)
    enrolled_subject(
        site=other_site,
        coordinator=coordinator,
        investigator=investigator,
        screening_date=today - timedelta(days=2),
        day1=today - timedelta(days=1),
    )
    morning = site_moment(today, time(8), "America/Los_Angeles")
    evening = site_moment(today, time(18), "America/Los_Angeles")
    assert evening.astimezone(UTC).date() == today + timedelta(days=1)  # past UTC midnight
    reminders.reminders_run(morning)
    reminders.reminders_run(evening)
    assert rows() == [
        ("dose_missing", "la_coord", today, PENDING),
        ("dose_today", "la_coord", today, PENDING),
        ("visit_overdue", "la_coord", today, PENDING),  # baseline (day 1) not recorded
        ("vitals_missing", "la_coord", today, PENDING),
    ]
    assert Notification.objects.get(kind="dose_missing").send_after == evening
