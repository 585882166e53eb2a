"""Who may move a query, and where to (pure: no database)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from datamanagement.models.queries import QUERY_MOVES, QueryAction, QueryState

RAISE_PERMISSION = "datamanagement.raise_query"
ANSWER_PERMISSION = "datamanagement.answer_query"


@dataclass(frozen=True)
class Move:
    action: str
    to: str
    permission: str
    text_required: bool
    label: object


MOVES: dict[str, Move] = {
    QueryAction.ANSWER: Move(
        QueryAction.ANSWER, QueryState.ANSWERED, ANSWER_PERMISSION, True, _("Answer")
    ),
    QueryAction.CLOSE: Move(
        QueryAction.CLOSE, QueryState.CLOSED, RAISE_PERMISSION, False, _("Close")
    ),
    QueryAction.REOPEN: Move(
        QueryAction.REOPEN, QueryState.OPEN, RAISE_PERMISSION, True, _("Re-open")
    ),
    QueryAction.CANCEL: Move(
        QueryAction.CANCEL, QueryState.CANCELLED, RAISE_PERMISSION, True, _("Cancel")
    ),
}


def may(state: str, action: str, permissions) -> bool:
    """May a holder of `permissions` take `action` on a query in `state`? (Raising is no
    move of an existing query: it needs the raise permission only.)"""
    if action == QueryAction.RAISE:
        return RAISE_PERMISSION in permissions
    move = MOVES.get(action)
    if move is None or move.to == state:
        return False
    return QUERY_MOVES.can(state, move.to) and move.permission in permissions


def moves_for(state: str, permissions) -> list[Move]:
    """The moves a person may make on a query in `state` (the buttons of its page)."""
    return [m for a, m in MOVES.items() if may(state, a, permissions)]


def days_between(start, end) -> int | None:
    """Whole days from `start` to `end` (None if either is missing)."""
    if start is None or end is None:
        return None
    return max((end - start).days, 0)
