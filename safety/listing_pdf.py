"""The safety listings PDF drawn with ReportLab: the AE listing (the fixed-width lines of
`safety.listing_text`, every AE whole on a page when it fits, the column titles on each page),
then the SAE listing and the summary tables.

WeasyPrint lays out every line and table cell as a box: a 1,000-AE listing took ~4 s, where
drawing the same lines straight onto the pages takes a fraction of that
(benchmarks/pdf_listing.py). The document is laid out first (a list of pages of text runs, so
the page count is known for "n / N" and the characters used for the font subsets), then drawn.
Text is in the language active when it is made, in Noto Sans CJK SC (embedded as a subset,
`trial_edc.core.pdf_text`), and readable by pdftotext."""

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC

from django.utils.translation import gettext as _

from safety.listing_text import _yes_no, header_lines, row_lines
from safety.listings import ListingContext, ListingRow
from trial_edc.core.clock import site_time_label
from trial_edc.core.pdf_text import MONO, SANS, FaceSpec, embedded_fonts, face, wrap

MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = 297 * MM, 210 * MM  # A4 landscape
LEFT, RIGHT = 10 * MM, PAGE_WIDTH - 10 * MM
TOP, BOTTOM = PAGE_HEIGHT - 18 * MM, 14 * MM
WIDTH = RIGHT - LEFT

SMALL = 8  # the running header and footer
BODY, BODY_LEADING = 7.5, 9.5
MONO_SIZE, MONO_LEADING = 8, 9.6  # 176 columns of 4 pt: 704 of the 785 pt between margins


@dataclass
class Run:
    """Text drawn at (x, y), its baseline; `bold` strokes the letters as well."""

    spec: FaceSpec
    size: float
    x: float
    y: float
    text: str
    bold: bool = False


@dataclass
class Page:
    runs: list[Run] = field(default_factory=list)
    shades: list[tuple[float, float, float, float]] = field(default_factory=list)  # x y w h
    rules: list[tuple[float, float, float]] = field(default_factory=list)  # x1 x2 y


class Layout:
    """Pages of text runs, filled from the top; `y` is where the next line starts."""

    def __init__(self):
        self.pages: list[Page] = []
        self.chars: dict[FaceSpec, set[str]] = defaultdict(set)
        self.new_page()

    def new_page(self) -> None:
        self.page = Page()
        self.pages.append(self.page)
        self.y = TOP

    def room(self, height: float) -> bool:
        return self.y - height >= BOTTOM

    def text(self, spec, size, x, y, text, bold=False) -> None:
        self.page.runs.append(Run(spec, size, x, y, text, bold))
        self.chars[spec].update(text)

    def line(self, spec, size, leading, text, bold=False, x=LEFT) -> None:
        if not self.room(leading):
            self.new_page()
        self.text(spec, size, x, self.y - size, text, bold)
        self.y -= leading

    def paragraph(self, text, size=BODY, leading=BODY_LEADING, bold=False, before=0) -> None:
        self.y -= before
        for line in wrap(text, face(SANS), size, WIDTH):
            self.line(SANS, size, leading, line, bold)

    def heading(self, text, size, before=0) -> None:
        if not self.room(before + 3 * size):  # a heading is not left alone at a page's foot
            self.new_page()
        elif self.y < TOP:
            self.y -= before
        self.paragraph(text, size, size * 1.4, bold=True)
        self.y -= 2

    def table(self, headers, rows, fractions, width=WIDTH) -> None:
        """Cells wrapped inside their columns; a row whole on a page, the column titles (if
        any) again on each page."""
        sans, pad = face(SANS), 3
        widths = [f * width for f in fractions]

        def cells(values):
            return [
                wrap(str(v), sans, BODY, w - 2 * pad) for v, w in zip(values, widths, strict=True)
            ]

        def draw(wrapped, shaded=False):
            height = max(len(c) for c in wrapped) * BODY_LEADING + 2 * pad
            if shaded:
                self.page.shades.append((LEFT, self.y - height, width, height))
            x = LEFT
            for lines, w in zip(wrapped, widths, strict=True):
                for i, text in enumerate(lines):
                    y = self.y - pad - i * BODY_LEADING - BODY
                    self.text(SANS, BODY, x + pad, y, text, bold=shaded)
                x += w
            self.y -= height
            self.page.rules.append((LEFT, LEFT + width, self.y))

        head = cells(headers) if headers else None
        head_height = max(len(c) for c in head) * BODY_LEADING + 2 * pad if head else 0
        if not self.room(head_height + 2 * BODY_LEADING):
            self.new_page()
        if head:
            draw(head, shaded=True)
        for values in rows:
            wrapped = cells(values)
            height = max(len(c) for c in wrapped) * BODY_LEADING + 2 * pad
            if not self.room(height):
                self.new_page()
                if head:
                    draw(head, shaded=True)
            draw(wrapped)


