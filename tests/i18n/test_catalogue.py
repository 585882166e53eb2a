"""The Simplified Chinese catalogue is complete: every message translated, none fuzzy, the
placeholders of each kept, and the committed .mo compiled from the .po as it is now."""

import ast
import gettext
import importlib.util
import re
from pathlib import Path

from tests.i18n.template_text import untranslated
from tests.test_architecture import PACKAGES

LOCALE = Path(__file__).resolve().parents[2] / "locale"
_spec = importlib.util.spec_from_file_location("locale_check", LOCALE / "check.py")
check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check)

PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifeEgGr]|%%|\{\w+\}")


def test_every_message_of_the_catalogue_is_translated_and_none_is_fuzzy():
    # `make messages` (or python locale/check.py) lists them; translate, then run it again
    assert check.problems(check.read()) == []


def test_every_translation_keeps_the_placeholders_of_its_message():
    wrong = [
        (e.msgid, e.msgstr[0])
        for e in check.read()[1:]
        if sorted(PLACEHOLDER.findall(e.msgid)) != sorted(PLACEHOLDER.findall(e.msgstr[0]))
        and not (e.msgid_plural and sorted(PLACEHOLDER.findall(e.msgid_plural)))
    ]
    assert wrong == []


def test_the_catalogue_is_for_chinese_with_one_plural_form():
    header = check.read()[0].msgstr[0]
    assert "Language: zh_Hans" in header
    assert "Plural-Forms: nplurals=1; plural=0;" in header


def test_the_committed_mo_is_compiled_from_the_po_as_it_is():
    # stale: run `make messages` (compilemessages) and commit the .mo with the .po
    with (LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.mo").open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    stale = []
    for e in check.read()[1:]:
        if e.msgid_plural is not None:
            now = compiled.ngettext(e.msgid, e.msgid_plural, 1)
        else:
            now = compiled.gettext(e.msgid)
        if now != e.msgstr[0]:
            stale.append(e.msgid)
    assert stale == []


def test_no_template_shows_text_outside_a_translation_tag():
    # codes, units and abbreviations that stay the same are in template_text.ALLOWED
    assert untranslated() == {}


def test_the_checker_finds_text_outside_a_translation_tag():
    from tests.i18n.template_text import visible_words

    html = (
        '{% load i18n %}<h1>{% translate "Adverse events" %}</h1><p>Serious {{ n }}</p>'
        '<th title="Heart rate">HR</th><td>{% blocktranslate %}Day {{ d }}{% endblocktranslate %}'
        "</td><style>p { content: 'x' }</style>{# a comment #}<td>PaO2/FiO2 mmHg</td>"
    )
    assert visible_words(html) == ["Serious", "HR", "Heart", "rate"]


GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext"}


def _gettext_inside_fstrings(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.JoinedStr):
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Name)
                    and inner.func.id in GETTEXT_NAMES
                ):
                    found.append(f"{path.relative_to(LOCALE.parent)}:{inner.lineno}")
    return found


def test_no_message_is_marked_inside_an_f_string():
    # makemessages (xgettext) does not read inside f-strings: such a message never reaches
    # the catalogue and shows in English; name it outside the f-string
    root = LOCALE.parent
    found = [
        where
        for folder in PACKAGES
        for path in sorted((root / folder).rglob("*.py"))
        for where in _gettext_inside_fstrings(path)
    ]
    assert found == []
