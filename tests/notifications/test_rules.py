"""When reminders fall due, with exact dates and times (no database)."""

from datetime import UTC, date, datetime, timedelta

from trial_edc.core import clock
from trial_edc.notifications import rules

SHANGHAI, AMSTERDAM = "Asia/Shanghai", "Europe/Amsterdam"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_utc_plus_8_site_has_its_morning_at_midnight_utc():
    # 08:00 in Shanghai is 00:00 UTC: not yet at 23:59 UTC the day before, then yes
    assert not rules.morning_has_come(utc(2026, 3, 1, 23, 59), SHANGHAI)
    assert rules.morning_has_come(utc(2026, 3, 2, 0, 0), SHANGHAI)
    assert clock.site_today(SHANGHAI, utc(2026, 3, 2, 0, 0)) == date(2026, 3, 2)
    # the same moment is 01:00 in Amsterdam: its morning has not come
    assert not rules.morning_has_come(utc(2026, 3, 2, 0, 0), AMSTERDAM)
    assert rules.morning_has_come(utc(2026, 3, 2, 7, 0), AMSTERDAM)  # 08:00 CET


def test_end_of_day_is_the_sites_18_00():
    assert not rules.day_has_ended(utc(2026, 3, 2, 9, 59), SHANGHAI)
    assert rules.day_has_ended(utc(2026, 3, 2, 10, 0), SHANGHAI)
    # summer time: 18:00 in Amsterdam is 16:00 UTC in July
    assert rules.day_has_ended(utc(2026, 7, 2, 16, 0), AMSTERDAM)
    assert not rules.day_has_ended(utc(2026, 7, 2, 15, 59), AMSTERDAM)


def test_site_moment_is_the_wall_clock_of_the_site():
    moment = clock.site_moment(date(2026, 3, 2), rules.study().reminders.morning, SHANGHAI)
    assert moment == utc(2026, 3, 2, 0, 0)


def test_windows_opening_in_3_and_1_days_are_reminded():
    today = date(2026, 3, 2)
    assert rules.window_opening_dates(today) == {date(2026, 3, 5): 3, date(2026, 3, 3): 1}


def test_an_overdue_visit_is_reminded_once_with_a_week_to_catch_up():
    assert rules.overdue_window_ends(date(2026, 3, 10)) == (date(2026, 3, 3), date(2026, 3, 9))
    # the key date is the same whichever day the run finds it
    assert rules.overdue_reminder_date(date(2026, 3, 9)) == date(2026, 3, 10)


def test_treatment_days_are_1_to_14():
    day1 = date(2026, 3, 1)
    assert clock.treatment_study_day(day1, date(2026, 2, 28)) is None
    assert clock.treatment_study_day(day1, date(2026, 3, 1)) == 1
    assert clock.treatment_study_day(day1, date(2026, 3, 14)) == 14
    assert clock.treatment_study_day(day1, date(2026, 3, 15)) is None


def test_sae_reminder_at_12_hours_and_escalation_at_24():
    since = utc(2026, 3, 2, 9, 30)
    assert rules.sae_thresholds(since) == {
        "reminder": utc(2026, 3, 2, 21, 30),
        "escalation": utc(2026, 3, 3, 9, 30),
    }


def test_retries_back_off_to_an_hour_then_give_up():
    assert [rules.retry_delay(n) for n in (1, 2, 3, 7, 20)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=60),
        timedelta(minutes=60),
    ]
    assert not rules.gives_up(29)
    assert rules.gives_up(30)