def _ae_listing(layout: Layout, rows: list[ListingRow]) -> None:
    titles = header_lines()

    def titles_on_page():
        for text in titles:
            layout.line(MONO, MONO_SIZE, MONO_LEADING, text)

    titles_on_page()
    if not rows:
        layout.line(MONO, MONO_SIZE, MONO_LEADING, _("No adverse events."))
    for r in rows:
        lines = row_lines(r)
        if not layout.room(len(lines) * MONO_LEADING):
            layout.new_page()
            titles_on_page()
        for text in lines:  # a row longer than a page goes on over the next
            if not layout.room(MONO_LEADING):
                layout.new_page()
                titles_on_page()
            layout.line(MONO, MONO_SIZE, MONO_LEADING, text)


def _sae_periods(r: ListingRow) -> tuple[str, str]:
    site = r.ae.subject.site
    since, reported = [], []
    for p in r.sae_periods:
        text = site_time_label(p.serious_since, site)
        if p.ended_at:
            text += " (" + _("ended %(at)s") % {"at": site_time_label(p.ended_at, site)} + ")"
        since.append(text)
        reported.append(site_time_label(p.reported_at, site) or _("not yet"))
    return "\n".join(since) or "–", "\n".join(reported) or _("not yet")


def _sae_listing(layout: Layout, rows: list[ListingRow]) -> None:
    headers = [
        _("Subject"),
        _("AE term"),
        _("Onset"),
        _("Worst grade"),
        _("Criteria"),
        _("Relationship"),
        _("Expected"),
        _("Outcome"),
        _("Serious since (site time)"),
        _("Reported to sponsor (site time)"),
    ]
    table = []
    for r in rows:
        since, reported = _sae_periods(r)
        table.append(
            [
                r.ae.subject.subject_number,
                r.ae.aeterm,
                r.ae.aestdtc.isoformat(),
                r.grade,
                r.criteria,
                r.ae.get_aerel_display(),
                _yes_no(r.ae.expected),
                r.outcome,
                since,
                reported,
            ]
        )
    fractions = [0.07, 0.13, 0.08, 0.05, 0.17, 0.09, 0.07, 0.1, 0.12, 0.12]
    layout.table(headers, table, fractions)
    if not rows:
        layout.paragraph(_("No serious adverse events."), before=3)


def _summary(layout: Layout, listing: ListingContext) -> None:
    s = listing.summary
    half = [0.5, 0.5]
    layout.table(
        None,
        [
            [_("Subjects with at least one AE"), s.subjects_with_ae],
            [_("Adverse events"), s.total],
            [_("Serious adverse events"), s.serious],
            [_("AEs in the 30-day primary safety window"), s.in_window],
        ],
        half,
        width=WIDTH * 0.6,
    )
    sections = [
        (
            _("By worst CTCAE grade"),
            [(_("Grade %(label)s") % {"label": label}, n) for label, n in s.by_grade],
        ),
        (_("By relationship to MSC-exos-P1"), s.by_relationship),
        (_("By system organ class"), s.by_soc or [("–", "")]),
    ]
    for title, counts in sections:
        layout.heading(title, 10, before=10)
        layout.table(None, counts, half, width=WIDTH * 0.6)


