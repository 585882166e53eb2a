"""Safety reminders (`ReminderSource`s registered by safety): the day's vital signs missing
at the end of a treatment day, to the coordinators; an SAE not yet reported to the sponsor,
to the investigators at 12 hours and with the data managers at the 24-hour deadline."""

from datetime import timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enrollment.models import Subject
from safety.models import SeriousAdverseEventReport, VitalSigns
from safety.selectors import without_vitals_today
from trial_edc.accounts.roles import Role
from trial_edc.core.clock import (
    site_moment,
    site_time_label,
    site_today,
    treatment_study_day,
)
from trial_edc.core.links import absolute_url
from trial_edc.core.registry import ReminderSource
from trial_edc.notifications import rules
from trial_edc.notifications.models import Kind
from trial_edc.notifications.services import content_type_id, messages_to
from trial_edc.notifications.texts import later
from trial_edc.study import study


def vitals_reminders(now, days, staff) -> list:
    """Subjects in days 1-14 with no vital signs today, at the end of the day (2 queries)."""
    days = [d for d in days if d.end_of_day]
    ct = content_type_id(Subject)
    messages = []
    for due in without_vitals_today(days):
        subject, d, day = due.subject, due.site_day, due.day
        facts = {
            "subject": subject,
            "day": day,
            "site": d.site.code,
            "url": absolute_url("portal:treatment_day", subject.pk, day),
        }
        messages += messages_to(
            staff.of(d.site.pk, Role.SITE_COORDINATOR),
            kind=Kind.VITALS_MISSING,
            send_after=site_moment(d.today, study().reminders.end_of_day, d.site.time_zone),
            subject=later(gettext_lazy("%(subject)s: no vital signs for day %(day)d"), facts),
            body=later(
                gettext_lazy(
                    "At the end of treatment day %(day)d, %(subject)s (site %(site)s) has no "
                    "vital signs recorded.\n\n%(url)s"
                ),
                facts,
            ),
            content_type_id=ct,
            object_id=subject.pk,
            for_date=d.today,
            site_id=d.site.pk,
        )
    return messages


def vitals_why_not_needed(n) -> str:
    subject = Subject.objects.filter(pk=n.object_id).first()
    if subject is None or subject.status != Subject.Status.ON_STUDY:
        return _("The subject is no longer on study.")
    day = treatment_study_day(subject.day1, n.for_date)
    if VitalSigns.objects.filter(subject=subject, study_day=day).exists():
        return _("The day's vital signs have been recorded.")
    return ""


def sae_reminders(now, days, staff) -> list:
    """Open SAEs: the site's investigators at 12 hours; at 24 hours the site's investigators
    and data managers (1 query)."""
    r = study().reminders
    by_site = {d.site.pk: d for d in days}
    reports = SeriousAdverseEventReport.objects.filter(
        reported_at__isnull=True,
        adverse_event__aeser=True,  # an AE no longer serious has no clock
        ended_at__isnull=True,  # nor a serious period that has ended
        serious_since__lte=now - timedelta(hours=r.sae_reminder_hours),
        adverse_event__subject__site__in=list(by_site),
    ).select_related("adverse_event__subject")
    ct = content_type_id(SeriousAdverseEventReport)
    messages = []
    for report in reports:
        ae = report.adverse_event
        site = by_site[ae.subject.site_id].site
        due = rules.sae_thresholds(report.serious_since)
        facts = {
            "subject": ae.subject,
            "term": ae.aeterm,
            "site": site.code,
            "since": site_time_label(report.serious_since, site),
            "deadline": site_time_label(due["escalation"], site),
            "url": absolute_url("safety:adverse_event_detail", ae.pk),
        }
        common = {
            "content_type_id": ct,
            "object_id": report.pk,
            "for_date": site_today(site, report.serious_since),
            "site_id": site.pk,
        }
        messages += messages_to(
            staff.of(site.pk, Role.INVESTIGATOR),
            kind=Kind.SAE_REMINDER,
            send_after=due["reminder"],
            subject=later(
                gettext_lazy("Reminder: SAE %(term)s of %(subject)s not yet reported"), facts
            ),
            body=later(
                gettext_lazy(
                    "The serious adverse event %(term)s of %(subject)s (site %(site)s), serious "
                    "since %(since)s, is not yet marked reported to the sponsor. The deadline "
                    "is %(deadline)s.\n\n%(url)s"
                ),
                facts,
            ),
            **common,
        )
        if now >= due["escalation"]:
            messages += messages_to(
                staff.of(site.pk, Role.INVESTIGATOR, Role.DATA_MANAGER),
                kind=Kind.SAE_ESCALATION,
                send_after=due["escalation"],
                subject=later(
                    gettext_lazy("Overdue: SAE %(term)s of %(subject)s not reported within 24 h"),
                    facts,
                ),
                body=later(
                    gettext_lazy(
                        "The serious adverse event %(term)s of %(subject)s (site %(site)s), "
                        "serious since %(since)s, was not marked reported to the sponsor by "
                        "%(deadline)s. Report it now and record it in trial-edc.\n\n%(url)s"
                    ),
                    facts,
                ),
                **common,
            )
    return messages


def sae_why_not_needed(n) -> str:
    report = (
        SeriousAdverseEventReport.objects.filter(pk=n.object_id)
        .select_related("adverse_event")
        .first()
    )
    if report is None or report.reported_at is not None:
        return _("The SAE has been reported to the sponsor.")
    if not report.adverse_event.aeser or report.ended_at is not None:
        return _("The adverse event is no longer serious.")
    return ""


VITALS = ReminderSource(
    key="vitals",
    kinds=(Kind.VITALS_MISSING,),
    due=vitals_reminders,
    why_not_needed=vitals_why_not_needed,
    order=30,
)
SAES = ReminderSource(
    key="saes",
    kinds=(Kind.SAE_REMINDER, Kind.SAE_ESCALATION),
    due=sae_reminders,
    why_not_needed=sae_why_not_needed,
    order=40,
)
