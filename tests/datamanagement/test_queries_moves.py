"""Queries, as the protocol's data management plan has them: a monitor or data manager raises
a query on one item of a record; the site answers; the monitor closes, re-opens or cancels.
Every move is a message in the thread; nothing is ever deleted."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.utils import InternalError

from datamanagement.models.queries import QUERY_MOVES, Query, QueryAction, QueryMessage, QueryState
from datamanagement.queries import records, rules, services
from safety.services.vitals import vitals_record
from tests.datamanagement.queries_helpers import vitals  # noqa: F401
from trial_edc.accounts.roles import Role

S = QueryState
A = QueryAction

# (state, action) -> the roles that may take it; every other role is refused.
RAISERS = {Role.MONITOR, Role.DATA_MANAGER}
ANSWERERS = {Role.SITE_COORDINATOR, Role.INVESTIGATOR}
TABLE = {
    (S.OPEN, A.ANSWER): ANSWERERS,
    (S.OPEN, A.CANCEL): RAISERS,
    (S.ANSWERED, A.CLOSE): RAISERS,
    (S.ANSWERED, A.REOPEN): RAISERS,
    (S.CLOSED, A.REOPEN): RAISERS,
}
TO = {A.ANSWER: S.ANSWERED, A.CLOSE: S.CLOSED, A.REOPEN: S.OPEN, A.CANCEL: S.CANCELLED}


def _query_in(state, *, record, monitor, coordinator) -> Query:
    """A query brought to `state` by the allowed moves."""
    q = services.query_raise(user=monitor, record=record, field="hr", text="Heart rate 88?")
    path = {
        S.OPEN: [],
        S.ANSWERED: [(coordinator, A.ANSWER)],
        S.CLOSED: [(coordinator, A.ANSWER), (monitor, A.CLOSE)],
        S.CANCELLED: [(monitor, A.CANCEL)],
    }[state]
    for user, action in path:
        q = services.query_move(user=user, query=q, action=action, text="step")
    assert q.state == state
    return q


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("action", [A.ANSWER, A.CLOSE, A.REOPEN, A.CANCEL])
@pytest.mark.parametrize("role", list(Role))
def test_state_action_role_table(state, action, role, vitals, role_users):  # noqa: F811
    monitor, coordinator = role_users[Role.MONITOR], role_users[Role.SITE_COORDINATOR]
    q = _query_in(state, record=vitals, monitor=monitor, coordinator=coordinator)
    allowed = role in TABLE.get((state, action), set())
    user = role_users[role]
    assert rules.may(state, action, user.get_all_permissions()) == allowed
    before = q.messages.count()
    if allowed:
        moved = services.query_move(user=user, query=q, action=action, text="because")
        assert moved.state == TO[action]
        last = moved.messages.last()
        assert (last.action, last.author, last.text, last.state_after) == (
            action,
            user,
            "because",
            TO[action],
        )
        assert q.messages.count() == before + 1
    else:
        with pytest.raises((PermissionDenied, ValidationError)):
            services.query_move(user=user, query=q, action=action, text="because")
        q.refresh_from_db()
        assert q.state == state
        assert q.messages.count() == before


def test_the_table_walks_every_pair():
    allowed = {(a, b) for a, b, ok in QUERY_MOVES.pairs() if ok}
    assert allowed == {
        (S.OPEN, S.ANSWERED),
        (S.OPEN, S.CANCELLED),
        (S.ANSWERED, S.CLOSED),
        (S.ANSWERED, S.OPEN),
        (S.CLOSED, S.OPEN),
    }


@pytest.mark.parametrize("role", list(Role))
def test_only_monitors_and_data_managers_raise(role, vitals, role_users):  # noqa: F811
    user = role_users[role]
    if role in RAISERS:
        q = services.query_raise(user=user, record=vitals, field="hr", text="Check")
        assert q.state == S.OPEN and q.messages.get().action == A.RAISE
    else:
        with pytest.raises(PermissionDenied):
            services.query_raise(user=user, record=vitals, field="hr", text="Check")


def test_a_raiser_of_another_site_is_refused(vitals, make_user, other_site):  # noqa: F811
    stranger = make_user(Role.MONITOR, [other_site], username="stranger")
    with pytest.raises(PermissionDenied):
        services.query_raise(user=stranger, record=vitals, field="hr", text="Check")


def test_reopen_and_answer_need_text_close_does_not(vitals, monitor, coordinator):  # noqa: F811
    q = services.query_raise(user=monitor, record=vitals, field="hr", text="Check")
    with pytest.raises(ValidationError) as refused:
        services.query_answer(user=coordinator, query=q, text="  ")
    assert "text" in refused.value.message_dict
    q = services.query_answer(user=coordinator, query=q, text="Source says 88")
    with pytest.raises(ValidationError):
        services.query_reopen(user=monitor, query=q, text="")
    q = services.query_close(user=monitor, query=q)
    assert q.closed_at is not None
    q = services.query_reopen(user=monitor, query=q, text="Source page 3 says 98")
    assert (q.state, q.closed_at) == (S.OPEN, None)
    assert [m.action for m in q.messages.all()] == [A.RAISE, A.ANSWER, A.CLOSE, A.REOPEN]


def test_a_query_names_an_item_of_the_form_or_the_whole_record(vitals, monitor):  # noqa: F811
    with pytest.raises(ValidationError) as refused:
        services.query_raise(user=monitor, record=vitals, field="no_such_item", text="?")
    assert "field" in refused.value.message_dict
    whole = services.query_raise(user=monitor, record=vitals, field="", text="Whole form?")
    assert whole.field == "" and whole.subject_id == vitals.subject_id


def test_anchored_to_the_value_then_and_shows_the_value_now(
    vitals,  # noqa: F811
    monitor,
    coordinator,
):
    q = services.query_raise(user=monitor, record=vitals, field="hr", text="88 plausible?")
    assert q.anchor_seq == records.latest_event(vitals).pgh_chain_seq
    vitals.hr = 98
    vitals_record(vitals=vitals, user=coordinator, reason="Transcription error")
    vitals.refresh_from_db()
    then = records.event_at(vitals, q.anchor_seq)
    assert records.shown(type(vitals), "hr", then) == "88"
    assert records.shown(type(vitals), "hr", vitals) == "98"
    assert records.latest_event(vitals).pgh_chain_seq > q.anchor_seq


def test_every_move_is_an_audited_entry_with_who_and_why(vitals, monitor, coordinator):  # noqa: F811
    q = services.query_raise(user=monitor, record=vitals, field="hr", text="Check")
    services.query_answer(user=coordinator, query=q, text="Checked: correct")
    last = q.events.order_by("pgh_chain_seq").last()
    assert last.state == S.ANSWERED
    assert last.pgh_context["user"] == coordinator.pk
    assert last.pgh_context["reason"] == "Checked: correct"


def test_nothing_is_ever_deleted_and_messages_are_append_only(vitals, monitor):  # noqa: F811
    q = services.query_raise(user=monitor, record=vitals, field="hr", text="Check")
    message = q.messages.get()
    for statement, pk in (
        ("UPDATE datamanagement_querymessage SET text = 'x' WHERE id = %s", message.pk),
        ("DELETE FROM datamanagement_querymessage WHERE id = %s", message.pk),
        ("DELETE FROM datamanagement_query WHERE id = %s", q.pk),
    ):
        with pytest.raises(InternalError), transaction.atomic(), connection.cursor() as c:
            c.execute(statement, [pk])
    assert QueryMessage.objects.filter(pk=message.pk, text="Check").exists()
