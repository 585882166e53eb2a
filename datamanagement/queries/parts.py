"""Queries where people see them: with a saved record on its CRF page (a list and a badge
next to each queried field), on the subject dashboard, on the home page, and in the daily
reminder of unanswered queries."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from datamanagement.places import record_memo
from datamanagement.queries import records, rules, selectors
from datamanagement.subject_facts import query_counts
from trial_edc.core import registry


def _record_url(record) -> str:
    return reverse("datamanagement:record_queries", args=[record._meta.label_lower, record.pk])


def _queries(record) -> list:
    """The record's queries, read once for its page (the list and the fields' badges)."""
    return record_memo(record, "queries", lambda: list(selectors.record_queries(record)))


def record_part(request, record) -> dict:
    """The record's queries (one query, shared with the badges) and the link to its items
    and queries."""
    if not request.user.has_perm("datamanagement.view_query"):
        return {"hidden": True, "queries": [], "url": ""}
    model = type(record)
    queries = _queries(record)
    for q in queries:
        q.item = records.item_label(model, q.field)
    return {
        "queries": queries,
        "url": _record_url(record),
        "may_raise": request.user.has_perm(rules.RAISE_PERMISSION),
    }


def annotate_form(request, form) -> None:
    """A badge next to each field with an open or answered query (the label, escaped)."""
    record = getattr(form, "instance", None)
    if record is None or record.pk is None:
        return
    if not request.user.has_perm("datamanagement.view_query"):
        return
    counts: dict = {}
    for q in (q for q in _queries(record) if q.state in selectors.ACTIVE):
        counts.setdefault(q.field, {"open": 0, "answered": 0})[q.state] += 1
    for name, c in counts.items():
        field = form.fields.get(name)
        if field is None:
            continue
        label = field.label if field.label is not None else name.replace("_", " ").capitalize()
        text = (
            _("%(n)d open query") % {"n": c["open"]}
            if c["open"]
            else _("%(n)d answered query") % {"n": c["answered"]}
        )
        field.label = format_html(
            '{} <span class="badge text-bg-{}" data-testid="field-query-badge">{}</span>',
            label,
            "warning" if c["open"] else "info",
            text,
        )


def dashboard_panel(request, subject) -> dict:
    """The subject's open and answered queries (one query; none when read with the subject,
    data management's subject facts)."""
    counts = query_counts(subject)
    if counts is None:
        counts = selectors.subject_counts(subject)
    return {"subject": subject, "counts": counts}


def subject_records(subject) -> list[dict]:
    """Every CRF record of a subject, for its page of items and queries (one query)."""
    from datamanagement.crf_rows import subject_instances

    return [
        {
            "label": crf.key,
            "pk": r.pk,
            "name": crf.model._meta.verbose_name,
            "text": str(r),
        }
        for crf, r in subject_instances(subject)
    ]


def register() -> None:
    from datamanagement.queries import reminders

    registry.record_parts.register(
        registry.RecordPart(
            key="queries",
            template="datamanagement/queries/record_part.html",
            context=record_part,
            annotate_form=annotate_form,
            order=10,
        )
    )
    registry.dashboard_panels.register(
        registry.DashboardPanel(
            "queries",
            "datamanagement/queries/panel.html",
            dashboard_panel,
            permission="datamanagement.view_query",
            order=100,
        )
    )
    registry.reminder_sources.register(reminders.SOURCE)
