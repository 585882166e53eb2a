"""The Simplified Chinese catalogue: what is still untranslated or fuzzy, and filling it.

    python locale/check.py              # lists untranslated and fuzzy msgids; exit 1 if any
    python locale/check.py --fill F.py  # msgstr from the dict T = {msgid: translation} in F.py

A small reader of the .po format (entries of comments, msgid, msgid_plural, msgstr[n]), used
by `make messages` and tests/i18n/test_catalogue.py; polib is not a dependency.
"""

import ast
import runpy
import sys
from dataclasses import dataclass, field
from pathlib import Path

PO = Path(__file__).resolve().parent / "zh_Hans" / "LC_MESSAGES" / "django.po"


@dataclass
class Entry:
    comments: list[str] = field(default_factory=list)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    obsolete: bool = False

    @property
    def fuzzy(self) -> bool:
        return any(c.startswith("#,") and "fuzzy" in c for c in self.comments)

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())


def _unquote(line: str) -> str:
    return ast.literal_eval(line.strip())


def read(path: Path = PO) -> list[Entry]:
    """The entries of a catalogue, the header (msgid "") first."""
    entries, entry, target = [], Entry(), None

    def flush():
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
        entry, target = Entry(), None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#~"):
            entry.obsolete = True
        elif line.startswith("#"):
            if target is not None and target != "comment":
                flush()
            entry.comments.append(line)
        elif line.startswith("msgctxt "):
            if target not in (None, "comment"):
                flush()
            entry.msgctxt, target = _unquote(line[8:]), "msgctxt"
        elif line.startswith("msgid_plural "):
            entry.msgid_plural, target = _unquote(line[13:]), "plural"
        elif line.startswith("msgid "):
            if target not in (None, "comment", "msgctxt"):
                flush()
            entry.msgid, target = _unquote(line[6:]), "msgid"
        elif line.startswith("msgstr["):
            n = int(line[7 : line.index("]")])
            entry.msgstr[n], target = _unquote(line[line.index("]") + 1 :]), ("msgstr", n)
        elif line.startswith("msgstr "):
            entry.msgstr[0], target = _unquote(line[7:]), ("msgstr", 0)
        elif line.startswith('"'):
            text = _unquote(line)
            if target == "msgctxt":
                entry.msgctxt += text
            elif target == "msgid":
                entry.msgid += text
            elif target == "plural":
                entry.msgid_plural += text
            elif isinstance(target, tuple):
                entry.msgstr[target[1]] += text
    flush()
    return [e for e in entries if not e.obsolete]


def _quote(text: str) -> str:
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    if "\n" not in body[:-1]:
        return '"' + body.replace("\n", "\\n") + '"'
    parts = body.split("\n")
    lines = [p + "\\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    return '""\n' + "\n".join(f'"{p}"' for p in lines)


def write(entries: list[Entry], path: Path = PO) -> None:
    out = []
    for e in entries:
        out.extend(e.comments)
        if e.msgctxt is not None:
            out.append("msgctxt " + _quote(e.msgctxt))
        out.append("msgid " + _quote(e.msgid))
        if e.msgid_plural is not None:
            out.append("msgid_plural " + _quote(e.msgid_plural))
            out.append("msgstr[0] " + _quote(e.msgstr.get(0, "")))  # Chinese: nplurals=1
        else:
            out.append("msgstr " + _quote(e.msgstr.get(0, "")))
        out.append("")
    path.write_text("\n".join(out), encoding="utf-8")


def problems(entries: list[Entry]) -> list[str]:
    """Each message still untranslated or fuzzy, as a line to read."""
    lines = []
    for e in entries[1:]:
        if e.fuzzy:
            lines.append(f"fuzzy: {e.msgid!r}")
        elif not e.translated:
            lines.append(f"untranslated: {e.msgid!r}")
    return lines


def fill(translations: dict[str, str], path: Path = PO) -> int:
    """Set msgstr of the msgids given, clear their fuzzy flag and #| lines; returns how many."""
    entries, n = read(path), 0
    for e in entries[1:]:
        if e.msgid in translations:
            e.msgstr = {0: translations[e.msgid]}
            e.comments = [
                c if not c.startswith("#,") else c.replace(" fuzzy,", "").replace(", fuzzy", "")
                for c in e.comments
                if c.strip() != "#, fuzzy" and not c.startswith("#|")
            ]
            n += 1
    write(entries, path)
    return n


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--fill":
        print(f"filled {fill(runpy.run_path(sys.argv[2])['T'])} messages")
        sys.exit(0)
    found = problems(read())
    print("\n".join(found) or f"{PO.relative_to(Path.cwd())}: every message translated")
    sys.exit(1 if found else 0)
