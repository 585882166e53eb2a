"""Issue 12.3: a death is recorded as the end of study (date, cause, the fatal AE it comes
from) on the day it happens, on any path; it needs a fatal AE on file, stops reminders, makes
the remaining visits not applicable and has its own box in the CONSORT flow."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from enrollment import services as enrollment_services
from enrollment.models import Subject, SubjectVisit
from enrollment.selectors import consort_flow
from safety.models import AdverseEvent, AdverseEventFollowUp, SubjectDeath
from safety.services import adverse_events
from trial_edc.core.clock import site_today
from trial_edc.notifications import reminders


def _fatal_ae(subject, coordinator) -> AdverseEvent:
    """A grade-3 pneumonia from day 2 whose follow-up today is grade 5, fatal."""
    ae = adverse_events.adverse_event_record(
        ae=AdverseEvent(
            subject=subject,
            aeterm="Pneumonia",
            aestdtc=subject.day1 + timedelta(days=1),
            ongoing=True,
            aetoxgr=3,
            aerel="UNLIKELY RELATED",
            aeacn="DOSE NOT CHANGED",
            aeout="NOT RECOVERED/NOT RESOLVED",
        ),
        user=coordinator,
    )
    today = site_today(subject.site)
    adverse_events.adverse_event_follow_up(
        follow_up=AdverseEventFollowUp(
            adverse_event=ae, assessed_on=today, aetoxgr=5, aeout="FATAL", aeendtc=today
        ),
        user=coordinator,
    )
    return ae


def _record_death(client, subject, ae, **overrides):
    data = {
        "died_on": site_today(subject.site).isoformat(),
        "cause": "Respiratory failure (RP-ILD)",
        "adverse_event": ae.pk if ae else "",
    } | overrides
    return client.post(reverse("safety:death_record", args=[subject.pk]), data)


def test_a_death_during_treatment_ends_the_study_with_its_fatal_ae(
    subject, coordinator, coordinator_client, investigator
):
    ae = _fatal_ae(subject, coordinator)
    response = _record_death(coordinator_client, subject, ae)
    assert response.status_code == 302
    subject.refresh_from_db()
    assert subject.status == Subject.Status.DIED
    assert subject.ended_on == site_today(subject.site)
    assert subject.end_reason == "Respiratory failure (RP-ILD)"
    assert SubjectDeath.objects.get(subject=subject).adverse_event == ae
    planned = subject.visits.filter(outcome=SubjectVisit.Outcome.PLANNED)
    assert not planned.exists()
    assert subject.visits.filter(outcome=SubjectVisit.Outcome.NOT_APPLICABLE).exists()


def test_a_death_without_a_fatal_ae_is_refused_on_every_path(
    subject, coordinator, coordinator_client
):
    response = _record_death(coordinator_client, subject, None)
    assert response.status_code == 200
    assert "adverse_event" in response.context["form"].errors
    with pytest.raises(ValidationError) as refused:
        enrollment_services.subject_end(
            subject=subject,
            user=coordinator,
            status=Subject.Status.DIED,
            on=site_today(subject.site),
            reason="Respiratory failure",
            decided_by="",
        )
    assert "fatal outcome" in str(refused.value)
    subject.refresh_from_db()
    assert subject.status == Subject.Status.ON_STUDY
    assert not SubjectDeath.objects.exists()


def test_a_death_cannot_precede_its_adverse_event_nor_lie_in_the_future(
    subject, coordinator, coordinator_client
):
    ae = _fatal_ae(subject, coordinator)
    early = _record_death(coordinator_client, subject, ae, died_on=subject.day1.isoformat())
    assert "died_on" in early.context["form"].errors
    later = site_today(subject.site) + timedelta(days=1)
    future = _record_death(coordinator_client, subject, ae, died_on=later.isoformat())
    assert "died_on" in future.context["form"].errors
    subject.refresh_from_db()
    assert subject.status == Subject.Status.ON_STUDY


def test_reminders_stop_for_a_subject_who_died(subject, coordinator, coordinator_client):
    def reminded():
        return [m for m in reminders.reminders_due(whole_day=True) if m.object_id == subject.pk]

    assert reminded()  # today's dose, on day 6
    _record_death(coordinator_client, subject, _fatal_ae(subject, coordinator))
    assert reminded() == []


def test_the_consort_flow_counts_a_death_in_its_own_box(
    subject, coordinator, coordinator_client, monitor, monitor_client
):
    _record_death(coordinator_client, subject, _fatal_ae(subject, coordinator))
    flow = consort_flow(monitor)
    assert (flow.enrolled, flow.on_study, flow.died) == (1, 0, 1)
    page = monitor_client.get(reverse("enrollment:consort")).content.decode()
    assert 'data-testid="consort-died"' in page


def test_a_monitor_cannot_record_a_death(subject, coordinator, monitor_client):
    ae = _fatal_ae(subject, coordinator)
    assert _record_death(monitor_client, subject, ae).status_code == 403
    subject.refresh_from_db()
    assert subject.status == Subject.Status.ON_STUDY
