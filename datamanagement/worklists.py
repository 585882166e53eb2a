"""Data management's lines of the home-page worklists (issue 14, point 12): queries to answer
(site staff), the monitor's own open and answered queries and what awaits verification, the
investigator's casebooks to sign, and what blocks the database lock (data managers). Each a
fixed number of queries whatever the subjects."""

from collections import defaultdict

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from datamanagement.locks import selectors as locks_selectors
from datamanagement.models.sdv import CasebookSignature
from datamanagement.queries import records
from datamanagement.queries import rules as query_rules
from datamanagement.queries.selectors import active, to_answer
from datamanagement.sdv import rules as sdv_rules
from datamanagement.sdv.selectors import records_sdv
from enrollment.models import Subject
from enrollment.schedule.selectors import subjects_of
from trial_edc.core import registry
from trial_edc.core.registry import WorkItem

MOST = 50  # lines a worklist shows; the page it links to has the rest


def _query_line(query) -> WorkItem:
    where = query.subject or query.site.code
    model = query.content_type.model_class() if query.content_type else None
    form = model._meta.verbose_name if model else ""
    # the item by its label in the reader's language (SpO2 (%)), not its field name (oxysat)
    item = (
        f"{form} · {records.item_label(model, query.field)}" if model and query.field else str(form)
    )
    return WorkItem(
        f"{where}: {item} — {Truncator(query.text).chars(60)}",
        reverse("datamanagement:query_detail", args=[query.pk]),
        site=query.site.code,
        detail=query.get_state_display().lower(),
    )


def _queries(rows) -> list[WorkItem]:
    rows = rows.select_related("subject", "site", "content_type").order_by("raised_at", "id")
    return [_query_line(q) for q in rows[:MOST]]


def queries_to_answer(user) -> list[WorkItem]:
    return _queries(to_answer(user))


def my_queries(user) -> list[WorkItem]:
    return _queries(active(user).filter(raised_by=user))


def awaiting_verification(user) -> list[WorkItem]:
    """Subjects of the user's sites with items to verify or changed since verified: the
    subjects the home page reads once (`subjects_of`), their records' verification
    (`records_sdv`)."""
    subjects = subjects_of(user)
    totals: dict[int, sdv_rules.Counts] = defaultdict(sdv_rules.Counts)
    for rec in records_sdv(subject_ids=[s.pk for s in subjects]) if subjects else []:
        totals[rec.subject_id].add(rec.counts)
    rows = [(s, totals[s.pk]) for s in subjects if totals[s.pk].to_verify or totals[s.pk].changed]
    return [
        WorkItem(
            _("%(subject)s: %(to)d items to verify, %(changed)d changed since verified")
            % {"subject": s, "to": sdv.to_verify, "changed": sdv.changed},
            reverse("datamanagement:casebook", args=[s.pk]),
            site=s.site.code,
        )
        for s, sdv in rows[:MOST]
    ]


def casebook_facts() -> dict:
    """What `subjects_of` reads with each subject for data management (a registered
    SubjectFact): whether its casebook has a valid signature."""
    signed = CasebookSignature.objects.filter(subject=OuterRef("pk"), voided_at__isnull=True)
    return {"casebook_signed": Exists(signed)}


def casebooks_to_sign(user) -> list[WorkItem]:
    """Subjects whose study has ended and whose casebook has no valid signature (from the
    subjects the home page reads once, with `casebook_facts`)."""
    subjects = [
        s
        for s in subjects_of(user)
        if s.status != Subject.Status.ON_STUDY and not s.casebook_signed
    ]
    return [
        WorkItem(
            _("%(subject)s (%(status)s): sign the casebook")
            % {"subject": s, "status": s.get_status_display().lower()},
            reverse("datamanagement:casebook", args=[s.pk]),
            site=s.site.code,
        )
        for s in subjects[:MOST]
    ]


def lock_blockers(user) -> list[WorkItem]:
    """What blocks the database lock (data management's three blockers in one query)."""
    items = []
    for blocker, found in locks_selectors.lock_blockers():
        for text, link in found[:MOST]:
            items.append(
                WorkItem(
                    str(text),
                    link or reverse("datamanagement:database_lock"),
                    detail=str(blocker.label),
                )
            )
    return items


def register() -> None:
    registry.subject_facts.register(registry.SubjectFact("casebook", casebook_facts))
    for key, label, items, permission, order in (
        (
            "queries_to_answer",
            gettext_lazy("Queries to answer"),
            queries_to_answer,
            query_rules.ANSWER_PERMISSION,
            5,
        ),
        (
            "my_queries",
            gettext_lazy("Your queries open or answered"),
            my_queries,
            query_rules.RAISE_PERMISSION,
            6,
        ),
        (
            "awaiting_verification",
            gettext_lazy("Awaiting source data verification"),
            awaiting_verification,
            "datamanagement.verify_source",
            7,
        ),
        (
            "casebooks_to_sign",
            gettext_lazy("Casebooks to sign"),
            casebooks_to_sign,
            "datamanagement.sign_casebook",
            13,
        ),
        (
            "lock_blockers",
            gettext_lazy("What blocks the database lock"),
            lock_blockers,
            "datamanagement.lock_database",
            80,
        ),
    ):
        registry.worklists.register(registry.Worklist(key, label, items, permission, order))
