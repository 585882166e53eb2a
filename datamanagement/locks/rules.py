"""Freeze and lock, the pure part: targets, the four verbs, the effective state."""

from dataclasses import dataclass

from datamanagement.models.locks import STRENGTH, Level, LockState

STUDY = "study"


def subject_target(subject_id: int) -> str:
    return f"subject:{subject_id}"


def visit_target(visit_id: int) -> str:
    return f"visit:{visit_id}"


def record_target(label: str, pk) -> str:
    return f"record:{label}:{pk}"


@dataclass(frozen=True)
class Action:
    key: str
    permission: str  # datamanagement.<codename>
    to: str  # the state it sets
    needs_reason: bool
    needs_code: bool


ACTIONS = {
    "freeze": Action("freeze", "datamanagement.freeze_data", LockState.FROZEN, False, False),
    "lock": Action("lock", "datamanagement.lock_data", LockState.LOCKED, False, False),
    "unfreeze": Action("unfreeze", "datamanagement.unfreeze_data", LockState.OPEN, True, False),
    "unlock": Action("unlock", "datamanagement.unlock_data", LockState.OPEN, True, True),
}

# which action may leave which state (the transition table says which moves exist at all)
FROM_STATES = {
    "freeze": {LockState.OPEN},
    "lock": {LockState.OPEN, LockState.FROZEN},
    "unfreeze": {LockState.FROZEN},
    "unlock": {LockState.LOCKED},
}


def strongest(*states: str | None) -> str:
    """The effective state of a record: the strongest of its own and its ancestors'."""
    present = [s for s in states if s]
    return max(present, key=lambda s: STRENGTH[s], default=LockState.OPEN)


def allowed_actions(state: str) -> list[str]:
    return [key for key, froms in FROM_STATES.items() if state in froms]


LEVELS = [Level.STUDY, Level.SUBJECT, Level.VISIT, Level.RECORD]
