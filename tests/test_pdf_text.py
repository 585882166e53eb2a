"""ReportLab text with the Noto CJK fonts: wrapping by measured width, and a font subset per
PDF (two PDFs in a row each carry the characters they use)."""

import io
import shutil
import subprocess

import pytest

from tests.conftest import service_missing
from trial_edc.core import pdf_text
from trial_edc.core.pdf_text import MONO, SANS, embedded_fonts, face, wrap


@pytest.fixture
def sans():
    try:
        return face(SANS)
    except pdf_text.FontMissing as exc:
        service_missing(str(exc))


def test_wrap_breaks_at_spaces_and_keeps_every_word(sans):
    text = "Cough with wheeze and chest tightness after every nebulisation"
    lines = wrap(text, sans, 10, 80)
    assert len(lines) > 1
    assert " ".join(lines) == text
    assert all(sans.width(line, 10) <= 80 for line in lines)


def test_wrap_breaks_chinese_between_characters_and_cuts_a_word_longer_than_a_line(sans):
    chinese = "第3天雾化结束后出现阵发性干咳，休息后缓解。"
    lines = wrap(chinese, sans, 10, 50)
    assert len(lines) > 1 and "".join(lines) == chinese
    word = "x" * 80
    lines = wrap(word, sans, 10, 50)
    assert len(lines) > 1 and "".join(lines) == word
    assert wrap("", sans, 10, 50) == [""]
    assert wrap("line one\nline two", sans, 10, 500) == ["line one", "line two"]


def test_each_pdf_embeds_the_characters_it_uses(sans, tmp_path):
    if shutil.which("pdftotext") is None:
        service_missing("pdftotext (apt-get install poppler-utils)")
    from reportlab.pdfgen.canvas import Canvas

    for text in ("hello world", "Kristen Jackson 雾化后干咳", "第二份 PDF: Zürich"):
        out = io.BytesIO()
        with embedded_fonts({SANS: set(text), MONO: set(text)}) as names:
            canvas = Canvas(out, initialFontName=names[SANS])
            canvas.setFont(names[SANS], 12)
            canvas.drawString(50, 700, text)
            canvas.setFont(names[MONO], 12)
            canvas.drawString(50, 650, text)
            canvas.save()
        path = tmp_path / "t.pdf"
        path.write_bytes(out.getvalue())
        read = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert read.count(text) == 2, read
