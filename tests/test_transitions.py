"""Every status moves only through its table of allowed moves (core.transitions): each table
is walked here, every allowed move and every refused one."""

from types import SimpleNamespace

import pytest

from datamanagement.models.exports import EXPORT_MOVES, ExportJob
from datamanagement.models.locks import LOCK_MOVES, LockState
from datamanagement.models.queries import QUERY_MOVES, SYSTEM_QUERY_MOVES, QueryState
from enrollment.models import (
    SCREENING_MOVES,
    SUBJECT_MOVES,
    VISIT_MOVES,
    Screening,
    Subject,
    SubjectVisit,
)
from safety.models import LAB_SIGNAL_MOVES, SAFETY_REPORT_MOVES, LabSignal, SafetyReport
from trial_edc.core.transitions import TransitionNotAllowed
from trial_edc.notifications.models import NOTIFICATION_MOVES, Notification

TABLES = {
    "screening": SCREENING_MOVES,
    "subject": SUBJECT_MOVES,
    "visit": VISIT_MOVES,
    "safety report": SAFETY_REPORT_MOVES,
    "laboratory AE proposal": LAB_SIGNAL_MOVES,
    "notification": NOTIFICATION_MOVES,
    "query": QUERY_MOVES,
    "automatic query (the system's moves)": SYSTEM_QUERY_MOVES,
    "freeze and lock": LOCK_MOVES,
    "export": EXPORT_MOVES,
}

S, SUB, V = Screening.Status, Subject.Status, SubjectVisit.Outcome
R, N = SafetyReport.Status, Notification.Status
Q = QueryState
L = LockState
LS = LabSignal.Status

E = ExportJob.Status
ALLOWED = {
    "export": {
        (E.QUEUED, E.RUNNING),
        (E.RUNNING, E.READY),
        (E.RUNNING, E.FAILED),
        (E.FAILED, E.RUNNING),  # tried again; a ready file is kept as it is
    },
    "screening": {
        (S.IN_SCREENING, S.ELIGIBLE),
        (S.IN_SCREENING, S.SCREEN_FAILURE),
        (S.IN_SCREENING, S.WITHDRAWN),
        (S.ELIGIBLE, S.IN_SCREENING),
        (S.ELIGIBLE, S.SCREEN_FAILURE),
        (S.ELIGIBLE, S.ENROLLED),
        (S.ELIGIBLE, S.WITHDRAWN),
        (S.SCREEN_FAILURE, S.IN_SCREENING),
        (S.SCREEN_FAILURE, S.ELIGIBLE),
    },
    "subject": {
        (SUB.ON_STUDY, SUB.COMPLETED),
        (SUB.ON_STUDY, SUB.WITHDRAWN),
        (SUB.ON_STUDY, SUB.DIED),
        (SUB.DIED, SUB.ON_STUDY),
    },
    "visit": {
        (V.PLANNED, V.DONE),
        (V.PLANNED, V.MISSED),
        (V.PLANNED, V.NOT_APPLICABLE),
        (V.DONE, V.PLANNED),
        (V.MISSED, V.PLANNED),
        (V.NOT_APPLICABLE, V.PLANNED),
    },
    "safety report": {
        (R.QUEUED, R.RUNNING),
        (R.RUNNING, R.DONE),
        (R.RUNNING, R.FAILED),
        (R.FAILED, R.RUNNING),
    },
    "laboratory AE proposal": {
        (LS.OPEN, LS.CONFIRMED),
        (LS.OPEN, LS.NOT_AE),
        (LS.OPEN, LS.CLOSED),  # a corrected value no longer calls for it
        (LS.CLOSED, LS.OPEN),  # corrected again: it does
    },
    "notification": {(N.PENDING, N.SENT), (N.PENDING, N.FAILED), (N.PENDING, N.CANCELLED)},
    "query": {
        (Q.OPEN, Q.ANSWERED),
        (Q.OPEN, Q.CANCELLED),
        (Q.ANSWERED, Q.CLOSED),
        (Q.ANSWERED, Q.OPEN),  # re-opened with text
        (Q.CLOSED, Q.OPEN),  # re-opened with a reason
    },
    "automatic query (the system's moves)": {
        (Q.OPEN, Q.CLOSED),  # the check passes now: nobody needs to answer
        (Q.ANSWERED, Q.CLOSED),
        (Q.CLOSED, Q.OPEN),  # the check fails again: the same query re-opens
    },
    "freeze and lock": {
        (L.OPEN, L.FROZEN),
        (L.OPEN, L.LOCKED),
        (L.FROZEN, L.OPEN),
        (L.FROZEN, L.LOCKED),
        (L.LOCKED, L.OPEN),
    },
}


def _walk(name):
    return [(name, a, b, ok) for a, b, ok in TABLES[name].pairs()]


ALL_PAIRS = [pair for name in TABLES for pair in _walk(name)]


@pytest.mark.parametrize(("table", "current", "to", "allowed"), ALL_PAIRS)
def test_every_move_of_every_table_is_allowed_or_refused_as_listed(table, current, to, allowed):
    moves = TABLES[table]
    assert allowed == ((current, to) in ALLOWED[table])
    obj = SimpleNamespace(**{moves.field: current})
    if allowed:
        moves.move(obj, to)
        assert getattr(obj, moves.field) == to
    else:
        with pytest.raises(TransitionNotAllowed) as refused:
            moves.move(obj, to)
        assert getattr(obj, moves.field) == current  # nothing changed
        message = " ".join(refused.value.messages)
        assert str(moves.statuses(current).label) in message
        assert str(moves.statuses(to).label) in message


@pytest.mark.parametrize("table", list(TABLES))
def test_staying_in_the_same_status_is_no_move(table):
    moves = TABLES[table]
    for status in moves.statuses.values:
        obj = SimpleNamespace(**{moves.field: status})
        moves.move(obj, status)


def test_a_table_must_list_every_status():
    from trial_edc.core.transitions import Transitions

    with pytest.raises(ValueError, match="no moves listed"):
        Transitions(Subject.Status, {SUB.ON_STUDY: set()})


@pytest.mark.django_db
def test_a_bulk_move_is_refused_when_the_table_does_not_allow_it():
    with pytest.raises(TransitionNotAllowed):
        VISIT_MOVES.move_all(SubjectVisit.objects.all(), from_status=V.DONE, to=V.MISSED)
