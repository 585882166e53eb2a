"""Dates and times as a site and a subject's schedule see them.

Times are stored in UTC; a date a person means is the site's date (`site_today`). Study
days count from day 1, the first dose (day 0 is the day before, as in the protocol).
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from trial_edc.study import study


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


def study_day_date(day1: date, day: int) -> date:
    """The calendar date of a study day."""
    return day1 + timedelta(days=day - 1)


def treatment_study_day(day1: date, today: date, treatment_days: int | None = None) -> int | None:
    """Today's treatment day (1..14) for a subject, or None outside treatment."""
    day = study_day(day1, today)
    return day if 1 <= day <= (treatment_days or study().treatment_days) else None


def site_time_label(moment: datetime | None, site_or_zone=None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored (UTC) moment as a person reads it: in the site's time zone (the active zone
    without a site) with the zone named, e.g. "2026-11-30 14:05 (Asia/Shanghai)"."""
    if moment is None:
        return ""
    zone = _zone(site_or_zone) if site_or_zone else timezone.get_current_timezone()
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return f"{moment.astimezone(zone).strftime(fmt)} ({zone.key})"


def site_of(record):
    """The site a record belongs to, along its `site_path` ("subject__site"; "pk" = a site)."""
    path = getattr(record, "site_path", None)
    if path is None:
        return None
    if path == "pk":
        return record
    for step in path.split("__"):
        record = getattr(record, step, None)
        if record is None:
            return None
    return record
