"""What queries, verification, sign-off and freeze/lock add to the subject matrix's cells
(`selectors.overlays`), each in a fixed number of queries whatever the subjects."""

from collections import defaultdict

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from datamanagement.locks.selectors import subjects_with_states
from datamanagement.matrix.selectors import Mark, MatrixOverlay, overlays
from datamanagement.models.locks import LockState
from datamanagement.models.queries import Query, QueryState
from datamanagement.sdv import rules as sdv_rules
from datamanagement.sdv.selectors import records_sdv, valid_casebook_signatures
from enrollment.models import Subject, SubjectVisit

ACTIVE = (QueryState.OPEN, QueryState.ANSWERED)


def query_marks(subject_ids) -> dict:
    """Open and answered queries per visit (and per subject for those outside a visit)."""
    rows = (
        Query.objects.filter(subject_id__in=subject_ids, state__in=ACTIVE)
        .values("subject_id", "visit__code", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    marks = defaultdict(list)
    for row in rows:
        label = (
            _("%(n)d open queries") if row["state"] == QueryState.OPEN else _("%(n)d answered")
        ) % {"n": row["n"]}
        tone = "warning" if row["state"] == QueryState.OPEN else "info"
        url = reverse("datamanagement:query_list") + f"?subject={row['subject_id']}"
        marks[(row["subject_id"], row["visit__code"])].append(Mark(label, tone, url))
    return marks


def verification_marks(subject_ids) -> dict:
    """Per visit: verified, changed since verified, or to verify (what the plan requires)."""
    codes = dict(SubjectVisit.objects.filter(subject_id__in=subject_ids).values_list("pk", "code"))
    totals = defaultdict(sdv_rules.Counts)
    for record in records_sdv(subject_ids=list(subject_ids)):
        if record.visit_id in codes:
            totals[(record.subject_id, codes[record.visit_id])].add(record.counts)
    marks = {}
    for key, counts in totals.items():
        if counts.status == sdv_rules.NOT_REQUIRED:
            continue
        tone = {sdv_rules.VERIFIED: "success", sdv_rules.CHANGED: "danger"}.get(
            counts.status, "light"
        )
        marks[key] = [
            Mark(str(counts.label), tone, reverse("datamanagement:casebook", args=[key[0]]))
        ]
    return marks


def casebook_marks(subject_ids) -> dict:
    signed = valid_casebook_signatures(subject_ids=list(subject_ids))
    return {(pk, None): [Mark(_("casebook signed"), "success")] for pk in signed}


def lock_marks(subject_ids) -> dict:
    """Frozen or locked: a subject (or the study) on its row, a visit on its own cell."""
    label = {LockState.FROZEN: _("frozen"), LockState.LOCKED: _("locked")}
    tone = {LockState.FROZEN: "secondary", LockState.LOCKED: "dark"}
    marks = {}
    for subject in subjects_with_states(Subject.objects.filter(pk__in=list(subject_ids))):
        if subject.effective_state != LockState.OPEN:
            state = subject.effective_state
            marks[(subject.pk, None)] = [Mark(label[state], tone[state])]
        for visit in subject.lock_visits:
            if visit.own_state != LockState.OPEN:
                marks[(subject.pk, visit.code)] = [
                    Mark(label[visit.own_state], tone[visit.own_state])
                ]
    return marks


def register() -> None:
    for key, marks, order in (
        ("queries", query_marks, 10),
        ("verification", verification_marks, 20),
        ("casebook", casebook_marks, 30),
        ("lock", lock_marks, 40),
    ):
        overlays.register(MatrixOverlay(key, marks, order))
