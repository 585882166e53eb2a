"""Issue 12.2 and 12.13: seriousness follows the AE through its follow-ups; every serious
period has its own 24-hour clock and alert; the alert is an outbox row written with the
save, so a broker that is down loses nothing and shows no error."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from portal.demo.treatment import serious_pneumonia
from safety.models import AdverseEvent, AdverseEventFollowUp, SeriousAdverseEventReport
from safety.services import adverse_events
from safety.worklists import sae_clocks
from trial_edc.notifications.models import Kind, Notification
from trial_edc.notifications.services import outbox_send_due


def _fever(subject, coordinator, **values) -> AdverseEvent:
    base = {
        "subject": subject,
        "aeterm": "Fever",
        "aestdtc": subject.day1,
        "ongoing": True,
        "aetoxgr": 2,
        "aerel": "UNLIKELY RELATED",
        "aeacn": "DOSE NOT CHANGED",
        "aeout": "NOT RECOVERED/NOT RESOLVED",
    }
    return adverse_events.adverse_event_record(ae=AdverseEvent(**(base | values)), user=coordinator)


def _follow_up(ae, user, day: int = 3, **values):
    base = {
        "assessed_on": ae.subject.day1 + timedelta(days=day - 1),
        "aetoxgr": 3,
        "aeout": "NOT RECOVERED/NOT RESOLVED",
    }
    return adverse_events.adverse_event_follow_up(
        follow_up=AdverseEventFollowUp(adverse_event=ae, **(base | values)), user=user
    )


def _alerts(ae):
    return Notification.objects.filter(
        kind=Kind.SAE_ALERT, object_id__in=ae.sae_reports.values("pk")
    )


# --- a fatal follow-up ------------------------------------------------------------------


def test_a_fatal_follow_up_makes_the_ae_serious_death_starts_the_clock_and_queues_the_alert(
    subject, coordinator, investigator
):
    ae = _fever(subject, coordinator)
    _follow_up(ae, coordinator, aetoxgr=5, aeout="FATAL", aeendtc=subject.day1 + timedelta(days=2))
    ae.refresh_from_db()
    assert (ae.aeser, ae.aesdth) == (True, True)
    report = ae.sae_report
    assert report is not None and report.ended_at is None
    assert [(n.recipient, n.status) for n in _alerts(ae)] == [(investigator, "pending")]
    last_change = ae.events.order_by("pgh_id").last()
    assert last_change.pgh_context["reason"].startswith("made serious by the follow-up")


def test_a_fatal_follow_up_assessed_not_serious_is_refused(subject, coordinator):
    ae = _fever(subject, coordinator)
    with pytest.raises(ValidationError) as refused:
        _follow_up(ae, coordinator, aetoxgr=5, aeout="FATAL", aeser=False)
    assert "aeser" in refused.value.message_dict
    assert not AdverseEventFollowUp.objects.exists()


# --- grade 4 asks for the seriousness assessment -----------------------------------------


def test_a_grade_4_follow_up_of_a_non_serious_ae_asks_whether_it_is_serious_now(
    coordinator_client, subject, coordinator
):
    ae = _fever(subject, coordinator)
    url = reverse("safety:adverse_event_follow_up", args=[ae.pk])
    data = {
        "assessed_on": subject.day1.isoformat(),
        "aetoxgr": "4",
        "aeout": "NOT RECOVERED/NOT RESOLVED",
    }
    response = coordinator_client.post(url, data)
    assert "Grade 4 is life-threatening" in response.context["form"].errors["aeser"][0]
    with pytest.raises(ValidationError):
        _follow_up(ae, coordinator, aetoxgr=4)
    assert not AdverseEventFollowUp.objects.exists()

    response = coordinator_client.post(url, data | {"aeser": "True"})
    assert "seriousness criterion" in response.context["form"].errors["aeser"][0]
    assert (
        coordinator_client.post(url, data | {"aeser": "True", "aeslife": "on"}).status_code == 302
    )
    ae.refresh_from_db()
    assert (ae.aeser, ae.aeslife) == (True, True)
    assert ae.sae_report is not None


def test_a_grade_4_follow_up_assessed_not_serious_leaves_the_ae_non_serious(subject, coordinator):
    ae = _fever(subject, coordinator)
    _follow_up(ae, coordinator, aetoxgr=4, aeser=False)
    ae.refresh_from_db()
    assert not ae.aeser and ae.sae_report is None


# --- one clock and one alert per serious period -------------------------------------------


def test_an_ae_made_non_serious_and_serious_again_is_alerted_again(
    subject, coordinator, investigator, investigator_client
):
    ae = adverse_events.adverse_event_record(ae=serious_pneumonia(subject), user=coordinator)
    first = ae.sae_report
    ae.aeser = ae.aeshosp = False
    adverse_events.adverse_event_record(ae=ae, user=coordinator, reason="Not admitted after all")
    first.refresh_from_db()
    assert first.ended_at is not None
    assert sae_clocks(investigator) == []
    assert investigator_client.get(reverse("safety:open_saes")).context["clocks"] == []

    ae.aeser = ae.aeshosp = True
    adverse_events.adverse_event_record(ae=ae, user=coordinator, reason="Admitted on day 3")
    second = ae.sae_report
    assert second.pk != first.pk and second.ended_at is None
    assert [n.object_id for n in _alerts(ae).order_by("id")] == [first.pk, second.pk]
    assert outbox_send_due() == {"sent": 2}
    assert [m.to for m in mail.outbox] == [[investigator.email]] * 2
    assert len(sae_clocks(investigator)) == 1
    clocks = investigator_client.get(reverse("safety:open_saes")).context["clocks"]
    assert [c.report for c in clocks] == [second]


def test_open_saes_count_only_aes_serious_now(subject, coordinator, investigator):
    ae = adverse_events.adverse_event_record(ae=serious_pneumonia(subject), user=coordinator)
    assert len(sae_clocks(investigator)) == 1
    ae.aeser = ae.aeshosp = False
    adverse_events.adverse_event_record(ae=ae, user=coordinator, reason="Not serious")
    assert sae_clocks(investigator) == []


def test_two_serious_periods_open_at_once_are_impossible(subject, coordinator):
    from django.db import IntegrityError

    ae = adverse_events.adverse_event_record(ae=serious_pneumonia(subject), user=coordinator)
    with pytest.raises(IntegrityError), transaction.atomic():
        SeriousAdverseEventReport.objects.create(adverse_event=ae, serious_since=timezone.now())


# --- the reported time --------------------------------------------------------------------


def test_the_reported_time_is_not_rewritten_without_a_reason(
    subject, coordinator, investigator, investigator_client
):
    ae = adverse_events.adverse_event_record(ae=serious_pneumonia(subject), user=coordinator)
    report = ae.sae_report
    first = timezone.now() - timedelta(hours=1)
    adverse_events.sae_mark_reported(report=report, user=investigator, reported_at=first)
    with pytest.raises(ValidationError) as refused:
        adverse_events.sae_mark_reported(
            report=report, user=investigator, reported_at=first - timedelta(hours=1)
        )
    assert "reason" in refused.value.message_dict
    report.refresh_from_db()
    assert report.reported_at == first

    url = reverse("safety:sae_mark_reported", args=[ae.pk])
    when = timezone.localtime(first - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = investigator_client.post(url, {"reported_at": when})
    assert "give the reason" in response.context["form"].errors["reason"][0]
    response = investigator_client.post(
        url, {"reported_at": when, "reason": "Fax sent earlier than first entered"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.reported_at < first
    change = report.events.order_by("pgh_id").last()
    assert change.pgh_context["reason"] == "Fax sent earlier than first entered"


# --- the broker down --------------------------------------------------------------------


def test_the_alert_row_is_written_in_the_transaction_of_the_save(
    subject, coordinator, investigator
):
    with transaction.atomic():
        ae = adverse_events.adverse_event_record(ae=serious_pneumonia(subject), user=coordinator)
        assert _alerts(ae).count() == 1  # before commit, nothing sent yet
    assert mail.outbox == []


def test_a_serious_ae_saved_with_the_broker_down_is_saved_and_alerted_later(
    coordinator_client, subject, investigator, django_capture_on_commit_callbacks
):
    from trial_edc.notifications.tasks import outbox_send_rows_task

    down = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    data = {
        "aeterm": "Pneumonia",
        "aestdtc": subject.day1.isoformat(),
        "ongoing": "on",
        "aetoxgr": "3",
        "aeser": "on",
        "aeshosp": "on",
        "aerel": "UNLIKELY RELATED",
        "aeacn": "DRUG INTERRUPTED",
        "aeout": "RECOVERING/RESOLVING",
    }
    with (
        mock.patch.object(outbox_send_rows_task, "apply_async", side_effect=down) as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = coordinator_client.post(
            reverse("safety:adverse_event_create", args=[subject.pk]), data
        )
    assert send.called  # the immediate send was tried, and failed quietly
    ae = AdverseEvent.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("safety:adverse_event_detail", args=[ae.pk])
    assert mail.outbox == []
    assert [n.status for n in _alerts(ae)] == ["pending"]
    # the broker is back: the beat's outbox sender sends the alert
    assert outbox_send_due() == {"sent": 1}
    assert mail.outbox[0].to == [investigator.email]
    assert "Pneumonia" in mail.outbox[0].subject