def _running_texts(listing: ListingContext) -> tuple[str, str]:
    cut_off = listing.cut_off.astimezone(UTC) if listing.cut_off else None
    left = f"{listing.protocol_id} · {listing.title} · " + _("sites %(sites)s") % {
        "sites": listing.sites
    }
    right = _("Data cut-off %(cut_off)s UTC · generated by %(by)s") % {
        "cut_off": f"{cut_off:%Y-%m-%d %H:%M}" if cut_off else "",
        "by": listing.generated_by,
    }
    return left, right


def layout_listing(listing: ListingContext) -> Layout:
    layout = Layout()
    layout.heading(f"{listing.title} — {listing.protocol_id}", 12)
    layout.paragraph(
        _("Filters: %(filters)s. %(total)s adverse events.")
        % {"filters": listing.filters, "total": listing.summary.total}
    )
    layout.heading(_("AE listing by subject"), 10, before=8)
    layout.paragraph(
        _(
            "Gr = worst CTCAE v5.0 grade after follow-ups (the initial grade in brackets when "
            "it differs); end date and outcome as of the latest follow-up; Exp = expected; "
            "30d = onset in the primary safety window (day 1 to 30 days after the last dose "
            "given)."
        )
    )
    layout.y -= 4
    _ae_listing(layout, listing.rows)

    layout.new_page()
    layout.heading(_("SAE listing"), 10)
    _sae_listing(layout, listing.serious_rows)

    layout.new_page()
    layout.heading(_("Summary"), 10)
    _summary(layout, listing)

    left, right = _running_texts(listing)
    sans = face(SANS)
    total = len(layout.pages)
    for number, page in enumerate(layout.pages, start=1):
        y = PAGE_HEIGHT - 10 * MM
        page.runs.append(Run(SANS, SMALL, LEFT, y, left))
        page.runs.append(Run(SANS, SMALL, RIGHT - sans.width(right, SMALL), y, right))
        folio = f"{number} / {total}"
        page.runs.append(Run(SANS, SMALL, RIGHT - sans.width(folio, SMALL), 7 * MM, folio))
    layout.chars[SANS].update(left + right + "0123456789 /")
    return layout


def draw(layout: Layout, title: str) -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    with embedded_fonts(layout.chars) as names:
        canvas = Canvas(
            out,
            pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
            initialFontName=names[SANS],
            pageCompression=1,
            invariant=False,
        )
        canvas.setTitle(title)
        for page in layout.pages:
            if page.shades:
                canvas.setFillGray(0.91)
                for x, y, w, h in page.shades:
                    canvas.rect(x, y, w, h, stroke=0, fill=1)
                canvas.setFillGray(0)
            canvas.setLineWidth(0.5)
            canvas.setStrokeGray(0.68)
            for x1, x2, y in page.rules:
                canvas.line(x1, y, x2, y)
            canvas.setStrokeGray(0)
            canvas.setLineWidth(0.25)  # the stroke of bold text
            text = canvas.beginText()
            current = None
            for run in page.runs:
                if current != (run.spec, run.size, run.bold):
                    current = (run.spec, run.size, run.bold)
                    text.setFont(names[run.spec], run.size)
                    text.setTextRenderMode(2 if run.bold else 0)
                text.setTextOrigin(run.x, run.y)
                text.textOut(run.text)
            canvas.drawText(text)
            canvas.showPage()
        canvas.save()
    return out.getvalue()


def safety_listing_pdf(listing: ListingContext) -> bytes:
    """The listings PDF: the AE listing, the SAE listing and the summary tables."""
    return draw(layout_listing(listing), f"{listing.title} — {listing.protocol_id}")
