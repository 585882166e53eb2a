"""What data management reads with a subject, in the subject's own query (a registered
`core.registry.subject_facts`): its queries, verification, casebook signature and freeze or
lock, for its panels on the subject dashboard (each panel reads them again, in one query,
for a subject read without them)."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import JSONObject
from django.utils.dateparse import parse_datetime

from datamanagement.models import CasebookSignature, DataLock, Query, SourceVerification
from datamanagement.models.locks import Level, LockState
from datamanagement.models.queries import QueryState

QUERIES = "dm_query_counts"
SDV = "dm_sdv_counts"
SIGNATURE = "dm_casebook_signature"
LOCKS = "dm_lock_rows"


def annotations() -> dict:
    """Four subqueries over the subject's row: its queries by state, its verified and
    changed items, its valid casebook signature, its rows of freeze and lock (with the
    study's)."""
    queries = Query.objects.filter(subject=OuterRef("pk")).order_by().values("subject")
    rows = SourceVerification.objects.filter(subject=OuterRef("pk")).order_by().values("subject")
    signature = CasebookSignature.objects.filter(subject=OuterRef("pk"), voided_at__isnull=True)
    locks = (
        # the study's row has the target "study" (locks.rules.STUDY, not imported: locks
        # reads this module)
        DataLock.objects.filter(Q(target=Level.STUDY.value) | Q(subject=OuterRef("pk")))
        .exclude(state=LockState.OPEN)
        .order_by("level", "target")
    )
    return {
        QUERIES: Subquery(
            queries.annotate(
                counts=JSONObject(
                    open=Count("pk", filter=Q(state=QueryState.OPEN)),
                    answered=Count("pk", filter=Q(state=QueryState.ANSWERED)),
                )
            ).values("counts")
        ),
        SDV: Subquery(
            rows.annotate(
                counts=JSONObject(
                    verified=Count("pk", filter=Q(changed_at__isnull=True)),
                    changed=Count("pk", filter=Q(changed_at__isnull=False)),
                )
            ).values("counts")
        ),
        SIGNATURE: Subquery(
            signature.values(row=JSONObject(name="printed_name", at="signed_at"))[:1]
        ),
        LOCKS: ArraySubquery(
            locks.values(
                row=JSONObject(
                    level="level",
                    target="target",
                    state="state",
                    visit="visit__code",
                    record_model="record_model",
                    record_id="record_id",
                )
            )
        ),
    }


def query_counts(subject) -> dict | None:
    """{"open": n, "answered": n} read with the subject, None if it was not."""
    if not hasattr(subject, QUERIES):
        return None
    counts = getattr(subject, QUERIES) or {}
    return {"open": counts.get("open", 0), "answered": counts.get("answered", 0)}


def sdv_state(subject) -> dict | None:
    """As `sdv.selectors.subject_dashboard_state`, read with the subject (None if not)."""
    if not hasattr(subject, SDV):
        return None
    counts = getattr(subject, SDV) or {}
    signature = getattr(subject, SIGNATURE) or {}
    at = signature.get("at")
    return {
        "verified": counts.get("verified", 0),
        "changed": counts.get("changed", 0),
        "signed_by": signature.get("name"),
        "signed_at": parse_datetime(at) if at else None,
    }


def lock_rows(subject) -> list[tuple] | None:
    """(level, target, state, visit code, record model, record id) of what is not open of
    the subject and the study, by level and target, read with the subject (None if not)."""
    if not hasattr(subject, LOCKS):
        return None
    return [
        (r["level"], r["target"], r["state"], r["visit"], r["record_model"], r["record_id"])
        for r in getattr(subject, LOCKS) or []
    ]
