"""The AE listing laid out as fixed-width text (the style of SAS listings).

WeasyPrint lays out table cells one by one; a 1,000-AE listing as a 12-column table takes
over 10 s here, the same rows as preformatted text about 1.5 s (benchmarks/pdf_listing.py).
Each AE takes one or more lines, wrapped inside its columns, then a line with its signature.
"""

import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from safety.listings import ListingRow
from trial_edc.core.pdf import render_pdf


@dataclass(frozen=True)
class Column:
    title: str
    width: int
    value: Callable[[ListingRow], str]


def _serious(r: ListingRow) -> str:
    return f"Yes: {r.criteria}" if r.ae.aeser else "No"


def _period(r: ListingRow) -> str:
    return f"{r.ae.aestdtc.isoformat()} / {r.end}"


COLUMNS = [
    Column("Subject", 7, lambda r: r.ae.subject.subject_number),
    Column("AE term", 24, lambda r: r.ae.aeterm),
    Column("System organ class", 24, lambda r: r.ae.soc or "-"),
    Column("Onset / end", 23, _period),
    Column("Gr", 5, lambda r: r.grade),
    Column("Serious (criteria)", 22, _serious),
    Column("Relationship", 12, lambda r: r.ae.get_aerel_display()),
    Column("Exp", 3, lambda r: "Yes" if r.ae.expected else "No"),
    Column("Action", 12, lambda r: r.ae.get_aeacn_display()),
    Column("Outcome", 19, lambda r: r.outcome),
    Column("30d", 3, lambda r: "Yes" if r.derived.in_safety_window else "No"),
]
GAP = "  "
LINES_PER_PAGE = 56


def header_lines() -> list[str]:
    titles = GAP.join(c.title.ljust(c.width) for c in COLUMNS)
    return [titles, "-" * len(titles)]


def row_lines(r: ListingRow) -> list[str]:
    wrapped = [textwrap.wrap(c.value(r), c.width) or [""] for c in COLUMNS]
    height = max(len(w) for w in wrapped)
    lines = [
        GAP.join(
            (w[i] if i < len(w) else "").ljust(c.width)
            for c, w in zip(COLUMNS, wrapped, strict=True)
        ).rstrip()
        for i in range(height)
    ]
    s = r.signature
    signed = f"{s.printed_name}, {s.signed_at:%Y-%m-%d %H:%M} UTC: {s.meaning}" if s else "unsigned"
    lines.append(f"{'':7}{GAP}Signature: {signed}")
    return lines


def listing_pages(rows: list[ListingRow]) -> list[str]:
    """Page-sized blocks of text, each starting with the column titles."""
    pages, current = [], []
    for r in rows:
        lines = row_lines(r)
        if current and len(current) + len(lines) > LINES_PER_PAGE:
            pages.append("\n".join(header_lines() + current))
            current = []
        current.extend(lines)
    if current or not pages:
        pages.append("\n".join(header_lines() + (current or ["No adverse events."])))
    return pages


def safety_listing_pdf(listing) -> bytes:
    """The listings PDF: the AE listing as fixed-width text pages, the SAE and summary tables."""
    return render_pdf(
        "safety/listing_pdf.html", {"listing": listing, "pages": listing_pages(listing.rows)}
    )
