"""Issue 12, point 4: one base for "30 days after the last dose". Once dosing ends (the last
treatment day recorded, the treatment period over at the site, or the subject left) the safety
close is planned from the last dose actually given, not from the planned day 14; only visits
still planned move, and each move is audited."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from enrollment.models import Subject, SubjectVisit
from enrollment.schedule.services import after_last_dose_replan_due
from enrollment.services import subject_end
from enrollment.tasks import after_last_dose_replan_task
from portal.demo.enrollment import enrolled_subject
from portal.demo.treatment import _dose
from trial_edc.core.clock import site_today, study_day_date
from trial_edc.study import study

WINDOW = study().safety_window_days_after_last_dose


@pytest.fixture
def subject_on(site, coordinator, investigator):
    """subject_on(n): enrolled, today (at the site) is study day n; no dose yet."""

    def make(day: int) -> Subject:
        day1 = site_today(site) - timedelta(days=day - 1)
        return enrolled_subject(
            site=site,
            coordinator=coordinator,
            investigator=investigator,
            screening_date=day1 - timedelta(days=2),
            day1=day1,
        )

    return make


def safety_close(subject) -> SubjectVisit:
    return SubjectVisit.objects.get(subject=subject, code="SAFETY_CLOSE")


def day(subject, n: int):
    return study_day_date(subject.day1, n)


def not_given(subject, n: int, user):
    _dose(subject, n, user, status="not_given", reason_not_completed="Stopped: desaturation",
          start_time=None, stop_time=None, volume_ml=None, particles=None)  # fmt: skip


def test_safety_close_stays_on_day_14_while_treatment_goes_on(subject_on, coordinator):
    subject = subject_on(6)
    for n in range(1, 6):
        _dose(subject, n, coordinator)
    assert safety_close(subject).target_date == day(subject, 14) + timedelta(days=WINDOW)


def test_safety_close_planned_from_last_dose_given_when_the_last_day_is_recorded(
    subject_on, coordinator
):
    subject = subject_on(14)
    for n in (1, 2, 3):
        _dose(subject, n, coordinator)
    _dose(subject, 4, coordinator, status="interrupted", stop_time=None,
          reason_not_completed="Cough")  # fmt: skip
    not_given(subject, 14, coordinator)  # the last treatment day's record: dosing is over
    visit = safety_close(subject)
    target = day(subject, 4) + timedelta(days=WINDOW)  # interrupted: some was given
    assert (visit.target_date, visit.window_start, visit.window_end) == (
        target,
        target,
        target + timedelta(days=study().visit("SAFETY_CLOSE").window_after),
    )
    assert visit.outcome == SubjectVisit.Outcome.PLANNED
    assert visit.events.last().pgh_context["reason"] == "dose of day 14: from the last dose"


def test_a_corrected_dose_moves_the_safety_close_with_the_last_dose_given(subject_on, coordinator):
    subject = subject_on(16)  # treatment period over at the site
    for n in (1, 2, 3):
        _dose(subject, n, coordinator)
    assert safety_close(subject).target_date == day(subject, 3) + timedelta(days=WINDOW)
    from dosing.models import DoseAdministration
    from dosing.services import dose_record

    dose = DoseAdministration.objects.get(subject=subject, study_day=3)
    dose.status, dose.reason_not_completed = "not_given", "Entered in error: refused"
    dose.start_time = dose.stop_time = dose.volume_ml = dose.particles = None
    dose_record(dose=dose, user=coordinator, reason="Source: the subject refused on day 3")
    assert safety_close(subject).target_date == day(subject, 2) + timedelta(days=WINDOW)


def test_withdrawal_plans_the_safety_close_from_the_last_dose_given(subject_on, coordinator):
    subject = subject_on(6)
    for n in (1, 2, 3):
        _dose(subject, n, coordinator)
    subject_end(
        subject=subject,
        user=coordinator,
        status=Subject.Status.WITHDRAWN,
        on=site_today(subject.site),
        reason="Consent withdrawn",
        decided_by="the subject",
    )
    visit = safety_close(subject)
    assert visit.target_date == day(subject, 3) + timedelta(days=WINDOW)
    assert visit.outcome == SubjectVisit.Outcome.NOT_APPLICABLE  # the subject left


def test_a_visit_already_held_is_not_moved(subject_on, coordinator):
    subject = subject_on(16)
    held = day(subject, 14) + timedelta(days=WINDOW)
    SubjectVisit.objects.filter(subject=subject, code="SAFETY_CLOSE").update(
        outcome=SubjectVisit.Outcome.DONE, visit_date=held
    )
    _dose(subject, 1, coordinator)
    visit = safety_close(subject)
    assert (visit.target_date, visit.outcome) == (held, SubjectVisit.Outcome.DONE)


def test_the_daily_task_replans_an_early_stop_once_the_period_is_over(subject_on, coordinator):
    subject = subject_on(20)
    # doses of days 1-5 were recorded on day 5, while treatment still went on
    with time_machine.travel(timezone.now() - timedelta(days=15), tick=False):
        for n in range(1, 6):
            _dose(subject, n, coordinator)
        assert after_last_dose_replan_due() == 0  # still in treatment then
    assert safety_close(subject).target_date == day(subject, 14) + timedelta(days=WINDOW)
    # no further record; the treatment period is over at the site: the daily run re-plans
    assert after_last_dose_replan_task() == 1
    visit = safety_close(subject)
    assert visit.target_date == day(subject, 5) + timedelta(days=WINDOW)
    reason = "treatment period over: planned from the last dose"
    assert visit.events.last().pgh_context["reason"] == reason
    events = visit.events.count()
    assert after_last_dose_replan_task() == 0  # run again: nothing moves, nothing written
    assert visit.events.count() == events
