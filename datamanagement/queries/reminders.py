"""The daily reminder of unanswered queries: in each site's morning, one message to each of
its coordinators and investigators listing the site's open queries (1 query for every
site); at send time it is no longer needed once none of them is open."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from datamanagement.models.queries import Query, QueryState
from trial_edc.accounts.models import Site
from trial_edc.accounts.roles import Role
from trial_edc.core.clock import site_moment
from trial_edc.core.links import absolute_url
from trial_edc.core.registry import ReminderSource
from trial_edc.notifications.models import Kind
from trial_edc.notifications.services import content_type_id, messages_to
from trial_edc.notifications.texts import later
from trial_edc.study import study


def query_reminders(now, days, staff) -> list:
    days = [d for d in days if d.morning]
    if not days:
        return []
    by_site = {d.site.pk: d for d in days}
    waiting: dict = {}
    rows = (
        Query.objects.filter(state=QueryState.OPEN, site_id__in=list(by_site))
        .select_related("subject")
        .order_by("site_id", "raised_at", "id")
    )
    for q in rows:
        waiting.setdefault(q.site_id, []).append(q)
    ct = content_type_id(Site)
    messages = []
    for site_id, queries in waiting.items():
        d = by_site[site_id]
        # "%(query)s": the word "Query" in each recipient's language; the rest is data
        lines = "\n".join(
            "- %(query)s "
            + (
                f"{q.pk} ({q.subject.subject_number if q.subject else '—'}, "
                f"{q.raised_at:%Y-%m-%d}): {absolute_url('datamanagement:query_detail', q.pk)}"
            ).replace("%", "%%")
            for q in queries[:50]
        )
        facts = {"n": len(queries), "site": d.site.code}
        messages += messages_to(
            staff.of(site_id, Role.SITE_COORDINATOR, Role.INVESTIGATOR),
            kind=Kind.QUERIES_UNANSWERED,
            send_after=site_moment(d.today, study().reminders.morning, d.site.time_zone),
            subject=later(
                gettext_lazy("Site %(site)s: %(n)d queries waiting for an answer"), facts
            ),
            body=later(gettext_lazy("These queries of site %(site)s wait for an answer:"), facts)
            + "\n\n"
            + later(lines, {"query": gettext_lazy("Query")}),
            content_type_id=ct,
            object_id=site_id,
            for_date=d.today,
            site_id=site_id,
        )
    return messages


def why_not_needed(n) -> str:
    if not Query.objects.filter(site_id=n.object_id, state=QueryState.OPEN).exists():
        return _("Every query of the site has been answered.")
    return ""


SOURCE = ReminderSource(
    key="queries",
    kinds=(Kind.QUERIES_UNANSWERED,),
    due=query_reminders,
    why_not_needed=why_not_needed,
    order=50,
)
