"""Visit reminders: a window opening in N days and a visit overdue, to the site's
coordinators in their morning (a `ReminderSource`, registered by enrollment)."""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enrollment.models import Subject, SubjectVisit
from trial_edc.accounts.roles import Role
from trial_edc.core.clock import site_moment
from trial_edc.core.links import absolute_url
from trial_edc.core.registry import ReminderSource
from trial_edc.notifications import rules
from trial_edc.notifications.models import Kind
from trial_edc.notifications.services import content_type_id, messages_to
from trial_edc.notifications.texts import later
from trial_edc.study import study


def visit_reminders(now, days, staff) -> list:
    """Windows opening in N days, and visits overdue (2 queries)."""
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
    ct = content_type_id(SubjectVisit)
    messages = []
    for visit in base.filter(opening):
        d = by_site[visit.subject.site_id]
        facts = _facts(visit, d)
        messages += messages_to(
            staff.of(d.site.pk, Role.SITE_COORDINATOR),
            kind=Kind.VISIT_WINDOW_OPENS,
            content_type_id=ct,
            object_id=visit.pk,
            for_date=d.today,
            site_id=d.site.pk,
            send_after=site_moment(d.today, study().reminders.morning, d.site.time_zone),
            subject=later(
                gettext_lazy("%(subject)s: %(visit)s window opens in %(n)d day(s)"),
                {**facts, "n": (visit.window_start - d.today).days},
            ),
            body=later(
                gettext_lazy(
                    "The %(visit)s visit of %(subject)s (site %(site)s) can be done from %(start)s "
                    "to %(end)s (target %(target)s).\n\n%(url)s"
                ),
                facts,
            ),
        )
    for visit in base.filter(overdue):
        d = by_site[visit.subject.site_id]
        facts = _facts(visit, d)
        messages += messages_to(
            staff.of(d.site.pk, Role.SITE_COORDINATOR),
            kind=Kind.VISIT_OVERDUE,
            content_type_id=ct,
            object_id=visit.pk,
            for_date=rules.overdue_reminder_date(visit.window_end),
            site_id=d.site.pk,
            send_after=site_moment(d.today, study().reminders.morning, d.site.time_zone),
            subject=later(gettext_lazy("%(subject)s: %(visit)s visit overdue"), facts),
            body=later(
                gettext_lazy(
                    "The window of the %(visit)s visit of %(subject)s (site %(site)s) closed on "
                    "%(end)s and the visit is not recorded as done.\n\n%(url)s"
                ),
                facts,
            ),
        )
    return messages


def _facts(visit: SubjectVisit, d) -> dict:
    return {
        "visit": visit.name,
        "subject": visit.subject,
        "site": d.site.code,
        "start": visit.window_start,
        "end": visit.window_end,
        "target": visit.target_date,
        "url": absolute_url("portal:subject_dashboard", visit.subject_id),
    }


def why_not_needed(n) -> str:
    visit = SubjectVisit.objects.select_related("subject").filter(pk=n.object_id).first()
    if visit is None:
        return _("The visit no longer exists.")
    if visit.outcome != SubjectVisit.Outcome.PLANNED:
        return _("The visit is %(outcome)s.") % {"outcome": visit.get_outcome_display().lower()}
    if visit.subject.status != Subject.Status.ON_STUDY:
        return _("The subject is no longer on study.")
    return ""


SOURCE = ReminderSource(
    key="visits",
    kinds=(Kind.VISIT_WINDOW_OPENS, Kind.VISIT_OVERDUE),
    due=visit_reminders,
    why_not_needed=why_not_needed,
    order=10,
)
