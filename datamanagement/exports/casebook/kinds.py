"""The two casebook exports made by the worker (registered in `datamanagement.registry`):
one subject's casebook PDF, and every casebook of the chosen sites in one zip. Who may ask:
whoever may ask for an export (`datamanagement.request_export`: the site's investigators,
its monitors — who read every record, audit trail and query of their sites on the pages
already — and data managers), for the sites they see; coordinators do not."""

from django.utils.translation import gettext as _

from datamanagement.exports.casebook import casebook_pdf, site_casebooks_zip
from datamanagement.exports.kinds import ExportFilters, standard_file_name
from enrollment.models import Subject


def _subjects(f: ExportFilters):
    return Subject.objects.filter(site__code__in=f.sites).select_related("site")


def produce_casebook(job, out, progress) -> None:
    """One subject's casebook (the job's subject, at one of the job's sites)."""
    f = ExportFilters.of(job)
    if not f.subject:
        raise ValueError(_("Give the subject number of the casebook."))
    subject = _subjects(f).filter(subject_number=f.subject).first()
    if subject is None:
        raise ValueError(
            _("No subject %(subject)s at the sites of this export.") % {"subject": f.subject}
        )
    progress(0, 1)
    made = casebook_pdf(
        subject,
        language=f.language,
        generated_by=job.requested_by_name,
        identifying=f.identifying,
    )
    out.write(made.pdf)
    progress(1, 1)


def produce_site_casebooks(job, out, progress) -> None:
    """Every casebook of the job's sites (or its one subject), one PDF each, in one zip."""
    f = ExportFilters.of(job)
    subjects = _subjects(f).order_by("subject_number")
    if f.subject:
        subjects = subjects.filter(subject_number=f.subject)
    site_casebooks_zip(
        subjects,
        out,
        progress,
        language=f.language,
        generated_by=job.requested_by_name,
        identifying=f.identifying,
    )


def casebook_file_name(job) -> str:
    return standard_file_name(job, "casebook", "pdf")


def site_casebooks_file_name(job) -> str:
    return standard_file_name(job, "casebooks", "zip")
