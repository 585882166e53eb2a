"""A run of the edit checks: raise, close and re-open the automatic queries, as the system
(`raised_by`/`author` None), every move through the system's transition table and written
with its audit context, in one transaction. Bulk writes: a fixed number of SQL queries
whatever the subjects and the findings."""

import logging
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from datamanagement.checks import rules
from datamanagement.checks.rules import checks
from datamanagement.models.queries import (
    SYSTEM_QUERY_MOVES,
    Query,
    QueryAction,
    QueryMessage,
    QueryState,
)
from trial_edc.audit.services import audit_context
from trial_edc.core import registry

logger = logging.getLogger(__name__)

RUN_LOCK = 0x45444331  # the advisory lock key of a run of the edit checks ("EDC1")


@dataclass(frozen=True)
class RunResult:
    raised: int = 0
    reopened: int = 0
    closed: int = 0


def _anchors(findings) -> dict[tuple[str, int], tuple[int, str]]:
    """The latest history entry of each finding's record: {(label, pk): (seq, event label)},
    one query per CRF model."""
    by_label = defaultdict(set)
    for f in findings:
        by_label[f.label].add(f.record_id)
    found = {}
    for label, ids in by_label.items():
        crf = registry.crf_models.get(label)
        descriptor = getattr(crf.model, "events", None) if crf else None
        if descriptor is None:
            continue
        event_model = descriptor.rel.related_model
        for pk, seq in (
            event_model.objects.filter(pgh_obj_id__in=ids)
            .order_by()
            .values("pgh_obj_id")
            .annotate(m=Max("pgh_chain_seq"))
            .values_list("pgh_obj_id", "m")
        ):
            found[(label, pk)] = (seq, event_model._meta.label)
    return found


def _content_types(labels) -> dict[str, ContentType]:
    return {
        label: ContentType.objects.get_for_model(registry.crf_models[label].model)
        for label in labels
    }


def checks_run(*, subject_ids=None, keys=None) -> RunResult:
    """Run the registered edit checks (or those of `keys`) for the subjects (None: every
    subject) and bring their automatic queries in line. Safe to run twice: a second run
    writes nothing."""
    run = [c for c in checks if keys is None or c.key in keys]
    if not run or (subject_ids is not None and not subject_ids):
        return RunResult()
    subject_ids = None if subject_ids is None else list(subject_ids)
    versions = {c.key: c.version for c in run}
    with transaction.atomic():
        # one run at a time (the daily run and a save's): the second waits, then finds the
        # first one's queries and writes nothing twice
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RUN_LOCK])
        findings = {c.key: c.failing(subject_ids) for c in run}
        cts = _content_types(
            {c.model_label for c in run} | {f.label for fs in findings.values() for f in fs}
        )
        label_of = {ct.pk: label for label, ct in cts.items()}
        rows = Query.objects.select_for_update().filter(check_key__in=list(versions))
        if subject_ids is not None:
            rows = rows.filter(subject_id__in=subject_ids)
        existing = [
            rules.Existing(
                pk=q.pk,
                check_key=q.check_key,
                check_version=q.check_version,
                item=(label_of.get(q.content_type_id, ""), q.object_id, q.field),
                state=q.state,
                failing=q.check_failing,
            )
            for q in rows.only(
                "pk",
                "check_key",
                "check_version",
                "content_type",
                "object_id",
                "field",
                "state",
                "check_failing",
            )
        ]
        plan = rules.plan(findings, versions, existing)
        states = {q.pk: q.state for q in existing}
        now = timezone.now()
        raised = _raise(plan.raise_new, versions, cts, now)
        reopened = _reopen(plan.reopen, states, now)
        closed = _close(plan.close, states, now, _("closed by system: the check passes now"))
        closed += _close(
            plan.close_revised, states, now, _("closed by system: the check was revised")
        )
        with audit_context(user=None, reason=_("Edit checks run")):
            Query.objects.filter(pk__in=plan.mark_failing).update(check_failing=True)
            Query.objects.filter(pk__in=plan.mark_passing).update(check_failing=False)
    return RunResult(raised=raised, reopened=reopened, closed=closed)


