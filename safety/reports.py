"""30-day safety reports: which subjects are due, making the PDF, notifying investigators."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation

from dosing.selectors import last_day_recorded, last_dose_given
from enrollment.models import Subject
from enrollment.schedule.rules import treatment_over
from safety.listing_pdf import safety_listing_pdf
from safety.listings import ListingFilter, listing_context
from safety.models import SAFETY_REPORT_MOVES, SafetyReport
from safety.rules import report_claimable, subject_report_due
from trial_edc.accounts.models import Site
from trial_edc.accounts.permissions import require
from trial_edc.accounts.selectors import sites_for
from trial_edc.core.clock import site_today


def subjects_due(today_of=site_today, now=None) -> list[Subject]:
    """Subjects whose treatment is over and whose primary safety window (30 days after the
    last dose given) has closed (`rules.subject_report_due`), and whose report is still to
    be made: none yet, failed, or running past SAFETY_REPORT_STUCK_AFTER. Two queries."""
    now = now or timezone.now()
    taken = SafetyReport.objects.filter(
        Q(status=SafetyReport.Status.DONE)
        | Q(
            status=SafetyReport.Status.RUNNING,
            claimed_at__gte=now - settings.SAFETY_REPORT_STUCK_AFTER,
        ),
        kind=SafetyReport.Kind.SUBJECT,
    )
    candidates = (
        Subject.objects.annotate(
            last_dose_given=last_dose_given("pk"), last_day_recorded=last_day_recorded("pk")
        )
        .filter(last_dose_given__isnull=False)
        .exclude(pk__in=taken.values("subject"))
        .select_related("site")
    )
    due = []
    for subject in candidates:
        today = today_of(subject.site)
        over = treatment_over(
            day1=subject.day1,
            today=today,
            ended_on=subject.ended_on,
            last_day_recorded=subject.last_day_recorded,
        )
        if subject_report_due(
            day1=subject.day1,
            last_dose_given=subject.last_dose_given,
            treatment_over=over,
            today=today,
        ):
            due.append(subject)
    return due


def subject_report_queue(subject: Subject) -> SafetyReport:
    """The subject's one report row: made the first time, the same row after (a failed or
    stuck report is made again on it)."""
    try:
        with transaction.atomic():
            return SafetyReport.objects.get_or_create(
                kind=SafetyReport.Kind.SUBJECT,
                subject=subject,
                defaults={"site_codes": subject.site.code},
            )[0]
    except IntegrityError:  # another run made it at the same moment
        return SafetyReport.objects.get(kind=SafetyReport.Kind.SUBJECT, subject=subject)


def cumulative_report_queue(*, site_codes: list[str], requested_by=None) -> SafetyReport:
    """A cumulative report of these sites, made by the worker (`requested_by` None: the
    weekly beat task)."""
    require(requested_by, "safety.download_listing")
    if requested_by is not None and set(site_codes) - set(
        sites_for(requested_by).values_list("code", flat=True)
    ):
        raise PermissionDenied
    return SafetyReport.objects.create(
        kind=SafetyReport.Kind.CUMULATIVE,
        site_codes=",".join(sorted(site_codes)),
        requested_by=requested_by,
    )


def report_claim(report: SafetyReport, now=None) -> SafetyReport | None:
    """Take the report up for this run (running, claimed now), under its row lock; None if
    it is done or another run is making it (`rules.report_claimable`)."""
    now = now or timezone.now()
    with transaction.atomic():
        report = SafetyReport.objects.select_for_update().get(pk=report.pk)
        if not report_claimable(
            status=report.status,
            claimed_at=report.claimed_at,
            now=now,
            stuck_after=settings.SAFETY_REPORT_STUCK_AFTER,
        ):
            return None
        SAFETY_REPORT_MOVES.move(report, SafetyReport.Status.RUNNING)
        report.claimed_at = now
        report.save(update_fields=["status", "claimed_at"])
    return report


def report_language(report: SafetyReport) -> str:
    """The language a report is made in: its requester's; a subject's report (made by the
    worker for the site's archive) in its site's language; else the installation's."""
    if report.requested_by_id:
        return report.requested_by.preferred_language
    if report.subject_id:
        return report.subject.site.language
    site = Site.objects.filter(code__in=report.sites).order_by("code").first()
    return site.language if site else settings.LANGUAGE_CODE


def report_make(report: SafetyReport) -> SafetyReport | None:
    """Make the PDF of a queued, failed or stuck report; None if this run did not make it
    (done already, or being made by another run). Exactly one PDF is kept: a run that finds
    the report done when it finishes (another took it over meanwhile) drops its own."""
    report = report_claim(report)
    if report is None:
        return None
    f = ListingFilter(
        site_codes=tuple(sorted(report.sites)),
        subject_number=report.subject.subject_number if report.subject_id else "",
    )
    cut_off = timezone.now()
    try:
        with translation.override(report_language(report)):
            listing = listing_context(
                user=None,
                f=f,
                generated_by=(
                    report.requested_by.printed_name if report.requested_by else "trial-edc"
                ),
                cut_off=cut_off,
            )
            listing.title = str(report.get_kind_display())
            pdf = safety_listing_pdf(listing)
    except Exception as exc:
        with transaction.atomic():
            current = SafetyReport.objects.select_for_update().get(pk=report.pk)
            if current.status == SafetyReport.Status.RUNNING and (
                current.claimed_at == report.claimed_at
            ):  # still this run's: kept failed, with its error, for the next run
                SAFETY_REPORT_MOVES.move(current, SafetyReport.Status.FAILED)
                current.error = repr(exc)[:2000]
                current.finished_at = timezone.now()
                current.save(update_fields=["status", "error", "finished_at"])
        raise
    name = (
        f"{report.kind}-{report.subject or 'sites-' + report.site_codes}-{cut_off:%Y%m%d%H%M}.pdf"
    )
    with transaction.atomic():
        current = SafetyReport.objects.select_for_update().get(pk=report.pk)
        if current.status == SafetyReport.Status.DONE:
            return None  # another run finished it first: its PDF is the report
        current.file.save(name.replace(",", "-"), ContentFile(pdf), save=False)
        SAFETY_REPORT_MOVES.move(current, SafetyReport.Status.DONE)
        current.ae_count = listing.summary.total
        current.error = ""
        current.finished_at = timezone.now()
        current.save(update_fields=["file", "status", "ae_count", "error", "finished_at"])
    return current


def report_generate(report: SafetyReport) -> SafetyReport:
    """Make the PDF of a report if it is to be made (safe to call twice: a finished report,
    or one another run is making, is left as it is); the report as it stands after."""
    return report_make(report) or SafetyReport.objects.get(pk=report.pk)


def all_site_codes() -> list[str]:
    return list(Site.objects.filter(is_active=True).values_list("code", flat=True))


def reports_for(user):
    """Reports whose every site is one of the user's."""
    own = set(Site.objects.filter(memberships__user=user).values_list("code", flat=True))
    reports = SafetyReport.objects.select_related("subject", "requested_by").order_by(
        "-created_at", "-id"
    )[:200]
    return [r for r in reports if r.sites and r.sites <= own]
