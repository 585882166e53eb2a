"""The AE listing laid out as fixed-width text (the style of SAS listings).

Each AE takes one or more lines, wrapped inside its columns, then its narrative (if any) and
its signature, wrapped to the listing's width. `safety.listing_pdf` draws these lines onto
the PDF's pages in a monospaced font (Noto Sans Mono CJK SC: a Chinese character is exactly
two Latin letters wide, so the columns line up in both scripts).
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safety.listings import ListingRow
from trial_edc.core.clock import site_time_label


@dataclass(frozen=True)
class Column:
    title: str
    width: int
    value: Callable[[ListingRow], str]


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _serious(r: ListingRow) -> str:
    return _("Yes: %(criteria)s") % {"criteria": r.criteria} if r.ae.aeser else _("No")


def _period(r: ListingRow) -> str:
    return f"{r.ae.aestdtc.isoformat()} / {r.end}"


# widths in columns of the monospaced font: a Chinese character takes two
COLUMNS = [
    Column(gettext_lazy("Subject"), 7, lambda r: r.ae.subject.subject_number),
    Column(gettext_lazy("AE term"), 24, lambda r: r.ae.aeterm),
    Column(gettext_lazy("System organ class"), 24, lambda r: r.ae.soc or "-"),
    Column(gettext_lazy("Onset / end"), 23, _period),
    Column(gettext_lazy("Gr"), 5, lambda r: r.grade),
    Column(gettext_lazy("Serious (criteria)"), 22, _serious),
    Column(gettext_lazy("Relationship"), 12, lambda r: r.ae.get_aerel_display()),
    Column(gettext_lazy("Exp"), 4, lambda r: _yes_no(r.ae.expected)),
    Column(gettext_lazy("Action"), 12, lambda r: r.ae.get_aeacn_display()),
    Column(gettext_lazy("Outcome"), 19, lambda r: r.outcome),
    Column(gettext_lazy("30d"), 4, lambda r: _yes_no(r.derived.in_safety_window)),
]
GAP = "  "
LINES_PER_PAGE = 56
# the whole line, and the indent of the narrative and signature under the subject column
LINE_WIDTH = sum(c.width for c in COLUMNS) + len(GAP) * (len(COLUMNS) - 1)
INDENT = " " * (COLUMNS[0].width + len(GAP))


def width(text: str) -> int:
    """Columns a text takes in the monospaced font: two for a wide (Chinese) character."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(columns - width(text), 0)


# a word of Latin letters or digits stays whole; Chinese breaks between any two characters
_PIECE = re.compile(r"\s+|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+|.")


def wrap(text: str, columns: int) -> list[str]:
    """Lines of at most `columns` columns, broken at spaces or between Chinese characters
    (a Latin word longer than a line is cut)."""
    lines, line = [], ""
    for piece in _PIECE.findall(text):
        if piece.isspace():
            piece = " "
            if not line:
                continue
        while width(piece) > columns:  # a word longer than a line
            room = columns - width(line)
            cut = 0
            while cut < len(piece) and width(piece[: cut + 1]) <= room:
                cut += 1
            if cut == 0:
                lines.append(line.rstrip())
                line = ""
                continue
            lines.append(line + piece[:cut])
            line, piece = "", piece[cut:]
        if width(line) + width(piece) > columns:
            lines.append(line.rstrip())
            line = "" if piece == " " else piece
        else:
            line += piece
    if line.strip():
        lines.append(line.rstrip())
    return lines


def header_lines() -> list[str]:
    titles = GAP.join(pad(str(c.title), c.width) for c in COLUMNS)
    return [titles, "-" * width(titles)]


def row_lines(r: ListingRow) -> list[str]:
    wrapped = [wrap(str(c.value(r)), c.width) or [""] for c in COLUMNS]
    height = max(len(w) for w in wrapped)
    lines = [
        GAP.join(
            pad(w[i] if i < len(w) else "", c.width) for c, w in zip(COLUMNS, wrapped, strict=True)
        ).rstrip()
        for i in range(height)
    ]
    if r.ae.narrative.strip():
        lines += _indented(_("Narrative: %(text)s") % {"text": r.ae.narrative.strip()})
    s = r.signature
    signed = (
        f"{s.printed_name}, {site_time_label(s.signed_at, r.ae.subject.site)}: {s.meaning}"
        if s
        else _("unsigned")
    )
    lines += _indented(_("Signature: %(signed)s") % {"signed": signed})
    return lines


def _indented(text: str) -> list[str]:
    """A text under the row, wrapped to the listing's width, each line indented."""
    return [
        INDENT + line
        for paragraph in text.splitlines()
        for line in wrap(paragraph, LINE_WIDTH - len(INDENT)) or [""]
    ]


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
        pages.append("\n".join(header_lines() + (current or [_("No adverse events.")])))
    return pages
