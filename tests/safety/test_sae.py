"""A serious AE alerts the site's investigators once, after commit, and starts a 24-hour
clock that stops when an investigator marks it reported to the sponsor."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal.demo.treatment import serious_pneumonia
from safety import selectors
from safety.models import SeriousAdverseEventReport
from safety.services import adverse_events
from trial_edc.accounts.roles import Role

_sae = serious_pneumonia


@pytest.fixture
def other_site_investigator(make_user, other_site):
    return make_user(Role.INVESTIGATOR, [other_site], username="far_inv", email="far@example.org")


def test_serious_ae_emails_the_sites_investigators_once_after_commit(
    subject, coordinator, investigator, other_site_investigator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ae = adverse_events.adverse_event_record(ae=_sae(subject), user=coordinator)
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [investigator.email]  # not coordinators, not other sites
    assert "Pneumonia" in mail.outbox[0].subject
    report = SeriousAdverseEventReport.objects.get(adverse_event=ae)
    assert report.alert_sent_at is not None

    ae.narrative = "Admitted to the ward"
    with django_capture_on_commit_callbacks(execute=True):
        adverse_events.adverse_event_record(ae=ae, user=coordinator, reason="Narrative added")
    assert len(mail.outbox) == 1  # still once


def test_rolled_back_save_sends_nothing(
    subject, coordinator, investigator, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        adverse_events.adverse_event_record(ae=_sae(subject), user=coordinator)
        raise RuntimeError("the rest of the save failed")
    assert mail.outbox == []
    assert not SeriousAdverseEventReport.objects.exists()


def test_alert_task_run_twice_sends_once(subject, coordinator, investigator):
    from safety.tasks import sae_alert_send

    ae = adverse_events.adverse_event_record(ae=_sae(subject), user=coordinator)
    report = ae.sae_report
    assert sae_alert_send(report.pk) == 1
    assert sae_alert_send(report.pk) == 0
    assert len(mail.outbox) == 1


def test_non_serious_ae_alerts_nobody(
    subject, coordinator, investigator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        adverse_events.adverse_event_record(
            ae=_sae(subject, aeser=False, aeshosp=False, aetoxgr=1), user=coordinator
        )
    assert mail.outbox == []


def test_clock_runs_24_hours_and_stops_when_reported(
    subject, coordinator, investigator, investigator_client, coordinator_client
):
    ae = adverse_events.adverse_event_record(ae=_sae(subject), user=coordinator)
    report = ae.sae_report
    clock = selectors.sae_clock(report, now=report.serious_since + timedelta(hours=20))
    assert (round(clock.hours_left), clock.overdue) == (4, False)
    late = selectors.sae_clock(report, now=report.serious_since + timedelta(hours=25))
    assert late.overdue

    assert [
        c.report for c in investigator_client.get(reverse("safety:open_saes")).context["clocks"]
    ] == [report]
    url = reverse("safety:sae_mark_reported", args=[ae.pk])
    assert coordinator_client.post(url, {}).status_code == 403
    when = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    assert investigator_client.post(url, {"reported_at": when}).status_code == 302
    report.refresh_from_db()
    assert report.reported_by == investigator
    assert investigator_client.get(reverse("safety:open_saes")).context["clocks"] == []


def test_reported_time_in_the_future_is_refused(subject, coordinator, investigator):
    ae = adverse_events.adverse_event_record(ae=_sae(subject), user=coordinator)
    with pytest.raises(ValidationError):
        adverse_events.sae_mark_reported(
            report=ae.sae_report,
            user=investigator,
            reported_at=timezone.now() + timedelta(hours=2),
        )
    with pytest.raises(PermissionDenied):
        adverse_events.sae_mark_reported(
            report=ae.sae_report, user=coordinator, reported_at=timezone.now()
        )


def test_overdue_clock_shows_on_the_ae(subject, coordinator, investigator_client):
    ae = adverse_events.adverse_event_record(ae=_sae(subject), user=coordinator)
    SeriousAdverseEventReport.objects.filter(adverse_event=ae).update(
        serious_since=timezone.now() - timedelta(hours=30)
    )
    html = investigator_client.get(reverse("safety:adverse_event_detail", args=[ae.pk]))
    assert "overdue by 6 h" in html.content.decode()
