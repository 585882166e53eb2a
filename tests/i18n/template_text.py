"""Finds user-visible text in a template that is outside a translation tag.

What is left of a template once its translation blocks, template tags, variables, comments,
<script>/<style>-free markup and attribute values other than the visible ones (title,
placeholder, aria-label, alt) are taken out must hold no word: only codes, units and
punctuation from ALLOWED."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# codes, units, abbreviations and names that are the same in every language
ALLOWED = {
    "trial-edc",
    "NCT06919380",
    "MSC-exos-P1",
    "CTCAE",
    "MedDRA",
    "SOC",
    "SAE",
    "AE",
    "SUSAR",
    "PaO2",
    "FiO2",
    "PaCO2",
    "SpO2",
    "pH",
    "FVC",
    "DLCO",
    "HRCT",
    "RP-ILD",
    "MDA5",
    "anti-MDA5",
    "CDASH",
    "UTC",
    "SHA-256",
    "PDF",
    "CSV",
    "ODM",
    "QR",
    "ID",
    "IP",
    "OI",
    "ELISA",
    "TOTP",
    "mmHg",
    "mL",
    "L",
    "min",
    "kg",
    "cm",
    "mg",
    "h",
    "n",
    "v5.0",
    "v",
    "O2",
    "°C",
    "%",
    "ECMO",
    "CRRT",
    "PMX-DHP",
    "HIV",
    "GLI",
    "CONSORT",
    "e-mail",
    "SD",
    "IQR",
    "SDV",
    "CRF",
    "OTP",
    "x",
    "×",
    "ok",
    "ISO",
    "NA",
    "JSON",
    "L/min",
}
BLOCK = re.compile(
    r"{%\s*(blocktranslate|blocktrans)\b.*?%}.*?{%\s*end(blocktranslate|blocktrans)\s*%}", re.S
)
COMMENT = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", re.S)
TAG = re.compile(r"{%.*?%}|{{.*?}}", re.S)
SCRIPT_STYLE = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
VISIBLE_ATTR = re.compile(r"""\b(title|placeholder|aria-label|alt)\s*=\s*(["'])(.*?)\2""", re.S)
ELEMENT = re.compile(r"<[^>]*>", re.S)
WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-\.°/]*")


def visible_words(text: str) -> list[str]:
    text = COMMENT.sub(" ", text)
    text = BLOCK.sub(" ", text)
    text = SCRIPT_STYLE.sub(" ", text)
    text = HTML_COMMENT.sub(" ", text)
    attrs = " ".join(m.group(3) for m in VISIBLE_ATTR.finditer(text))
    text = ELEMENT.sub(" ", text) + " " + attrs
    text = TAG.sub(" ", text)
    text = text.replace("&nbsp;", " ").replace("&middot;", " ")
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", text)
    words = (w.rstrip(".-/") for w in WORD.findall(text))
    return [w for w in words if w not in ALLOWED and not all(p in ALLOWED for p in w.split("/"))]


def untranslated(root: Path = TEMPLATES) -> dict[str, list[str]]:
    found = {}
    for path in sorted(root.rglob("*.html")):
        words = visible_words(path.read_text(encoding="utf-8"))
        if words:
            found[str(path.relative_to(root))] = words
    return found


if __name__ == "__main__":
    for name, words in untranslated().items():
        print(f"{name}: {' '.join(words[:25])}")
