"""The reminder run: what is due at each site by its own clock, found in a fixed number of
set-based queries whatever the number of subjects, and queued once per key."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from trial_edc.accounts.models import Site, SiteMembership, User
from trial_edc.accounts.roles import GROUP_NAMES, Role
from trial_edc.notifications import rules
from trial_edc.notifications.models import OPTIONAL_KINDS, Kind, Notification
from trial_edc.notifications.services import Message, notifications_queue
from trial_edc.study import study


@dataclass
class SiteDay:
    """A site at the moment of the run: its date, and which of its reminders are due."""

    site: Site
    today: date
    morning: bool
    end_of_day: bool


@dataclass
class Staff:
    """Active staff with an e-mail address, by site and role: {site_id: {role: [user_id]}}."""

    by_site: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))

    def of(self, site_id: int, *roles: str) -> list[int]:
        ids = [u for role in roles for u in self.by_site[site_id][role]]
        return sorted(set(ids))


def site_days(now: datetime, *, whole_day: bool = False, on: date | None = None) -> list[SiteDay]:
    """Every active site's date now (or `on`), and whether its morning and end of day have
    come (`whole_day`: both, for a dry run of a date)."""
    days = []
    for site in Site.objects.filter(is_active=True).order_by("code"):
        tz = site.time_zone
        days.append(
            SiteDay(
                site=site,
                today=on or rules.site_today(now, tz),
                morning=whole_day or rules.morning_has_come(now, tz),
                end_of_day=whole_day or rules.day_has_ended(now, tz),
            )
        )
    return days


def staff_of(sites: list[Site]) -> Staff:
    roles = {GROUP_NAMES[r]: r for r in Role}
    staff = Staff()
    rows = (
        SiteMembership.objects.filter(
            site__in=sites, user__is_active=True, user__groups__name__in=list(roles)
        )
        .exclude(user__email="")
        .values_list("site_id", "user_id", "user__groups__name")
    )
    for site_id, user_id, group in rows:
        staff.by_site[site_id][roles[group]].append(user_id)
    return staff


def _url(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _ct(model) -> int:
    return ContentType.objects.get_for_model(model).pk


def _messages(recipients, **fields) -> list[Message]:
    return [Message(recipient_id=r, **fields) for r in recipients]


def visit_reminders(days: list[SiteDay], staff: Staff) -> list[Message]:
    """Windows opening in N days, and visits overdue, to the site's coordinators (2 queries)."""
    from enrollment.models import Subject, SubjectVisit

    days = [d for d in days if d.morning]
    if not days:
        return []
    opening = Q()
    overdue = Q()
    for d in days:
        opening |= Q(subject__site=d.site, window_start__in=rules.window_opening_dates(d.today))
        first, last = rules.overdue_window_ends(d.today)
        overdue |= Q(subject__site=d.site, window_end__range=(first, last))
    base = SubjectVisit.objects.filter(
        outcome=SubjectVisit.Outcome.PLANNED, subject__status=Subject.Status.ON_STUDY
    ).select_related("subject__site")
    by_site = {d.site.pk: d for d in days}
    ct = _ct(SubjectVisit)
    messages = []
    for visit in base.filter(opening):
        d = by_site[visit.subject.site_id]
        left = (visit.window_start - d.today).days
        subject = visit.subject
        messages += _messages(
            staff.of(d.site.pk, Role.SITE_COORDINATOR),
            kind=Kind.VISIT_WINDOW_OPENS,
            content_type_id=ct,
            object_id=visit.pk,
            for_date=d.today,
            site_id=d.site.pk,
            send_after=rules.site_moment(d.today, study().reminders.morning, d.site.time_zone),
            subject=_("%(subject)s: %(visit)s window opens in %(n)d day(s)")
            % {"subject": subject, "visit": visit.name, "n": left},
            body=_(
                "The %(visit)s visit of %(subject)s (site %(site)s) can be done from %(start)s "
                "to %(end)s (target %(target)s).\n\n%(url)s"
            )
            % {
                "visit": visit.name,
                "subject": subject,
                "site": d.site.code,
                "start": visit.window_start,
                "end": visit.window_end,
                "target": visit.target_date,
                "url": _url("subject_dashboard", subject.pk),
            },
        )
    for visit in base.filter(overdue):
        d = by_site[visit.subject.site_id]
        subject = visit.subject
        messages += _messages(
            staff.of(d.site.pk, Role.SITE_COORDINATOR),
            kind=Kind.VISIT_OVERDUE,
            content_type_id=ct,
            object_id=visit.pk,
            for_date=rules.overdue_reminder_date(visit.window_end),
            site_id=d.site.pk,
            send_after=rules.site_moment(d.today, study().reminders.morning, d.site.time_zone),
            subject=_("%(subject)s: %(visit)s visit overdue")
            % {"subject": subject, "visit": visit.name},
            body=_(
                "The window of the %(visit)s visit of %(subject)s (site %(site)s) closed on "
                "%(end)s and the visit is not recorded as done.\n\n%(url)s"
            )
            % {
                "visit": visit.name,
                "subject": subject,
                "site": d.site.code,
                "end": visit.window_end,
                "url": _url("subject_dashboard", subject.pk),
            },
        )
    return messages


