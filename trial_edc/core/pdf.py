"""The one way trial-edc makes a PDF: a template rendered to HTML, laid out by WeasyPrint.

A PDF is in the language active when it is made: the asker's (a view, under the request's
language) or the one a task carries. Chinese needs a CJK font installed (Debian's
fonts-noto-cjk): every PDF stylesheet names "Noto Sans CJK SC" after its Latin font, and the
base stylesheet below does so for anything a template leaves unstyled."""

from django.conf import settings
from django.template.loader import render_to_string

# the Latin font first (its digits and letters), then the Chinese one for what it lacks
FONT_FAMILY = '"DejaVu Sans", "Noto Sans CJK SC", sans-serif'
MONO_FONT_FAMILY = '"DejaVu Sans Mono", "Noto Sans Mono CJK SC", monospace'
BASE_CSS = (
    f"html {{ font-family: {FONT_FAMILY}; }} pre, code {{ font-family: {MONO_FONT_FAMILY}; }}"
)


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import CSS, HTML  # heavy; loaded on the first PDF, not at start-up

    html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[CSS(string=BASE_CSS)]
    )
