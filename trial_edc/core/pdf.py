"""The one way trial-edc makes a PDF: a template rendered to HTML, laid out by WeasyPrint."""

from django.conf import settings
from django.template.loader import render_to_string


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML  # heavy; loaded on the first PDF, not at start-up

    html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
