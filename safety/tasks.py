"""Safety tasks: take ids, load fresh state, are safe to run twice."""

import logging
from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safety import reports
from safety.models import SafetyReport, SeriousAdverseEventReport
from safety.selectors import sae_deadline
from trial_edc.accounts.roles import Role
from trial_edc.audit.services import audit_context
from trial_edc.core.clock import site_today
from trial_edc.core.links import absolute_url
from trial_edc.core.people import staff
from trial_edc.notifications.models import Kind
from trial_edc.notifications.services import notify, outbox_send

logger = logging.getLogger(__name__)


@shared_task(
    name="safety.sae_alert_send",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=8,
)
def sae_alert_send(report_id: int) -> bool:
    """Alert the site's investigators about a new SAE, once; True if this run queued it.

    The alert goes through the outbox and is sent at once; if the mail server is down it
    stays there and the outbox sender retries it."""
    with transaction.atomic():
        report = (
            SeriousAdverseEventReport.objects.select_for_update()
            .select_related("adverse_event__subject__site")
            .get(pk=report_id)
        )
        if report.alert_sent_at is not None:
            return False
        ae = report.adverse_event
        recipients = list(staff(Role.INVESTIGATOR, site_id=ae.subject.site_id))
        deadline = sae_deadline(report)
        rows = notify(
            kind=Kind.SAE_ALERT,
            obj=report,
            for_date=site_today(ae.subject.site, report.serious_since),
            recipients=recipients,
            site_id=ae.subject.site_id,
            subject=_("SAE at site %(site)s: %(term)s (%(subject)s)")
            % {"site": ae.subject.site.code, "term": ae.aeterm, "subject": ae.subject},
            body=_(
                "A serious adverse event was recorded.\n\nSubject: %(subject)s\n"
                "Event: %(term)s, grade %(grade)s, onset %(onset)s\n"
                "Report it to the sponsor before %(deadline)s UTC.\n\n%(url)s"
            )
            % {
                "subject": ae.subject,
                "term": ae.aeterm,
                "grade": ae.aetoxgr,
                "onset": ae.aestdtc.isoformat(),
                "deadline": f"{deadline:%Y-%m-%d %H:%M}",
                "url": absolute_url("safety:adverse_event_detail", ae.pk),
            },
        )
        report.alert_sent_at = timezone.now()
        report.alert_recipients = ", ".join(u.email for u in recipients)
        with audit_context(user=None, reason="SAE alert queued"):
            report.save(update_fields=["alert_sent_at", "alert_recipients"])
    outbox_send(rows)
    return True


@shared_task(name="safety.safety_reports_due")
def safety_reports_due() -> list[int]:
    """Daily: queue and make the 30-day report of each subject whose window has closed.

    Run twice, or by two workers at once, it makes each subject's report once."""
    made = []
    for subject in reports.subjects_due():
        report = reports.subject_report_queue(subject)
        if report is not None:
            reports.report_generate(report)
            made.append(report.pk)
    # the notice of every finished subject report: queued once (the outbox key holds the
    # report and its date), so a worker that died between report and notice catches up
    finished = SafetyReport.objects.filter(
        kind=SafetyReport.Kind.SUBJECT, status=SafetyReport.Status.DONE
    ).select_related("subject__site")
    for report in finished.filter(finished_at__gte=timezone.now() - timedelta(days=7)):
        _notify_investigators(report)
    return made


@shared_task(name="safety.safety_report_generate")
def safety_report_generate(report_id: int) -> int:
    return reports.report_generate(SafetyReport.objects.get(pk=report_id)).pk


# a queued report's own task has had this long to start before the beat task makes it
QUEUED_GRACE = timedelta(minutes=1)


@shared_task(name="safety.safety_reports_queued")
def safety_reports_queued() -> list[int]:
    """Every minute: make the reports still queued a minute after they were asked for (their
    own task never reached a worker: Redis was down, or the message was lost)."""
    waiting = SafetyReport.objects.filter(
        status=SafetyReport.Status.QUEUED, created_at__lt=timezone.now() - QUEUED_GRACE
    ).order_by("created_at", "pk")
    made = []
    for report in waiting:
        try:
            made.append(reports.report_generate(report).pk)
        except Exception:  # kept on the report (failed, with its error); the others go on
            logger.exception("safety report %s failed", report.pk)
    return made


@shared_task(name="safety.safety_report_cumulative_weekly")
def safety_report_cumulative_weekly() -> int:
    report = reports.cumulative_report_queue(site_codes=reports.all_site_codes())
    return reports.report_generate(report).pk


def _notify_investigators(report) -> None:
    rows = notify(
        kind=Kind.SAFETY_REPORT,
        obj=report,
        for_date=site_today(report.subject.site, report.finished_at),
        recipients=staff(Role.INVESTIGATOR, site_id=report.subject.site_id),
        site_id=report.subject.site_id,
        subject=_("30-day safety report ready: %(subject)s") % {"subject": report.subject},
        body=_("The 30-day safety report of %(subject)s is ready: %(url)s")
        % {"subject": report.subject, "url": absolute_url("safety:safety_reports")},
    )
    outbox_send(rows)
