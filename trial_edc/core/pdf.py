"""The usual way trial-edc makes a PDF: a template rendered to HTML, laid out by WeasyPrint.
(A listing of thousands of rows is drawn with ReportLab instead, its text and fonts through
`trial_edc.core.pdf_text`: WeasyPrint lays out every line as a box, too slowly for that.)

A PDF is in the language active when it is made: the asker's (a view, under the request's
language) or the one a task carries. Chinese needs a CJK font installed (Debian's
fonts-noto-cjk): every PDF stylesheet names "Noto Sans CJK SC" after its Latin font, and the
base stylesheet below does so for anything a template leaves unstyled."""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

# the Latin font first (its digits and letters), then the Chinese one for what it lacks
FONT_FAMILY = '"DejaVu Sans", "Noto Sans CJK SC", sans-serif'
MONO_FONT_FAMILY = '"DejaVu Sans Mono", "Noto Sans Mono CJK SC", monospace'
BASE_CSS = (
    f"html {{ font-family: {FONT_FAMILY}; }} pre, code {{ font-family: {MONO_FONT_FAMILY}; }}"
)


@dataclass(frozen=True)
class PdfAttachment:
    """A file embedded in the PDF (PDF/A-3 allows it: e.g. the data the PDF prints)."""

    filename: str
    content: bytes
    description: str = ""
    relationship: str = "Source"  # PDF/A-3 AFRelationship: Source, Data, Supplement, ...


def render_pdf(
    template: str,
    context: dict,
    *,
    pdf_variant: str | None = None,
    attachments: tuple[PdfAttachment, ...] | list[PdfAttachment] = (),
) -> bytes:
    """`pdf_variant` e.g. "pdf/a-3b" (an archival PDF, which may embed `attachments`)."""
    from weasyprint import CSS, HTML, Attachment  # heavy; loaded on the first PDF, not at start-up

    html = render_to_string(template, context)
    options = {}
    if pdf_variant:
        options["pdf_variant"] = pdf_variant
    if attachments:
        options["attachments"] = [
            Attachment(
                string=a.content,
                name=a.filename,
                description=a.description or a.filename,
                relationship=a.relationship,
            )
            for a in attachments
        ]
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[CSS(string=BASE_CSS)], **options
    )
