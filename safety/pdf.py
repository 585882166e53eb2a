"""PDF rendering with WeasyPrint (system pango/cairo); kept to simple table CSS for speed."""

from django.conf import settings
from django.template.loader import render_to_string


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def safety_listing_pdf(listing) -> bytes:
    from safety.listing_text import listing_pages

    return render_pdf(
        "safety/listing_pdf.html", {"listing": listing, "pages": listing_pages(listing.rows)}
    )
