"""The registry of edit checks and what a check reports (pure: no database).

A `Check` is named (`key`) and versioned (`version`: raise it when the rule changes; the
queries of an older version are closed by the system at the next run and the new version
raises its own). `failing(subject_ids)` returns the failing items of the subjects (None:
every subject) as `Finding`s, in a constant number of SQL queries whatever the subjects."""

from collections.abc import Callable
from dataclasses import dataclass

from trial_edc.core import registry

SYSTEM_CLOSE_TEXT = "closed by system: the check passes now"


@dataclass(frozen=True)
class Finding:
    """One failing item: the record (model label and pk), the item (`field`, "" for the
    whole record), where it sits, and the question put to the site."""

    label: str
    record_id: int
    field: str
    site_id: int
    subject_id: int | None
    visit_id: int | None
    text: str

    @property
    def item(self) -> tuple[str, int, str]:
        return (self.label, self.record_id, self.field)


@dataclass(frozen=True)
class Check:
    key: str
    version: int
    label: object  # what the check verifies, for people
    model_label: str  # the CRF it reads ("safety.adverseevent"), through the CRF registry
    failing: Callable  # (subject_ids | None) -> list[Finding]
    order: int = 0
    # the other CRF models whose saved records can change its findings (labels), or a callable
    # giving them (read at each use: a registry filled while the apps load)
    reads: Callable | tuple = ()

    def read_labels(self) -> frozenset[str]:
        """Every model label a save of which can make the check pass or fail: a save of any
        other model runs it not (the daily run covers every path besides a CRF page)."""
        others = self.reads() if callable(self.reads) else self.reads
        return frozenset({self.model_label, *others})


def _from_app(entry) -> Check:
    """A check a trial app registered in `core.registry.edit_checks` (it cannot import data
    management), its findings made `Finding`s."""
    return Check(
        entry.key,
        entry.version,
        entry.label,
        entry.model_label,
        lambda subject_ids: [Finding(**f) for f in entry.failing(subject_ids)],
        order=entry.order,
        reads=tuple(entry.reads),
    )


class CheckRegistry:
    """Data management's own checks, and those the trial apps register in
    `core.registry.edit_checks` (read at each use, so the order of app loading is no matter)."""

    def __init__(self):
        self._checks: dict[str, Check] = {}

    def register(self, check: Check) -> Check:
        if check.key in self._checks and self._checks[check.key] != check:
            raise ValueError(f"edit check {check.key!r} is registered twice")
        self._checks[check.key] = check
        return check

    def unregister(self, key: str) -> None:
        self._checks.pop(key, None)

    def _all(self) -> dict[str, Check]:
        return {**{e.key: _from_app(e) for e in registry.edit_checks}, **self._checks}

    def get(self, key: str) -> Check | None:
        return self._all().get(key)

    def __iter__(self):
        return iter(sorted(self._all().values(), key=lambda c: (c.order, c.key)))

    def __len__(self) -> int:
        return len(self._all())

    def reading(self, label: str) -> list[Check]:
        """The checks a save of a `label` record can move."""
        return [c for c in self if label in c.read_labels()]


checks = CheckRegistry()


@dataclass(frozen=True)
class Plan:
    """What a run does to the automatic queries (see `plan`)."""

    raise_new: list  # [Finding]
    reopen: list  # [(query id, Finding)]
    close: list  # [query id]: the check passes now
    close_revised: list  # [query id]: raised by an older version of the check
    mark_failing: list  # [query id]: closed by a person while failing: stays closed
    mark_passing: list  # [query id]: closed, the check passes: a new failure re-opens


@dataclass(frozen=True)
class Existing:
    """An automatic query as the run sees it."""

    pk: int
    check_key: str
    check_version: int
    item: tuple[str, int, str]
    state: str
    failing: bool


ACTIVE = ("open", "answered")


def plan(findings: dict[str, list[Finding]], versions: dict[str, int], existing) -> Plan:
    """Given each run check's findings (by key), the checks' current versions and the
    automatic queries of the run's subjects for those checks, what to raise, re-open and
    close. Idempotent on (check, version, record, item): a second run plans nothing.

    - failing, no query: raise one;
    - failing, query closed by the system (the check had passed): re-open the same query;
    - failing, query closed by a person while still failing: leave it closed (they judged
      the value right);
    - passing, query open or answered: close it as the system (unless a person re-opened
      it after the check had passed: then it is their question, left to them);
    - a cancelled query (raised in error) is never touched;
    - a query of an older version of a check: closed as the system if still open."""
    raise_new, reopen, close, revised, mark_failing, mark_passing = [], [], [], [], [], []
    current = {(k, versions[k]): {f.item: f for f in fs} for k, fs in findings.items()}
    seen: set = set()
    for q in existing:
        if q.check_key not in versions:
            continue
        if q.check_version != versions[q.check_key]:
            if q.state in ACTIVE:
                revised.append(q.pk)
            continue
        failing = current[(q.check_key, q.check_version)]
        finding = failing.get(q.item)
        seen.add((q.check_key, q.item))
        if q.state == "cancelled":
            continue
        if finding is not None:
            if q.state == "closed":
                if q.failing:
                    continue
                reopen.append((q.pk, finding))
            elif not q.failing:
                mark_failing.append(q.pk)
        elif q.state in ACTIVE:
            if q.failing:
                close.append(q.pk)
            # else a person re-opened it after the check passed: their question stays open
        elif q.failing:
            mark_passing.append(q.pk)
    for key, fs in findings.items():
        for f in fs:
            if (key, f.item) not in seen:
                seen.add((key, f.item))
                raise_new.append((key, f))
    return Plan(raise_new, reopen, close, revised, mark_failing, mark_passing)
