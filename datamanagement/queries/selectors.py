"""Reads of queries, scoped to the user's sites, each in a fixed number of SQL queries."""

from collections import defaultdict
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from datamanagement.models.queries import Query, QueryState
from trial_edc.accounts.selectors import scope_to_sites

ACTIVE = (QueryState.OPEN, QueryState.ANSWERED)


def queries_for(user) -> QuerySet[Query]:
    return scope_to_sites(Query.objects.all(), user)


def query_or_404(user, pk: int) -> Query:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        queries_for(user).select_related("site", "subject", "visit", "content_type", "raised_by"),
        pk=pk,
    )


def query_list(user, *, state="", min_days=None, form="", raised_by=None, site=None, subject=None):
    """The user's queries, filtered (state, at least `min_days` open, form = model label,
    raised by (0: the system), site, subject), with what the list shows (one query)."""
    rows = queries_for(user).select_related("site", "subject", "visit", "content_type", "raised_by")
    if state:
        rows = rows.filter(state=state)
    if min_days is not None:
        rows = rows.filter(raised_at__lte=timezone.now() - timedelta(days=min_days))
    if form:
        app_label, _, model = form.partition(".")
        rows = rows.filter(content_type__app_label=app_label, content_type__model=model)
    if raised_by == 0:  # the system: automatic queries
        rows = rows.filter(raised_by__isnull=True)
    elif raised_by is not None:
        rows = rows.filter(raised_by_id=raised_by)
    if site is not None:
        rows = rows.filter(site_id=site)
    if subject is not None:
        rows = rows.filter(subject_id=subject)
    return rows.order_by("-raised_at", "-id")


def aging(query: Query, now=None) -> dict:
    """Days open (until closed or cancelled), days to the first answer, days to close."""
    from datamanagement.queries.rules import days_between

    now = now or timezone.now()
    ended = query.closed_at if query.state == QueryState.CLOSED else None
    return {
        "days_open": days_between(query.raised_at, ended or now)
        if query.state != QueryState.CANCELLED
        else None,
        "to_first_answer": days_between(query.raised_at, query.first_answered_at),
        "to_close": days_between(query.raised_at, query.closed_at),
    }


def record_queries(record) -> QuerySet[Query]:
    """Every query of one record, oldest first (one query)."""
    ct = ContentType.objects.get_for_model(record)
    return (
        Query.objects.filter(content_type=ct, object_id=record.pk)
        .select_related("raised_by")
        .order_by("raised_at", "id")
    )


def active_counts_by_subject(subject_ids) -> dict[int, dict[str, int]]:
    """{subject id: {"open": n, "answered": n}} for the subjects (one query). For later
    waves: the subject matrix, the worklists."""
    rows = (
        Query.objects.filter(subject_id__in=list(subject_ids), state__in=ACTIVE)
        .order_by()
        .values("subject_id", "state")
        .annotate(n=Count("id"))
    )
    found: dict = defaultdict(lambda: {"open": 0, "answered": 0})
    for row in rows:
        found[row["subject_id"]][row["state"]] = row["n"]
    return dict(found)


def active_counts_by_record(subject_ids) -> dict[tuple[str, int], dict[str, int]]:
    """{(model label, record pk): {"open": n, "answered": n}} for the records of the
    subjects (one query)."""
    rows = (
        Query.objects.filter(subject_id__in=list(subject_ids), state__in=ACTIVE)
        .order_by()
        .values("content_type__app_label", "content_type__model", "object_id", "state")
        .annotate(n=Count("id"))
    )
    found: dict = defaultdict(lambda: {"open": 0, "answered": 0})
    for row in rows:
        key = (f"{row['content_type__app_label']}.{row['content_type__model']}", row["object_id"])
        found[key][row["state"]] = row["n"]
    return dict(found)


def to_answer(user) -> QuerySet[Query]:
    """Open queries of the user's sites (for coordinators and investigators)."""
    return queries_for(user).filter(state=QueryState.OPEN)


def active(user) -> QuerySet[Query]:
    """Open and answered queries of the user's sites (for monitors and data managers)."""
    return queries_for(user).filter(state__in=ACTIVE)


def subject_counts(subject) -> dict:
    return queries_for_subject(subject).aggregate(
        open=Count("id", filter=Q(state=QueryState.OPEN)),
        answered=Count("id", filter=Q(state=QueryState.ANSWERED)),
    )


def queries_for_subject(subject) -> QuerySet[Query]:
    return Query.objects.filter(subject=subject)


def unresolved_for_lock() -> list[tuple[str, str]]:
    """What blocks the database lock on the query side: every query still open or answered
    (not yet closed), as (text, link) (one query)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    rows = (
        Query.objects.filter(state__in=ACTIVE)
        .select_related("subject", "site")
        .order_by("site__code", "subject_id", "id")
    )
    return [
        (
            _("Query %(n)d (%(state)s) on %(where)s")
            % {
                "n": q.pk,
                "state": q.get_state_display().lower(),
                "where": q.subject or q.site.code,
            },
            reverse("datamanagement:query_detail", args=[q.pk]),
        )
        for q in rows
    ]
