"""Text in PDFs drawn with ReportLab, Chinese included: the Noto CJK fonts measured, wrapped
and embedded as a subset of the characters each PDF uses.

Debian's fonts-noto-cjk ships the fonts as a .ttc collection with CFF (PostScript) outlines,
which ReportLab cannot embed: for each PDF the glyphs of its characters are converted to
TrueType outlines (fontTools' cu2qu) and built into a small TrueType font (fontTools'
FontBuilder) that ReportLab embeds. The collection is opened once per process and converted
glyphs are kept, so a PDF pays only for characters no PDF before it used. The fonts' own
names are kept ("NotoSansCJKsc-Regular"), as `pdffonts` shows them.

Every face covers Latin letters and digits as well, so a line is drawn in one font."""

import io
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FONT_DIRS = (
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/opentype/noto-cjk"),
    Path("/usr/local/share/fonts"),
)


@dataclass(frozen=True)
class FaceSpec:
    filename: str
    postscript_name: str


SANS = FaceSpec("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular")
SANS_BOLD = FaceSpec("NotoSansCJK-Bold.ttc", "NotoSansCJKsc-Bold")
# Latin letters exactly half a Chinese character wide: columns line up in both scripts
MONO = FaceSpec("NotoSansCJK-Regular.ttc", "NotoSansMonoCJKsc-Regular")


class FontMissing(RuntimeError):
    pass


class Face:
    """One face of a collection: its metrics, and TrueType subsets of it."""

    def __init__(self, spec: FaceSpec):
        from fontTools.ttLib import TTCollection

        path = next((d / spec.filename for d in FONT_DIRS if (d / spec.filename).exists()), None)
        if path is None:
            raise FontMissing(
                f"{spec.filename} not found in {', '.join(map(str, FONT_DIRS))}: "
                "install Debian's fonts-noto-cjk"
            )
        fonts = TTCollection(str(path), lazy=True).fonts
        font = next((f for f in fonts if f["name"].getDebugName(6) == spec.postscript_name), None)
        if font is None:
            raise FontMissing(f"{spec.postscript_name} is not in {path}")
        self.spec = spec
        self.font = font
        self.units = font["head"].unitsPerEm
        self.cmap = font.getBestCmap()
        self.metrics = font["hmtx"].metrics
        self.glyphs = font.getGlyphSet()
        self._advance: dict[str, float] = {}  # per character, in 1/1000 em
        self._outlines: dict = {}  # glyph name -> TrueType glyph
        self._lock = threading.Lock()

    def advance(self, ch: str) -> float:
        try:
            return self._advance[ch]
        except KeyError:
            name = self.cmap.get(ord(ch), ".notdef")
            value = self.metrics[name][0] * 1000 / self.units
            self._advance[ch] = value
            return value

    def width(self, text: str, size: float) -> float:
        """The width of `text` in points at `size`."""
        advance = self._advance
        try:
            return sum(advance[ch] for ch in text) * size / 1000
        except KeyError:
            return sum(self.advance(ch) for ch in text) * size / 1000

    def _outline(self, name: str):
        from fontTools.pens.cu2quPen import Cu2QuPen
        from fontTools.pens.ttGlyphPen import TTGlyphPen

        glyph = self._outlines.get(name)
        if glyph is None:
            pen = TTGlyphPen(None)
            # CFF contours run the other way round from TrueType's
            self.glyphs[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
            glyph = self._outlines[name] = pen.glyph()
        return glyph

    def subset(self, chars: Iterable[str]) -> bytes:
        """A TrueType font with the glyphs of `chars` (those the face has) and .notdef."""
        from fontTools.fontBuilder import FontBuilder

        source = self.font
        cmap = {ord(ch): self.cmap[ord(ch)] for ch in set(chars) | {" "} if ord(ch) in self.cmap}
        order = [".notdef", *sorted(set(cmap.values()) - {".notdef"})]
        with self._lock:
            outlines = {name: self._outline(name) for name in order}
        builder = FontBuilder(self.units, isTTF=True)
        builder.setupGlyphOrder(order)
        builder.setupCharacterMap(cmap)
        builder.setupGlyf(outlines)
        builder.setupHorizontalMetrics({name: self.metrics[name] for name in order})
        hhea = source["hhea"]
        builder.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent)
        name = source["name"]
        builder.setupNameTable(
            {
                "familyName": name.getDebugName(1),
                "styleName": name.getDebugName(2),
                "uniqueFontIdentifier": name.getDebugName(3),
                "fullName": name.getDebugName(4),
                "psName": self.spec.postscript_name,
                "version": name.getDebugName(5),
            }
        )
        os2 = source["OS/2"]
        builder.setupOS2(
            sTypoAscender=os2.sTypoAscender,
            sTypoDescender=os2.sTypoDescender,
            sTypoLineGap=os2.sTypoLineGap,
            usWinAscent=os2.usWinAscent,
            usWinDescent=os2.usWinDescent,
            sxHeight=getattr(os2, "sxHeight", 0),
            sCapHeight=getattr(os2, "sCapHeight", 0),
            fsType=os2.fsType,
            achVendID=os2.achVendID,
            usWeightClass=os2.usWeightClass,
        )
        builder.setupPost()
        out = io.BytesIO()
        builder.save(out)
        return out.getvalue()


@cache
def face(spec: FaceSpec) -> Face:
    return Face(spec)


# one PDF at a time registers its subsets (ReportLab keeps fonts in a process-wide registry,
# one font per face name): registered for the PDF being drawn, removed after it
_registry_lock = threading.Lock()


@contextmanager
def embedded_fonts(used: dict[FaceSpec, set[str]]) -> Iterator[dict[FaceSpec, str]]:
    """Register a subset of each face with the characters used in it; yields the names to
    give ReportLab's `setFont`."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    built = {spec: face(spec).subset(chars) for spec, chars in used.items()}
    with _registry_lock:
        names, registered = {}, []
        try:
            for spec, data in built.items():
                font = TTFont(f"trial-edc-{spec.postscript_name}", io.BytesIO(data))
                pdfmetrics.registerFont(font)
                registered.append(font)
                names[spec] = font.fontName
            yield names
        finally:
            for font in registered:
                pdfmetrics._fonts.pop(font.fontName, None)
                pdfmetrics._dynFaceNames.pop(font.face.name, None)


# a word of Latin letters or digits stays whole; Chinese breaks between any two characters
_PIECE = re.compile(r"\s+|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+|.")


def wrap(text: str, face: Face, size: float, width: float) -> list[str]:
    """Lines of at most `width` points, broken at spaces and line breaks or between Chinese
    characters; a word longer than a line is broken where the line ends. At least one line."""
    lines: list[str] = []
    for paragraph in str(text).splitlines() or [""]:
        line, used = "", 0.0
        for piece in _PIECE.findall(paragraph):
            if piece.isspace():
                piece = " "
                if not line:
                    continue
            w = face.width(piece, size)
            if used + w <= width:
                line, used = line + piece, used + w
                continue
            if line.strip():
                lines.append(line.rstrip())
            line, used = "", 0.0
            if piece == " ":
                continue
            while face.width(piece, size) > width:  # a word longer than a line
                cut = 1
                while cut < len(piece) and face.width(piece[: cut + 1], size) <= width:
                    cut += 1
                lines.append(piece[:cut])
                piece = piece[cut:]
            line, used = piece, face.width(piece, size)
        lines.append(line.rstrip())
    return lines
