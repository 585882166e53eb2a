"""The Content-Security-Policy allows no inline script: no template carries an inline event
handler (onclick=, onchange=...) or a <script> without src (a browser would block it)."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def test_no_template_has_inline_script():
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{n}"
        for path in TEMPLATES.rglob("*.html")
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if INLINE_HANDLER.search(line) or INLINE_SCRIPT.search(line)
    ]
    assert offenders == []