def treatment_reminders(days: list[SiteDay], staff: Staff) -> list[Message]:
    """Today's dose in the morning; a dose or the day's vitals missing at the end of the day;
    to the site's coordinators, for subjects on study in days 1-14 (3 queries)."""
    from dosing.models import DoseAdministration
    from enrollment.models import Subject
    from safety.models import VitalSigns

    days = [d for d in days if d.morning or d.end_of_day]
    if not days:
        return []
    last = study().treatment_days
    in_treatment = Q()
    dosed_today = Q()
    for d in days:
        in_treatment |= Q(site=d.site, day1__range=(d.today - timedelta(days=last - 1), d.today))
        dosed_today |= Q(subject__site=d.site, date=d.today)
    subjects = list(
        Subject.objects.filter(in_treatment, status=Subject.Status.ON_STUDY).order_by(
            "subject_number"
        )
    )
    if not subjects:
        return []
    ids = [s.pk for s in subjects]
    dosed = set(
        DoseAdministration.objects.filter(dosed_today, subject_id__in=ids).values_list(
            "subject_id", flat=True
        )
    )
    with_vitals = set(
        VitalSigns.objects.filter(subject_id__in=ids, study_day__range=(1, last)).values_list(
            "subject_id", "study_day"
        )
    )
    by_site = {d.site.pk: d for d in days}
    r = study().reminders
    ct = _ct(Subject)
    messages = []
    for subject in subjects:
        d = by_site[subject.site_id]
        day = rules.treatment_study_day(subject.day1, d.today)
        common = {
            "content_type_id": ct,
            "object_id": subject.pk,
            "for_date": d.today,
            "site_id": d.site.pk,
        }
        coordinators = staff.of(d.site.pk, Role.SITE_COORDINATOR)
        day_url = _url("treatment_day", subject.pk, day)
        facts = {"subject": subject, "day": day, "site": d.site.code, "url": day_url}
        if d.morning and subject.pk not in dosed:
            messages += _messages(
                coordinators,
                kind=Kind.DOSE_TODAY,
                send_after=rules.site_moment(d.today, r.morning, d.site.time_zone),
                subject=_("%(subject)s: dose of day %(day)d today") % facts,
                body=_(
                    "Today is treatment day %(day)d of %(subject)s (site %(site)s): the "
                    "nebulization and the day's vital signs are due.\n\n%(url)s"
                )
                % facts,
                **common,
            )
        if not d.end_of_day:
            continue
        evening = rules.site_moment(d.today, r.end_of_day, d.site.time_zone)
        if subject.pk not in dosed:
            messages += _messages(
                coordinators,
                kind=Kind.DOSE_MISSING,
                send_after=evening,
                subject=_("%(subject)s: no dose recorded for day %(day)d") % facts,
                body=_(
                    "At the end of treatment day %(day)d, %(subject)s (site %(site)s) has no "
                    "dose record. Record the dose, or that it was not given and why.\n\n%(url)s"
                )
                % facts,
                **common,
            )
        if (subject.pk, day) not in with_vitals:
            messages += _messages(
                coordinators,
                kind=Kind.VITALS_MISSING,
                send_after=evening,
                subject=_("%(subject)s: no vital signs for day %(day)d") % facts,
                body=_(
                    "At the end of treatment day %(day)d, %(subject)s (site %(site)s) has no "
                    "vital signs recorded.\n\n%(url)s"
                )
                % facts,
                **common,
            )
    return messages


