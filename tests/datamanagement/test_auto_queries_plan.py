"""What a run of the edit checks plans, as a table (pure: no database): given the check's
finding and the state of its query, raise, re-open, close or leave it."""

import pytest

from datamanagement.checks.rules import Existing, Finding, plan

ITEM = ("safety.adverseevent", 7, "aeendtc")
FINDING = Finding(*ITEM, site_id=1, subject_id=2, visit_id=None, text="No end date")


def _plan(*, failing: bool, state=None, was_failing=True, version=1):
    existing = []
    if state is not None:
        existing.append(Existing(10, "ae", version, ITEM, state, was_failing))
    p = plan({"ae": [FINDING] if failing else []}, {"ae": 1}, existing)
    return {
        name: getattr(p, name)
        for name in (
            "raise_new",
            "reopen",
            "close",
            "close_revised",
            "mark_failing",
            "mark_passing",
        )
        if getattr(p, name)
    }


@pytest.mark.parametrize(
    ("failing", "state", "was_failing", "expected"),
    [
        (True, None, True, {"raise_new": [("ae", FINDING)]}),
        (False, None, True, {}),
        (True, "open", True, {}),
        (True, "answered", True, {}),
        (True, "closed", False, {"reopen": [(10, FINDING)]}),  # closed by the system
        (True, "closed", True, {}),  # a person closed it while failing: stays closed
        (True, "cancelled", True, {}),
        (False, "open", True, {"close": [10]}),
        (False, "answered", True, {"close": [10]}),
        (False, "closed", True, {"mark_passing": [10]}),
        (False, "closed", False, {}),
        (False, "cancelled", True, {}),
        (False, "open", False, {}),  # a person re-opened it after it passed: theirs
        (True, "open", False, {"mark_failing": [10]}),
    ],
)
def test_what_a_run_does_to_a_query(failing, state, was_failing, expected):
    assert _plan(failing=failing, state=state, was_failing=was_failing) == expected


def test_an_older_versions_open_query_is_closed_and_the_new_version_raises_its_own():
    assert _plan(failing=True, state="open", version=0) == {
        "raise_new": [("ae", FINDING)],
        "close_revised": [10],
    }
    assert _plan(failing=True, state="closed", version=0) == {"raise_new": [("ae", FINDING)]}


def test_the_same_item_found_twice_is_raised_once():
    p = plan({"ae": [FINDING, FINDING]}, {"ae": 1}, [])
    assert p.raise_new == [("ae", FINDING)]
