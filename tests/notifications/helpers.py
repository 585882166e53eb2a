from datetime import timedelta

from django.utils import timezone

from dosing.models import DoseAdministration
from dosing.services import dose_record
from enrollment.models import SubjectVisit
from portal.demo.treatment import serious_pneumonia
from safety.models import AdverseEvent, VitalSigns
from safety.services import adverse_events
from safety.services.vitals import vitals_record
from trial_edc.audit.services import audit_context
from trial_edc.notifications.models import Notification


def rows(**filters):
    """(kind, recipient username, for_date, status) of the outbox rows, sorted."""
    return sorted(
        Notification.objects.filter(**filters).values_list(
            "kind", "recipient__username", "for_date", "status"
        )
    )


def visit_done(visit: SubjectVisit, user) -> None:
    """What the visit forms (issue 6) do once a visit's required forms are saved."""
    with audit_context(user=user, reason="visit forms complete"):
        SubjectVisit.objects.filter(pk=visit.pk).update(outcome=SubjectVisit.Outcome.DONE)


def dose_not_given(subject, day: int, user):
    return dose_record(
        dose=DoseAdministration(
            subject=subject,
            study_day=day,
            date=subject.day1 + timedelta(days=day - 1),
            status="not_given",
            reason_not_completed="Fever 38.9 °C",
        ),
        user=user,
    )


def vitals_now(subject, user):
    return vitals_record(
        vitals=VitalSigns(
            subject=subject, measured_at=timezone.now() - timedelta(seconds=1), hr=80, oxysat=95
        ),
        user=user,
    )


def serious_ae(subject, user) -> AdverseEvent:
    """A serious AE whose immediate alert (queued in the outbox with the save) has gone out,
    as the send after commit does."""
    from safety.tasks import sae_alert_send

    ae = adverse_events.adverse_event_record(ae=serious_pneumonia(subject), user=user)
    sae_alert_send(ae.sae_report.pk)
    return ae


def subject_died(subject, user):
    """A fatal pneumonia yesterday, and the death recorded (the end of study)."""
    from safety.services.death import death_record
    from trial_edc.core.clock import site_today

    yesterday = site_today(subject.site) - timedelta(days=1)
    ae = adverse_events.adverse_event_record(
        ae=serious_pneumonia(
            subject, aetoxgr=5, aesdth=True, aeout="FATAL", ongoing=False, aeendtc=yesterday
        ),
        user=user,
    )
    death_record(
        subject=subject, user=user, died_on=yesterday, cause="Respiratory failure", adverse_event=ae
    )
    return subject


def sae_reminders_run(now):
    """Only the SAE reminders due at `now` (a full run at an arbitrary moment also finds the
    visit windows of that hour, which depend on the time of day the suite runs)."""
    from safety.reminders import SAES
    from trial_edc.core.people import staff_by_site
    from trial_edc.notifications.reminders import site_days
    from trial_edc.notifications.services import notifications_queue

    days = site_days(now)
    notifications_queue(SAES.due(now, days, staff_by_site([d.site for d in days])))
