"""What queries, verification, sign-off and freeze/lock add to the subject matrix's cells
(`selectors.overlays`), each in a fixed number of queries whatever the subjects."""

from collections import defaultdict

from django.db.models import CharField, Count, Exists, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils.translation import gettext as _

from datamanagement.locks import rules as lock_rules
from datamanagement.locks.selectors import subjects_with_states
from datamanagement.matrix.selectors import Mark, MatrixOverlay, overlays
from datamanagement.models import CasebookSignature
from datamanagement.models.locks import DataLock, LockState
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
    return _verification_marks(subject_ids, codes)


def verification_from_rows(subjects, visits) -> dict:
    return _verification_marks([s.pk for s in subjects], {v.pk: v.code for v in visits})


def _verification_marks(subject_ids, codes: dict) -> dict:
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


SIGNED = "dm_casebook_signed"


def casebook_subjects(subjects):
    """The matrix's subjects with whether their casebook has a valid signature."""
    signed = CasebookSignature.objects.filter(subject=OuterRef("pk"), voided_at__isnull=True)
    return subjects.annotate(**{SIGNED: Exists(signed)})


def casebook_from_rows(subjects, visits) -> dict:
    return {
        (s.pk, None): [Mark(_("casebook signed"), "success")]
        for s in subjects
        if getattr(s, SIGNED)
    }


def lock_marks(subject_ids) -> dict:
    """Frozen or locked: a subject (or the study) on its row, a visit on its own cell."""
    marks = {}
    for subject in subjects_with_states(Subject.objects.filter(pk__in=list(subject_ids))):
        marks.update(_lock_marks(subject, subject.effective_state, subject.lock_visits))
    return marks


def _lock_marks(subject, effective_state: str, visits) -> dict:
    label = {LockState.FROZEN: _("frozen"), LockState.LOCKED: _("locked")}
    tone = {LockState.FROZEN: "secondary", LockState.LOCKED: "dark"}
    marks = {}
    if effective_state != LockState.OPEN:
        marks[(subject.pk, None)] = [Mark(label[effective_state], tone[effective_state])]
    for visit in visits:
        if visit.own_state != LockState.OPEN:
            marks[(subject.pk, visit.code)] = [Mark(label[visit.own_state], tone[visit.own_state])]
    return marks


STUDY_STATE, OWN_STATE = "dm_study_lock", "dm_own_lock"


def _lock_state_of(prefix: str):
    """The state of the lock row of the outer row ("<prefix>:<id>", as `locks.rules`)."""
    target = Concat(Value(f"{prefix}:"), Cast(OuterRef("pk"), CharField()))
    return Subquery(DataLock.objects.filter(target=target).values("state")[:1])


def lock_subjects(subjects):
    """The matrix's subjects with the study's lock state and their own."""
    study = DataLock.objects.filter(target=lock_rules.STUDY).values("state")[:1]
    return subjects.annotate(**{STUDY_STATE: Subquery(study), OWN_STATE: _lock_state_of("subject")})


def lock_visits(visits):
    return visits.annotate(**{OWN_STATE: _lock_state_of("visit")})


def lock_from_rows(subjects, visits) -> dict:
    """`lock_marks` from the states the matrix's rows carry (as `subjects_with_states`)."""
    by_subject: dict[int, list] = {}
    for v in visits:
        v.own_state = getattr(v, OWN_STATE) or LockState.OPEN
        by_subject.setdefault(v.subject_id, []).append(v)
    marks = {}
    for s in subjects:
        study = getattr(s, STUDY_STATE) or LockState.OPEN
        effective = lock_rules.strongest(study, getattr(s, OWN_STATE) or LockState.OPEN)
        marks.update(_lock_marks(s, effective, by_subject.get(s.pk, [])))
    return marks


def register() -> None:
    overlays.register(MatrixOverlay("queries", query_marks, 10))
    overlays.register(
        MatrixOverlay("verification", verification_marks, 20, from_rows=verification_from_rows)
    )
    overlays.register(
        MatrixOverlay(
            "casebook",
            casebook_marks,
            30,
            subjects=casebook_subjects,
            from_rows=casebook_from_rows,
        )
    )
    overlays.register(
        MatrixOverlay(
            "lock",
            lock_marks,
            40,
            subjects=lock_subjects,
            visits=lock_visits,
            from_rows=lock_from_rows,
        )
    )
