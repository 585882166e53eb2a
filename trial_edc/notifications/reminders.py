"""The reminder run: what is due at each site by its own clock, found in a fixed number of
set-based queries whatever the number of subjects, and queued once per key.

The run knows no trial data: each trial app registers a `ReminderSource` (core.registry)
that finds its kinds due for the sites' days and says at send time whether one is still
needed (enrollment: visits; dosing: today's and missing doses; safety: vital signs, SAEs)."""

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext_lazy

from trial_edc.accounts.models import Site, User
from trial_edc.core import clock
from trial_edc.core.people import staff_by_site
from trial_edc.core.registry import reminder_sources
from trial_edc.notifications import rules
from trial_edc.notifications.models import OPTIONAL_KINDS, Kind, Notification
from trial_edc.notifications.services import Message, notifications_queue
from trial_edc.notifications.texts import later
from trial_edc.study import study


@dataclass
class SiteDay:
    """A site at the moment of the run: its date, and which of its reminders are due."""

    site: Site
    today: date
    morning: bool
    end_of_day: bool


def site_days(now: datetime, *, whole_day: bool = False, on: date | None = None) -> list[SiteDay]:
    """Every active site's date now (or `on`), and whether its morning and end of day have
    come (`whole_day`: both, for a dry run of a date)."""
    days = []
    for site in Site.objects.filter(is_active=True).order_by("code"):
        tz = site.time_zone
        days.append(
            SiteDay(
                site=site,
                today=on or clock.site_today(tz, now),
                morning=whole_day or rules.morning_has_come(now, tz),
                end_of_day=whole_day or rules.day_has_ended(now, tz),
            )
        )
    return days


def digests(days: list[SiteDay]) -> list[Message]:
    """At the end of the day, one digest to each person who chose one and has reminders
    waiting (1 query)."""
    days = [d for d in days if d.end_of_day]
    if not days:
        return []
    first_site = {}
    waiting = (
        Notification.objects.filter(
            status=Notification.Status.PENDING,
            kind__in=OPTIONAL_KINDS,
            recipient__notification_preference__daily_digest=True,
            recipient__memberships__site__in=[d.site for d in days],
        )
        .order_by("recipient_id", "recipient__memberships__site__code")
        .values_list("recipient_id", "recipient__memberships__site_id")
        .distinct()
    )
    for user_id, site_id in waiting:
        first_site.setdefault(user_id, site_id)
    by_site = {d.site.pk: d for d in days}
    r = study().reminders
    ct = ContentType.objects.get_for_model(User).pk
    return [
        Message(
            kind=Kind.DIGEST,
            recipient_id=user_id,
            content_type_id=ct,
            object_id=user_id,
            for_date=by_site[site_id].today,
            site_id=site_id,
            send_after=clock.site_moment(
                by_site[site_id].today, r.end_of_day, by_site[site_id].site.time_zone
            ),
            subject=later(
                gettext_lazy("trial-edc: your reminders of %(date)s"),
                {"date": by_site[site_id].today},
            ),
            body="",
        )
        for user_id, site_id in first_site.items()
    ]


def reminders_due(
    now: datetime | None = None, *, whole_day: bool = False, on: date | None = None, days=None
) -> list[Message]:
    """Everything the run at `now` should queue (a fixed number of queries)."""
    now = now or timezone.now()
    days = days if days is not None else site_days(now, whole_day=whole_day, on=on)
    staff = staff_by_site([d.site for d in days])
    return [message for source in reminder_sources for message in source.due(now, days, staff)]


def reminders_run(now: datetime | None = None) -> int:
    """Queue what is due now at every site, then the digests; run it as often as you like:
    each reminder is queued once. Returns how many messages were due."""
    now = now or timezone.now()
    days = site_days(now)
    due = reminders_due(now, days=days)
    notifications_queue(due)
    notifications_queue(digests(days))
    return len(due)