def sae_reminders(now: datetime, days: list[SiteDay], staff: Staff) -> list[Message]:
    """Open SAEs: the site's investigators at 12 hours; at 24 hours the site's investigators
    and data managers (1 query)."""
    from safety.models import SeriousAdverseEventReport

    r = study().reminders
    by_site = {d.site.pk: d for d in days}
    reports = SeriousAdverseEventReport.objects.filter(
        reported_at__isnull=True,
        adverse_event__aeser=True,  # an AE no longer serious has no clock
        serious_since__lte=now - timedelta(hours=r.sae_reminder_hours),
        adverse_event__subject__site__in=list(by_site),
    ).select_related("adverse_event__subject")
    ct = _ct(SeriousAdverseEventReport)
    messages = []
    for report in reports:
        ae = report.adverse_event
        site = by_site[ae.subject.site_id].site
        due = rules.sae_thresholds(report.serious_since)
        facts = {
            "subject": ae.subject,
            "term": ae.aeterm,
            "site": site.code,
            "since": f"{report.serious_since:%Y-%m-%d %H:%M}",
            "deadline": f"{due['escalation']:%Y-%m-%d %H:%M}",
            "url": _url("adverse_event_detail", ae.pk),
        }
        common = {
            "content_type_id": ct,
            "object_id": report.pk,
            "for_date": rules.site_today(report.serious_since, site.time_zone),
            "site_id": site.pk,
        }
        messages += _messages(
            staff.of(site.pk, Role.INVESTIGATOR),
            kind=Kind.SAE_REMINDER,
            send_after=due["reminder"],
            subject=_("Reminder: SAE %(term)s of %(subject)s not yet reported") % facts,
            body=_(
                "The serious adverse event %(term)s of %(subject)s (site %(site)s), serious "
                "since %(since)s UTC, is not yet marked reported to the sponsor. The deadline "
                "is %(deadline)s UTC.\n\n%(url)s"
            )
            % facts,
            **common,
        )
        if now >= due["escalation"]:
            messages += _messages(
                staff.of(site.pk, Role.INVESTIGATOR, Role.DATA_MANAGER),
                kind=Kind.SAE_ESCALATION,
                send_after=due["escalation"],
                subject=_("Overdue: SAE %(term)s of %(subject)s not reported within 24 h") % facts,
                body=_(
                    "The serious adverse event %(term)s of %(subject)s (site %(site)s), serious "
                    "since %(since)s UTC, was not marked reported to the sponsor by %(deadline)s "
                    "UTC. Report it now and record it in trial-edc.\n\n%(url)s"
                )
                % facts,
                **common,
            )
    return messages


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
    ct = _ct(User)
    return [
        Message(
            kind=Kind.DIGEST,
            recipient_id=user_id,
            content_type_id=ct,
            object_id=user_id,
            for_date=by_site[site_id].today,
            site_id=site_id,
            send_after=rules.site_moment(
                by_site[site_id].today, r.end_of_day, by_site[site_id].site.time_zone
            ),
            subject=_("trial-edc: your reminders of %(date)s") % {"date": by_site[site_id].today},
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
    staff = staff_of([d.site for d in days])
    return [
        *visit_reminders(days, staff),
        *treatment_reminders(days, staff),
        *sae_reminders(now, days, staff),
    ]


def reminders_run(now: datetime | None = None) -> int:
    """Queue what is due now at every site, then the digests; run it as often as you like:
    each reminder is queued once. Returns how many messages were due."""
    now = now or timezone.now()
    days = site_days(now)
    due = reminders_due(now, days=days)
    notifications_queue(due)
    notifications_queue(digests(days))
    return len(due)
