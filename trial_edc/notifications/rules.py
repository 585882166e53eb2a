"""When a reminder is due, in the site's own time; pure functions over plain values."""

from datetime import date, datetime, timedelta

from trial_edc.core.clock import site_moment, site_today
from trial_edc.study import Reminders, study


def morning_has_come(now: datetime, time_zone: str, r: Reminders | None = None) -> bool:
    """The site's morning reminders go out once its clock has passed the morning time."""
    r = r or study().reminders
    return now >= site_moment(site_today(time_zone, now), r.morning, time_zone)


def day_has_ended(now: datetime, time_zone: str, r: Reminders | None = None) -> bool:
    r = r or study().reminders
    return now >= site_moment(site_today(time_zone, now), r.end_of_day, time_zone)


def window_opening_dates(today: date, r: Reminders | None = None) -> dict[date, int]:
    """Window start dates that get a reminder today, with the days left: {today+3: 3, ...}."""
    r = r or study().reminders
    return {today + timedelta(days=n): n for n in r.visit_lead_days}


def overdue_window_ends(today: date, r: Reminders | None = None) -> tuple[date, date]:
    """Window ends (first, last) whose visit, still planned, gets its overdue reminder: the
    day after the window closed, or a later run within the catch-up days."""
    r = r or study().reminders
    return today - timedelta(days=r.overdue_catch_up_days), today - timedelta(days=1)


def overdue_reminder_date(window_end: date) -> date:
    """An overdue visit is reminded once: its key date is the day after its window closed."""
    return window_end + timedelta(days=1)


def sae_thresholds(serious_since: datetime, s=None) -> dict[str, datetime]:
    """When an open SAE's reminder (12 h) and escalation (at the 24-hour deadline) fall due."""
    s = s or study()
    return {
        "reminder": serious_since + timedelta(hours=s.reminders.sae_reminder_hours),
        "escalation": serious_since + timedelta(hours=s.sae_reporting_hours),
    }


def retry_delay(attempts: int, r: Reminders | None = None) -> timedelta:
    """Back-off after `attempts` failed attempts: 1, 2, 4... minutes, at most an hour."""
    r = r or study().reminders
    minutes = r.retry_after_minutes * 2 ** max(attempts - 1, 0)
    return timedelta(minutes=min(minutes, r.retry_max_minutes))


def gives_up(attempts: int, r: Reminders | None = None) -> bool:
    r = r or study().reminders
    return attempts >= r.max_attempts
