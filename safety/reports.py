"""30-day safety reports: which subjects are due, making the PDF, notifying investigators."""

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from dosing.selectors import last_dose_given
from enrollment.models import Subject
from safety.listing_text import safety_listing_pdf
from safety.listings import ListingFilter, listing_context
from safety.models import SAFETY_REPORT_MOVES, SafetyReport
from safety.rules import primary_safety_window
from trial_edc.accounts.models import Site
from trial_edc.accounts.permissions import require
from trial_edc.accounts.selectors import sites_for
from trial_edc.core.clock import site_today


def subjects_due(today_of=site_today) -> list[Subject]:
    """Subjects whose primary safety window (30 days after the last dose given) has closed
    and who have no subject report yet. Two queries."""
    candidates = (
        Subject.objects.annotate(last_dose_given=last_dose_given("pk"))
        .filter(last_dose_given__isnull=False)
        .exclude(safety_reports__kind=SafetyReport.Kind.SUBJECT)
        .select_related("site")
    )
    due = []
    for subject in candidates:
        window = primary_safety_window(day1=subject.day1, last_dose_given=subject.last_dose_given)
        if window[1] < today_of(subject.site):
            due.append(subject)
    return due


def subject_report_queue(subject: Subject) -> SafetyReport | None:
    """The subject's report row, created once; None if another run already made it."""
    try:
        with transaction.atomic():
            return SafetyReport.objects.create(
                kind=SafetyReport.Kind.SUBJECT, subject=subject, site_codes=subject.site.code
            )
    except IntegrityError:
        return None


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


def report_generate(report: SafetyReport) -> SafetyReport:
    """Make the PDF of a queued report (safe to call twice: a finished report is kept)."""
    with transaction.atomic():
        report = SafetyReport.objects.select_for_update().get(pk=report.pk)
        if report.status == SafetyReport.Status.DONE:
            return report
        SAFETY_REPORT_MOVES.move(report, SafetyReport.Status.RUNNING)
        report.save(update_fields=["status"])
    f = ListingFilter(
        site_codes=tuple(sorted(report.sites)),
        subject_number=report.subject.subject_number if report.subject_id else "",
    )
    cut_off = timezone.now()
    try:
        listing = listing_context(
            user=None,
            f=f,
            generated_by=report.requested_by.printed_name if report.requested_by else "trial-edc",
            cut_off=cut_off,
        )
        listing.title = str(report.get_kind_display())
        pdf = safety_listing_pdf(listing)
    except Exception as exc:
        SAFETY_REPORT_MOVES.move(report, SafetyReport.Status.FAILED)
        report.error = repr(exc)[:2000]
        report.finished_at = timezone.now()
        report.save(update_fields=["status", "error", "finished_at"])
        raise
    name = (
        f"{report.kind}-{report.subject or 'sites-' + report.site_codes}-{cut_off:%Y%m%d%H%M}.pdf"
    )
    report.file.save(name.replace(",", "-"), ContentFile(pdf), save=False)
    SAFETY_REPORT_MOVES.move(report, SafetyReport.Status.DONE)
    report.ae_count = listing.summary.total
    report.finished_at = timezone.now()
    report.save(update_fields=["file", "status", "ae_count", "finished_at"])
    return report


def all_site_codes() -> list[str]:
    return list(Site.objects.filter(is_active=True).values_list("code", flat=True))


def reports_for(user):
    """Reports whose every site is one of the user's."""
    own = set(Site.objects.filter(memberships__user=user).values_list("code", flat=True))
    reports = SafetyReport.objects.select_related("subject", "requested_by").order_by(
        "-created_at", "-id"
    )[:200]
    return [r for r in reports if r.sites and r.sites <= own]
