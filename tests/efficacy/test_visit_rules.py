"""Visit dates and windows, which forms a visit misses, and the death rule."""

from datetime import date

from efficacy import rules as efficacy_rules
from enrollment.schedule import rules as visit_rules

WINDOW = {"window_start": date(2026, 3, 13), "window_end": date(2026, 3, 15)}
TODAY = date(2026, 4, 1)


def _date_problems(visit_date, reason=""):
    return [
        p.field
        for p in visit_rules.visit_date_problems(
            visit_date=visit_date,
            deviation_reason=reason,
            today=TODAY,
            earliest=date(2026, 2, 20),
            **WINDOW,
        )
    ]


def test_a_visit_in_its_window_needs_no_reason():
    assert _date_problems(date(2026, 3, 13)) == []
    assert _date_problems(date(2026, 3, 15)) == []


def test_a_visit_out_of_window_is_a_deviation_that_needs_a_reason():
    assert visit_rules.out_of_window(date(2026, 3, 16), **WINDOW)
    assert visit_rules.out_of_window(date(2026, 3, 12), **WINDOW)
    assert not visit_rules.out_of_window(date(2026, 3, 14), **WINDOW)
    assert _date_problems(date(2026, 3, 16)) == ["deviation_reason"]
    assert _date_problems(date(2026, 3, 16), reason="  ") == ["deviation_reason"]
    assert _date_problems(date(2026, 3, 16), reason="Subject hospitalised elsewhere") == []


def test_a_visit_date_is_never_in_the_future_nor_before_screening():
    assert _date_problems(date(2026, 4, 2), reason="x") == ["visit_date"]
    assert _date_problems(date(2026, 2, 19), reason="x") == ["visit_date"]


def test_required_forms_are_the_visit_date_and_the_configured_forms():
    configured = ("follow_up", "oxygenation", "pft", "hrct")
    assert visit_rules.required_forms(configured, code="MONTH3", died=False) == (
        "visit_date",
        *configured,
    )
    assert visit_rules.required_forms(configured, code="MONTH3", died=True) == ("follow_up",)
    assert visit_rules.required_forms((), code="SCREENING", died=False) == ()
    assert visit_rules.required_forms((), code="SAFETY_CLOSE", died=False) == ("visit_date",)


def test_forms_not_due_are_not_missing():
    required = ("visit_date", "pft", "hrct")

    def missing(timing, outcome="planned", saved=()):
        return visit_rules.missing_forms(
            required=required, saved=set(saved), timing=timing, outcome=outcome
        )

    assert missing("upcoming") == []
    assert missing("due", saved=["pft"]) == ["visit_date", "hrct"]
    assert missing("overdue") == ["visit_date", "pft", "hrct"]
    assert missing("overdue", outcome="not_applicable") == []
    assert missing("overdue", outcome="missed") == []


def _death(**overrides):
    values = {
        "vital_status": "dead",
        "death_date": date(2026, 5, 2),
        "death_cause": "Respiratory failure",
        "assessed_on": date(2026, 5, 20),
        "day1": date(2026, 3, 1),
        "has_fatal_adverse_event": True,
    } | overrides
    return [p.field for p in efficacy_rules.death_problems(**values)]


def test_a_death_needs_date_cause_and_a_fatal_adverse_event():
    assert _death() == []
    assert _death(has_fatal_adverse_event=False) == ["vital_status"]
    assert _death(death_date=None, death_cause="") == ["death_date", "death_cause"]
    assert _death(death_date=date(2026, 5, 21)) == ["death_date"]
    assert _death(death_date=date(2026, 2, 28)) == ["death_date"]


def test_an_alive_subject_has_no_death_date_or_cause():
    assert _death(vital_status="alive", has_fatal_adverse_event=False) == [
        "death_date",
        "death_cause",
    ]
    assert _death(vital_status="alive", death_date=None, death_cause="") == []
