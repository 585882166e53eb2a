"""Dates and times as a site and a subject's schedule see them.

Times are stored in UTC; a date a person means is the site's date (`site_today`). Study
days count from day 1, the first dose (day 0 is the day before, as in the protocol).
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from trial_edc.study import Study, study


def _zone(site_or_zone) -> ZoneInfo:
    name = site_or_zone if isinstance(site_or_zone, str) else site_or_zone.time_zone
    return ZoneInfo(name)


def site_today(site_or_zone, moment: datetime | None = None) -> date:
    """The calendar date at a site (or in a time zone) of a moment, now by default."""
    return (moment or timezone.now()).astimezone(_zone(site_or_zone)).date()


def site_moment(on: date, at: time, site_or_zone) -> datetime:
    """A site-local date and wall-clock time as an aware datetime."""
    return datetime.combine(on, at, tzinfo=_zone(site_or_zone))


def study_day(day1: date, on: date) -> int:
    """Study day of a date: day 1 = first dose, day 0 the day before."""
    return (on - day1).days + 1


def schedule_days(s: Study | None = None) -> range:
    """The study days the schedule spans, from the first day of screening to the close of the
    last visit's window: a day in a URL or a query string outside it is a 404."""
    s = s or study()
    first = min(v.target_day - v.window_before for v in s.visits)
    last = max(v.target_day + v.window_after for v in s.visits)
    return range(first, last + 1)


def study_day_date(day1: date, day: int) -> date:
    """The calendar date of a study day."""
    return day1 + timedelta(days=day - 1)


def treatment_study_day(day1: date, today: date, treatment_days: int | None = None) -> int | None:
    """Today's treatment day (1..14) for a subject, or None outside treatment."""
    day = study_day(day1, today)
    return day if 1 <= day <= (treatment_days or study().treatment_days) else None
