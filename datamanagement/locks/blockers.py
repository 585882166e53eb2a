"""Data management's own blockers of the database lock (registered in `lock_blockers`):
queries not closed, critical items not verified, casebooks not signed. Asked together
(`read_together()`, as the database-lock page, its service and the home page's worklist
do), the three come from one query, a UNION ALL of the active queries, the subjects without
a valid casebook signature and the records of every CRF with critical items (each with its
items verified and unchanged since); asked alone, each reads as before
(`queries.selectors.unresolved_for_lock`, `sdv.selectors.critical_items_unverified`,
`sdv.selectors.casebooks_unsigned`)."""

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.postgres.aggregates import JSONBAgg
from django.db.models import Exists, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, JSONObject
from django.urls import reverse
from django.utils.translation import gettext as _

from datamanagement.models import CasebookSignature, Query, SourceVerification
from datamanagement.models.queries import QueryState
from datamanagement.places import subject_lookup
from datamanagement.queries.selectors import ACTIVE, unresolved_for_lock
from datamanagement.sdv.items import crf_info
from datamanagement.sdv.selectors import casebooks_unsigned, critical_items_unverified
from enrollment.models import Subject
from trial_edc.core import registry

_QUERIES, _CASEBOOKS = -2, -1  # the kinds of row besides the CRF records (0, 1, ...)
_together: ContextVar[dict | None] = ContextVar("datamanagement_lock_blockers", default=None)


@contextmanager
def read_together() -> Iterator[None]:
    """Within it, data management's blockers share one read (made at the first asked)."""
    token = _together.set({})
    try:
        yield
    finally:
        _together.reset(token)


def _crfs_with_critical_items() -> list[tuple[object, str]]:
    found = []
    for crf in registry.crf_models:
        info = crf_info(crf.model)
        lookup = subject_lookup(crf)
        if info is not None and lookup is not None and set(info.items) & info.critical:
            found.append((info, lookup))
    return found


def _columns(qs, kind, sort, subject, pk, number, data):
    return (
        qs.order_by()
        .annotate(_kind=Value(kind), _sort=sort, _subj=subject, _pk=pk, _number=number, _data=data)
        .values_list("_kind", "_sort", "_subj", "_pk", "_number", "_data")
    )


def _read() -> dict[str, list[tuple[str, str]]]:
    """Data management's three blockers, key -> [(text, link)], in one query."""
    crfs = _crfs_with_critical_items()
    signed = CasebookSignature.objects.filter(subject=OuterRef("pk"), voided_at__isnull=True)
    branches = [
        _columns(
            Query.objects.filter(state__in=ACTIVE),
            _QUERIES,
            F("site__code"),
            F("subject_id"),
            F("pk"),
            Coalesce(F("subject__subject_number"), F("site__code")),
            JSONObject(state="state"),
        ),
        _columns(
            Subject.objects.filter(~Exists(signed)),
            _CASEBOOKS,
            F("subject_number"),
            F("pk"),
            F("pk"),
            F("subject_number"),
            JSONObject(),
        ),
    ]
    for index, (info, lookup) in enumerate(crfs):
        verified = (
            SourceVerification.objects.filter(
                record_table=info.table, record_id=OuterRef("pk"), changed_at__isnull=True
            )
            .order_by()
            .values("record_id")
            .annotate(fields=JSONBAgg("field"))
            .values("fields")
        )
        number = "subject_number" if lookup == "pk" else f"{lookup}__subject_number"
        branches.append(
            _columns(
                info.model.objects.filter(**{f"{lookup}__isnull": False}),
                index,
                Value(""),
                F(lookup),
                F("pk"),
                F(number),
                Subquery(verified),
            )
        )
    first, *rest = branches
    rows = first.union(*rest, all=True).order_by("_kind", "_sort", "_subj", "_pk")
    queries, casebooks = [], []
    numbers: dict[int, str] = {}
    critical: dict[int, int] = defaultdict(int)
    for kind, _sort, subject_id, pk, number, data in rows:
        if kind == _QUERIES:
            queries.append(
                (
                    _("Query %(n)d (%(state)s) on %(where)s")
                    % {"n": pk, "state": QueryState(data["state"]).label.lower(), "where": number},
                    reverse("datamanagement:query_detail", args=[pk]),
                )
            )
        elif kind == _CASEBOOKS:
            casebooks.append(
                (
                    _("%(subject)s: casebook not signed") % {"subject": number},
                    reverse("datamanagement:casebook", args=[subject_id]),
                )
            )
        else:
            info = crfs[kind][0]
            missing = (set(info.items) & info.critical) - set(data or ())
            numbers[subject_id] = number
            if missing:
                critical[subject_id] += len(missing)
    return {
        "queries": queries,
        "critical_items": [
            (
                _("%(subject)s: %(n)d critical items not verified")
                % {"subject": numbers[subject_id], "n": n},
                reverse("datamanagement:casebook", args=[subject_id]),
            )
            for subject_id, n in sorted(critical.items(), key=lambda kv: numbers[kv[0]])
        ],
        "casebooks": casebooks,
    }


def _shared(key: str, alone) -> list[tuple[str, str]]:
    memo = _together.get()
    if memo is None:
        return alone()
    if "read" not in memo:
        memo["read"] = _read()
    return memo["read"][key]


def queries_not_closed() -> list[tuple[str, str]]:
    return _shared("queries", unresolved_for_lock)


def critical_items() -> list[tuple[str, str]]:
    return _shared("critical_items", critical_items_unverified)


def casebooks_not_signed() -> list[tuple[str, str]]:
    return _shared("casebooks", casebooks_unsigned)
