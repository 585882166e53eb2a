"""Issue 12, point 9: a coordinator marks a planned visit past its window as missed, with a
reason; its reminders stop. Nothing else can be marked missed."""

from datetime import time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from enrollment.models import SubjectVisit
from enrollment.schedule.services import visit_date_record, visit_mark_missed
from portal.demo.enrollment import enrolled_subject
from trial_edc.core.clock import site_moment, site_today
from trial_edc.notifications import reminders
from trial_edc.notifications.models import Notification
from trial_edc.notifications.services import outbox_send_due

MISSED = SubjectVisit.Outcome.MISSED


@pytest.fixture
def subject_on_day_22(site, coordinator, investigator):
    """Today is study day 22: the DAY14 window closed on day 15, DAY28 opens on day 25."""
    day1 = site_today(site) - timedelta(days=21)
    return enrolled_subject(
        site=site,
        coordinator=coordinator,
        investigator=investigator,
        screening_date=day1 - timedelta(days=2),
        day1=day1,
    )


def _at(site, hour, minute=0):
    return site_moment(site_today(site), time(hour, minute), site.time_zone)


def test_overdue_visit_marked_missed_stops_its_reminders(subject_on_day_22, site, coordinator):
    day14 = subject_on_day_22.visits.get(code="DAY14")
    reminders.reminders_run(_at(site, 8, 5))
    overdue = Notification.objects.get(kind="visit_overdue", object_id=day14.pk)
    visit_mark_missed(visit=day14, user=coordinator, reason="Subject in another hospital")
    outbox_send_due(_at(site, 8, 10))
    overdue.refresh_from_db()
    assert (overdue.status, overdue.cancelled_reason) == ("cancelled", "The visit is missed.")
    reminders.reminders_run(_at(site, 8, 15))
    assert not Notification.objects.filter(object_id=day14.pk, status="pending").exists()
    day14.refresh_from_db()
    assert (day14.outcome, day14.missed_reason) == (MISSED, "Subject in another hospital")
    assert day14.events.last().pgh_context["reason"] == "visit missed: Subject in another hospital"


def test_a_visit_whose_window_is_still_open_or_not_yet_open_cannot_be_marked_missed(
    subject_on_day_22, coordinator
):
    for code in ("DAY28", "MONTH3"):
        visit = subject_on_day_22.visits.get(code=code)
        with pytest.raises(ValidationError, match="can be marked missed after"):
            visit_mark_missed(visit=visit, user=coordinator, reason="Subject unreachable")
        visit.refresh_from_db()
        assert visit.outcome == SubjectVisit.Outcome.PLANNED


def test_only_a_planned_visit_can_be_marked_missed(subject_on_day_22, coordinator):
    screening_visit = subject_on_day_22.visits.get(code="SCREENING")  # done at enrolment
    with pytest.raises(ValidationError, match="Only a planned visit"):
        visit_mark_missed(visit=screening_visit, user=coordinator, reason="x")
    day14 = subject_on_day_22.visits.get(code="DAY14")
    visit_mark_missed(visit=day14, user=coordinator, reason="Subject unreachable")
    with pytest.raises(ValidationError, match="Only a planned visit"):
        visit_mark_missed(visit=day14, user=coordinator, reason="again")


def test_a_visit_that_took_place_is_not_missed(subject_on_day_22, coordinator):
    day14 = subject_on_day_22.visits.get(code="DAY14")
    visit_date_record(
        visit=day14,
        visit_date=day14.window_end + timedelta(days=1),
        deviation_reason="Subject came late",
        user=coordinator,
    )
    with pytest.raises(ValidationError, match="took place"):
        visit_mark_missed(visit=day14, user=coordinator, reason="x")


def test_missed_needs_a_reason_and_a_member_of_the_site_who_may_change_visits(
    subject_on_day_22, coordinator, monitor
):
    day14 = subject_on_day_22.visits.get(code="DAY14")
    with pytest.raises(ValidationError) as refused:
        visit_mark_missed(visit=day14, user=coordinator, reason="  ")
    assert "reason" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        visit_mark_missed(visit=day14, user=monitor, reason="Subject unreachable")
    day14.refresh_from_db()
    assert day14.outcome == SubjectVisit.Outcome.PLANNED


def test_coordinator_marks_a_visit_missed_from_the_visit_page(
    coordinator_client, monitor_client, subject_on_day_22
):
    subject = subject_on_day_22
    page = reverse("efficacy:visit_detail", args=[subject.pk, "DAY14"])
    missed = reverse("enrollment:visit_missed", args=[subject.pk, "DAY14"])
    assert missed in coordinator_client.get(page).content.decode()
    assert missed not in monitor_client.get(page).content.decode()
    assert reverse("enrollment:visit_missed", args=[subject.pk, "DAY28"]) not in (
        coordinator_client.get(
            reverse("efficacy:visit_detail", args=[subject.pk, "DAY28"])
        ).content.decode()
    )
    assert monitor_client.post(missed, {"reason": "x"}).status_code == 403
    response = coordinator_client.post(missed, {"reason": ""})
    assert "reason" in response.context["form"].errors
    response = coordinator_client.post(missed, {"reason": "Subject unreachable"})
    assert response["Location"] == page
    html = coordinator_client.get(page).content.decode()
    assert "Subject unreachable" in html and missed not in html
    # an upcoming visit posted to anyway: refused above the form, nothing written
    response = coordinator_client.post(
        reverse("enrollment:visit_missed", args=[subject.pk, "DAY28"]), {"reason": "x"}
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert (
        coordinator_client.get(
            reverse("enrollment:visit_missed", args=[subject.pk, "NOPE"])
        ).status_code
        == 404
    )
