"""Issue 12, point 5: day 1 is the first dose. While no dose is recorded, an investigator can
move it (with a reason); the visits not yet done are planned again in the same audited
transaction, and records dated before the move count their study day from the new day 1."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from enrollment.models import Subject, SubjectVisit
from enrollment.schedule.rules import visit_schedule
from enrollment.services import subject_day1_move
from portal.demo.enrollment import enrolled_subject
from portal.demo.treatment import _dose, _vitals
from safety.models import VitalSigns
from trial_edc.core.clock import site_today


@pytest.fixture
def planned_subject(site, coordinator, investigator):
    """Screened and consented 2 days ago, day 1 planned for tomorrow, no dose yet."""
    today = site_today(site)
    return enrolled_subject(
        site=site,
        coordinator=coordinator,
        investigator=investigator,
        screening_date=today - timedelta(days=2),
        day1=today + timedelta(days=1),
    )


def _plan(subject):
    return {
        v.code: (v.target_date, v.window_start, v.window_end)
        for v in subject.visits.exclude(code="SCREENING")
    }


def test_day_1_moves_and_the_visits_not_yet_done_are_planned_again(planned_subject, investigator):
    screening_visit = planned_subject.visits.get(code="SCREENING")
    new_day1 = planned_subject.day1 + timedelta(days=3)
    subject_day1_move(
        subject=planned_subject, user=investigator, day1=new_day1, reason="Nebulizer delayed"
    )
    subject = Subject.objects.get(pk=planned_subject.pk)
    assert subject.day1 == new_day1
    expected = {
        p.code: (p.target_date, p.window_start, p.window_end)
        for p in visit_schedule(day1=new_day1)
        if p.code != "SCREENING"
    }
    assert _plan(subject) == expected
    assert subject.visits.get(code="SCREENING") == screening_visit  # done: kept as it was
    reason = f"day 1 moved from {planned_subject.day1.isoformat()}: Nebulizer delayed"
    assert subject.events.last().pgh_context["reason"] == reason
    day14 = subject.visits.get(code="DAY14")
    assert day14.events.last().pgh_context["reason"] == reason


def test_day_1_stays_once_a_dose_is_recorded(site, subject_on_day_6, investigator, coordinator):
    _dose(subject_on_day_6, 1, coordinator)
    before = _plan(subject_on_day_6)
    with pytest.raises(ValidationError, match="A dose is already recorded"):
        subject_day1_move(
            subject=subject_on_day_6,
            user=investigator,
            day1=subject_on_day_6.day1 + timedelta(days=1),
            reason="x",
        )
    subject = Subject.objects.get(pk=subject_on_day_6.pk)
    assert subject.day1 == subject_on_day_6.day1 and _plan(subject) == before


def test_vital_signs_taken_before_the_move_count_their_day_from_the_new_day_1(
    site, coordinator, investigator
):
    today = site_today(site)
    subject = enrolled_subject(
        site=site,
        coordinator=coordinator,
        investigator=investigator,
        screening_date=today - timedelta(days=2),
        day1=today,
    )
    _vitals(subject, 1, coordinator)  # baseline vitals this morning, the dose did not happen
    subject_day1_move(
        subject=subject, user=investigator, day1=today + timedelta(days=2), reason="Fever"
    )
    assert VitalSigns.objects.get(subject=subject).study_day == -1


def test_only_an_investigator_of_the_site_moves_day_1(planned_subject, coordinator):
    with pytest.raises(PermissionDenied):
        subject_day1_move(
            subject=planned_subject,
            user=coordinator,
            day1=planned_subject.day1 + timedelta(days=1),
            reason="x",
        )


@pytest.mark.parametrize(
    ("days", "reason", "message"),
    [
        (0, "Same day", "already day 1"),
        (10, "Too late", "screening window"),
        (-4, "Before enrolment", "before the enrolment date"),
        (1, " ", "Say why"),
    ],
)
def test_a_new_day_1_is_refused_where_enrolment_would_refuse_it(
    planned_subject, investigator, days, reason, message
):
    with pytest.raises(ValidationError, match=message):
        subject_day1_move(
            subject=planned_subject,
            user=investigator,
            day1=planned_subject.day1 + timedelta(days=days),
            reason=reason,
        )
    assert Subject.objects.get(pk=planned_subject.pk).day1 == planned_subject.day1


def test_a_subject_who_left_the_study_keeps_day_1(planned_subject, investigator, coordinator):
    from enrollment.services import subject_end

    subject_end(
        subject=planned_subject,
        user=coordinator,
        status="withdrawn",
        on=site_today(planned_subject.site),
        reason="Consent withdrawn",
        decided_by="the subject",
    )
    with pytest.raises(ValidationError, match="left the study"):
        subject_day1_move(
            subject=planned_subject,
            user=investigator,
            day1=planned_subject.day1 + timedelta(days=1),
            reason="x",
        )


def test_investigator_moves_day_1_from_the_subject_page(
    investigator_client, coordinator_client, planned_subject
):
    dashboard = reverse("portal:subject_dashboard", args=[planned_subject.pk])
    move = reverse("enrollment:subject_day1_move", args=[planned_subject.pk])
    assert move in investigator_client.get(dashboard).content.decode()
    assert move not in coordinator_client.get(dashboard).content.decode()
    new_day1 = planned_subject.day1 + timedelta(days=2)
    data = {"day1": new_day1.isoformat(), "reason": "Device arrives later"}
    assert coordinator_client.post(move, data).status_code == 403
    response = investigator_client.post(move, data | {"day1": "9999-12-31"})
    assert "Enter a date between" in response.context["form"].errors["day1"][0]
    response = investigator_client.post(move, data)
    assert response["Location"] == dashboard
    assert new_day1.isoformat() in investigator_client.get(dashboard).content.decode()
    visit = SubjectVisit.objects.get(subject=planned_subject, code="BASELINE")
    assert visit.target_date == new_day1