def _raise(new, versions, cts, now) -> int:
    if not new:
        return 0
    anchors = _anchors([f for _, f in new])
    with audit_context(user=None, reason=_("Automatic query raised by an edit check")):
        queries = Query.objects.bulk_create(
            [
                Query(
                    site_id=f.site_id,
                    subject_id=f.subject_id,
                    visit_id=f.visit_id,
                    content_type=cts[f.label],
                    object_id=f.record_id,
                    field=f.field,
                    anchor_seq=anchors.get((f.label, f.record_id), (None, ""))[0],
                    anchor_event=anchors.get((f.label, f.record_id), (None, ""))[1],
                    text=f.text,
                    raised_by=None,
                    raised_at=now,
                    check_key=key,
                    check_version=versions[key],
                    check_failing=True,
                )
                for key, f in new
            ]
        )
        QueryMessage.objects.bulk_create(
            [
                QueryMessage(
                    query=q,
                    action=QueryAction.RAISE,
                    text=q.text,
                    author=None,
                    at=now,
                    state_after=QueryState.OPEN,
                )
                for q in queries
            ]
        )
    return len(queries)


def _moved(pks, states, to) -> list[int]:
    """The queries the system's table lets move to `to` (every one the plan chose)."""
    allowed = []
    for pk in pks:
        if SYSTEM_QUERY_MOVES.can(states[pk], to) and states[pk] != to:
            allowed.append(pk)
        else:  # the plan only proposes allowed moves
            logger.warning("edit checks: query %s cannot move from %s to %s", pk, states[pk], to)
    return allowed


def _reopen(pairs, states, now) -> int:
    pks = _moved([pk for pk, _ in pairs], states, QueryState.OPEN)
    if not pks:
        return 0
    text = {pk: f.text for pk, f in pairs}
    with audit_context(user=None, reason=_("re-opened by system: the check fails again")):
        Query.objects.filter(pk__in=pks).update(
            state=QueryState.OPEN, closed_at=None, check_failing=True
        )
        QueryMessage.objects.bulk_create(
            [
                QueryMessage(
                    query_id=pk,
                    action=QueryAction.REOPEN,
                    text=_("re-opened by system: the check fails again. %(text)s")
                    % {"text": text[pk]},
                    author=None,
                    at=now,
                    state_after=QueryState.OPEN,
                )
                for pk in pks
            ]
        )
    return len(pks)


def _close(pks, states, now, text: str) -> int:
    pks = _moved(pks, states, QueryState.CLOSED)
    if not pks:
        return 0
    with audit_context(user=None, reason=text):
        Query.objects.filter(pk__in=pks).update(
            state=QueryState.CLOSED, closed_at=now, check_failing=False
        )
        QueryMessage.objects.bulk_create(
            [
                QueryMessage(
                    query_id=pk,
                    action=QueryAction.CLOSE,
                    text=text,
                    author=None,
                    at=now,
                    state_after=QueryState.CLOSED,
                )
                for pk in pks
            ]
        )
    return len(pks)


def checks_run_for_record(record) -> None:
    """After a CRF page saved `record`: run the checks that read its model (`Check.reads`)
    for its subject once the save is committed; a save no check reads runs none. A failure
    is logged and never breaks the save (the daily run goes over every subject)."""
    if record is None or getattr(record, "pk", None) is None:
        return
    keys = [c.key for c in checks.reading(record._meta.label_lower)]
    if not keys:
        return
    subject_id = _subject_of(record)
    if subject_id is None:
        return

    def run():
        try:
            checks_run(subject_ids=[subject_id], keys=keys)
        except Exception:
            logger.exception("edit checks after the save of %r failed", record)

    transaction.on_commit(run)


def _subject_of(record) -> int | None:
    if record is None or getattr(record, "pk", None) is None:
        return None
    crf = registry.crf_models.get(record._meta.label_lower)
    if crf is None or crf.subject_path is None:
        return None
    if crf.subject_path == "":
        return record.pk
    obj = record
    for step in crf.subject_path.split("__"):
        obj = getattr(obj, step, None)
        if obj is None:
            return None
    return obj.pk
