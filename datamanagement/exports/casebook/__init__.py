"""Certified-copy casebooks (issue 15, point 4): one PDF/A-3b per subject for the site archive,
with every CRF record as entered, its audit trail, queries, verification and signatures, and
the subject's archival ODM 1.3.2 embedded; its SHA-256 printed in every page's footer.

`casebook_pdf(subject)` makes one; `site_casebooks_zip(site, out, progress)` writes a site's
casebooks into one zip. Both render in the language given (the asker's)."""

import hashlib
import zipfile
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation

from datamanagement.exports.casebook.selectors import Casebook, casebooks, site_time
from trial_edc.core.pdf import PdfAttachment, render_pdf
from trial_edc.study import study

TEMPLATE = "datamanagement/exports/casebook_pdf.html"
PDF_VARIANT = "pdf/a-3b"
SUBJECTS_PER_BATCH = 10  # a site's casebooks are read this many subjects at a time


def archival_odm(subject) -> bytes:
    """The subject's archival ODM 1.3.2 (validated), embedded in the casebook."""
    from datamanagement.exports.odm import archival_for_subject

    return archival_for_subject(subject)


def odm_filename(subject) -> str:
    return f"{subject.subject_number}_archival_odm.xml"


def pdf_filename(subject) -> str:
    return f"{subject.subject_number}_casebook.pdf"


@dataclass(frozen=True)
class Generated:
    pdf: bytes
    odm_sha256: str
    generated_at: datetime


def _render(book: Casebook, *, odm: bytes, now: datetime, generated_by: str) -> Generated:
    digest = hashlib.sha256(odm).hexdigest()
    subject = book.subject
    context = {
        "book": book,
        "study": study(),
        "subject": subject,
        "site": subject.site,
        "generated_utc": f"{now.astimezone(ZoneInfo('UTC')):%Y-%m-%d %H:%M} UTC",
        "generated_site": site_time(now, book.zone),
        "generated_by": generated_by,
        "odm_sha256": digest,
        "odm_filename": odm_filename(subject),
        "zone": book.zone,
        "language": translation.get_language(),
    }
    pdf = render_pdf(
        TEMPLATE,
        context,
        pdf_variant=PDF_VARIANT,
        attachments=[
            PdfAttachment(
                filename=odm_filename(subject),
                content=odm,
                description=f"Archival CDISC ODM 1.3.2 of subject {subject.subject_number}",
            )
        ],
    )
    return Generated(pdf=pdf, odm_sha256=digest, generated_at=now)


def casebook_pdf(
    subject, *, language: str | None = None, generated_by: str = "", identifying: bool = True
) -> Generated:
    """One subject's certified-copy casebook, in `language` (default: the site default);
    without `identifying`, the identifying fields are withheld."""
    with translation.override(language or settings.LANGUAGE_CODE):
        book = casebooks([subject.pk], identifying=identifying)[subject.pk]
        return _render(
            book, odm=archival_odm(book.subject), now=timezone.now(), generated_by=generated_by
        )


def site_casebooks_zip(
    subjects,
    out,
    progress=None,
    *,
    language: str | None = None,
    generated_by: str = "",
    identifying: bool = True,
) -> list[tuple[str, str]]:
    """Write the casebook of each subject (a queryset or list, e.g. a site's) into the zip
    `out` (a binary file), one PDF per subject; `progress(done, total)` after each. Returns
    (file name, SHA-256 of the embedded ODM) per subject."""
    subjects = list(subjects)
    total = len(subjects)
    written = []
    with (
        translation.override(language or settings.LANGUAGE_CODE),
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        for start in range(0, total, SUBJECTS_PER_BATCH):
            batch = subjects[start : start + SUBJECTS_PER_BATCH]
            books = casebooks([s.pk for s in batch], identifying=identifying)
            for subject in batch:
                book = books[subject.pk]
                made = _render(
                    book,
                    odm=archival_odm(book.subject),
                    now=timezone.now(),
                    generated_by=generated_by,
                )
                name = pdf_filename(subject)
                archive.writestr(name, made.pdf)
                written.append((name, made.odm_sha256))
                if progress is not None:
                    progress(len(written), total)
    return written
