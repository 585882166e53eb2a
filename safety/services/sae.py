"""Serious periods of an AE: each has its own 24-hour clock and its investigators' alert,
written to the notifications outbox in the same transaction as the save that made the AE
serious (the outbox sender dispatches it; nothing here waits on the broker)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy

from safety.models import AdverseEvent, SeriousAdverseEventReport
from safety.selectors import current_state, sae_deadline
from trial_edc.accounts.roles import Role
from trial_edc.audit.services import audit_context
from trial_edc.core.clock import site_time_label, site_today
from trial_edc.core.links import absolute_url
from trial_edc.core.people import staff
from trial_edc.notifications.models import Kind
from trial_edc.notifications.services import notify
from trial_edc.notifications.texts import later


def serious_period_sync(ae: AdverseEvent, *, user) -> list[int]:
    """Open a serious period (clock and alert) when the AE is serious and none is open;
    close the open one when it no longer is. Returns the outbox rows of the alert queued
    for a new period. Called inside the transaction of the save."""
    current = (
        SeriousAdverseEventReport.objects.select_for_update()
        .filter(adverse_event=ae, ended_at__isnull=True)
        .first()
    )
    if ae.aeser and current is None:
        with audit_context(user=user, reason="AE serious: SAE clock started"):
            report = SeriousAdverseEventReport.objects.create(
                adverse_event=ae, serious_since=timezone.now()
            )
        return sae_alert_queue(report)
    if not ae.aeser and current is not None:
        current.ended_at = timezone.now()
        with audit_context(user=user, reason="AE no longer serious: serious period ended"):
            current.save(update_fields=["ended_at"])
    return []


def sae_alert_queue(report: SeriousAdverseEventReport) -> list[int]:
    """Queue the alert of this serious period to the site's investigators (outbox rows, once
    per period: the outbox key is the period and its date); returns the rows' ids."""
    ae = AdverseEvent.objects.select_related("subject__site").get(pk=report.adverse_event_id)
    recipients = list(staff(Role.INVESTIGATOR, site_id=ae.subject.site_id))
    deadline = sae_deadline(report)
    state = current_state(ae)
    rows = notify(
        kind=Kind.SAE_ALERT,
        obj=report,
        for_date=site_today(ae.subject.site, report.serious_since),
        recipients=recipients,
        site_id=ae.subject.site_id,
        subject=later(
            gettext_lazy("SAE at site %(site)s: %(term)s (%(subject)s)"),
            {"site": ae.subject.site.code, "term": ae.aeterm, "subject": ae.subject},
        ),
        body=later(
            gettext_lazy(
                "A serious adverse event was recorded.\n\nSubject: %(subject)s\n"
                "Event: %(term)s, grade %(grade)s, onset %(onset)s\n"
                "Report it to the sponsor before %(deadline)s.\n\n%(url)s"
            ),
            {
                "subject": ae.subject,
                "term": ae.aeterm,
                "grade": state.worst_grade,
                "onset": ae.aestdtc.isoformat(),
                "deadline": site_time_label(deadline, ae.subject.site),
                "url": absolute_url("safety:adverse_event_detail", ae.pk),
            },
        ),
    )
    if report.alert_sent_at is None:
        report.alert_sent_at = timezone.now()
        report.alert_recipients = ", ".join(u.email for u in recipients if u.email)
        with audit_context(user=None, reason="SAE alert queued"):
            report.save(update_fields=["alert_sent_at", "alert_recipients"])
    return rows
