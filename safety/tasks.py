"""Safety tasks: take ids, load fresh state, are safe to run twice."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from safety import reports
from safety.models import SafetyReport, SeriousAdverseEventReport
from safety.services.sae import sae_alert_queue
from trial_edc.accounts.roles import Role
from trial_edc.core.clock import site_today
from trial_edc.core.links import absolute_url
from trial_edc.core.people import staff
from trial_edc.notifications.models import Kind, Notification
from trial_edc.notifications.services import notify, outbox_send
from trial_edc.notifications.texts import later

logger = logging.getLogger(__name__)


@shared_task(
    name="safety.sae_alert_send",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=8,
)
def sae_alert_send(report_id: int) -> int:
    """Send the pending alert of a serious period now; returns how many rows were sent.

    The alert was queued in the outbox with the save that made the AE serious; this only
    sends it sooner than the outbox sender's next run. Safe to run twice: a sent row is not
    pending any more. (A period without its alert rows, from before the outbox held them,
    gets them here.)"""
    with transaction.atomic():
        report = SeriousAdverseEventReport.objects.select_for_update().get(pk=report_id)
        rows = sae_alert_queue(report)
    pending = Notification.objects.filter(pk__in=rows, status=Notification.Status.PENDING)
    ids = list(pending.values_list("pk", flat=True))
    outbox_send(ids)
    return Notification.objects.filter(pk__in=ids, status=Notification.Status.SENT).count()


@shared_task(name="safety.safety_reports_due")
def safety_reports_due() -> list[int]:
    """Daily: queue and make the 30-day report of each subject whose treatment is over and
    whose window has closed; a report that failed, or whose worker died while making it, is
    made again on its row until one is done.

    Run twice, or by two workers at once, it makes each subject's report once."""
    made = []
    for subject in reports.subjects_due():
        report = reports.subject_report_queue(subject)
        try:
            if reports.report_make(report) is not None:
                made.append(report.pk)
        except Exception:  # kept on the report (failed, with its error); the next run retries
            logger.exception("30-day report %s of %s failed", report.pk, subject)
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
    own task never reached a worker: Redis was down, or the message was lost), and those
    running past SAFETY_REPORT_STUCK_AFTER (their worker died)."""
    now = timezone.now()
    waiting = SafetyReport.objects.filter(
        Q(status=SafetyReport.Status.QUEUED, created_at__lt=now - QUEUED_GRACE)
        | Q(
            status=SafetyReport.Status.RUNNING,
            claimed_at__lt=now - settings.SAFETY_REPORT_STUCK_AFTER,
        )
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
        subject=later(
            gettext_lazy("30-day safety report ready: %(subject)s"), {"subject": report.subject}
        ),
        body=later(
            gettext_lazy("The 30-day safety report of %(subject)s is ready: %(url)s"),
            {"subject": report.subject, "url": absolute_url("safety:safety_reports")},
        ),
    )
    outbox_send(rows)
