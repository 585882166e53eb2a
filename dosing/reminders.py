"""Dose reminders to the site's coordinators: today's dose in the morning, a dose still
missing at the end of the day (a `ReminderSource`, registered by dosing)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dosing.models import DoseAdministration
from dosing.selectors import without_dose_today
from enrollment.models import Subject
from trial_edc.accounts.roles import Role
from trial_edc.core.clock import site_moment
from trial_edc.core.links import absolute_url
from trial_edc.core.registry import ReminderSource
from trial_edc.notifications.models import Kind
from trial_edc.notifications.services import content_type_id, messages_to
from trial_edc.notifications.texts import later
from trial_edc.study import study


def dose_reminders(now, days, staff) -> list:
    """Subjects on study in days 1-14 with no dose recorded today (2 queries)."""
    days = [d for d in days if d.morning or d.end_of_day]
    r = study().reminders
    ct = content_type_id(Subject)
    messages = []
    for due in without_dose_today(days):
        subject, d, day = due.subject, due.site_day, due.day
        facts = {
            "subject": subject,
            "day": day,
            "site": d.site.code,
            "url": absolute_url("portal:treatment_day", subject.pk, day),
        }
        common = {
            "content_type_id": ct,
            "object_id": subject.pk,
            "for_date": d.today,
            "site_id": d.site.pk,
        }
        coordinators = staff.of(d.site.pk, Role.SITE_COORDINATOR)
        if d.morning:
            messages += messages_to(
                coordinators,
                kind=Kind.DOSE_TODAY,
                send_after=site_moment(d.today, r.morning, d.site.time_zone),
                subject=later(gettext_lazy("%(subject)s: dose of day %(day)d today"), facts),
                body=later(
                    gettext_lazy(
                        "Today is treatment day %(day)d of %(subject)s (site %(site)s): the "
                        "nebulization and the day's vital signs are due.\n\n%(url)s"
                    ),
                    facts,
                ),
                **common,
            )
        if d.end_of_day:
            messages += messages_to(
                coordinators,
                kind=Kind.DOSE_MISSING,
                send_after=site_moment(d.today, r.end_of_day, d.site.time_zone),
                subject=later(gettext_lazy("%(subject)s: no dose recorded for day %(day)d"), facts),
                body=later(
                    gettext_lazy(
                        "At the end of treatment day %(day)d, %(subject)s (site %(site)s) has no "
                        "dose record. Record the dose, or that it was not given and why.\n\n%(url)s"
                    ),
                    facts,
                ),
                **common,
            )
    return messages


def why_not_needed(n) -> str:
    subject = Subject.objects.filter(pk=n.object_id).first()
    if subject is None or subject.status != Subject.Status.ON_STUDY:
        return _("The subject is no longer on study.")
    if DoseAdministration.objects.filter(subject=subject, date=n.for_date).exists():
        return _("The day's dose has been recorded.")
    return ""


SOURCE = ReminderSource(
    key="doses",
    kinds=(Kind.DOSE_TODAY, Kind.DOSE_MISSING),
    due=dose_reminders,
    why_not_needed=why_not_needed,
    order=20,
)
