"""Loading the CTCAE v5.0 term list shipped in safety/data/."""

import csv
from functools import cache
from pathlib import Path

from django.utils.translation import get_language

CSV_PATH = Path(__file__).resolve().parent / "data" / "ctcae_v5_terms.csv"
COLUMNS = ("term", "soc", "grade_1", "grade_2", "grade_3", "grade_4", "grade_5", "definition")


def ctcae_rows(path: Path = CSV_PATH):
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            yield int(row["meddra_code"]), {c: row[c] for c in COLUMNS}


def ctcae_load(model, path: Path = CSV_PATH, *, using: str = "default") -> int:
    """Insert or update every term; returns how many the file holds. `using`: the connection
    (a migration's, the owner's)."""
    count = 0
    for code, values in ctcae_rows(path):
        model.objects.using(using).update_or_create(meddra_code=code, defaults=values)
        count += 1
    return count


# Chinese names of common CTCAE terms and of the MedDRA SOCs, translated by the project (not an
# official CTCAE translation): shown beside the English term, which stays the standard.
ZH_PATH = Path(__file__).resolve().parent / "data" / "ctcae_v5_zh.csv"


@cache
def chinese_names(path: Path = ZH_PATH) -> dict[str, str]:
    """English term or SOC -> its Chinese name."""
    with path.open(newline="", encoding="utf-8") as f:
        return {row["term"]: row["name_zh"] for row in csv.DictReader(f)}


def with_chinese(english: str) -> str:
    """`Cough（咳嗽）` for a Chinese reader when the project ships a name, else the term."""
    language = (get_language() or "").lower()
    name = chinese_names().get(english) if language.startswith("zh") else None
    return f"{english}（{name}）" if name else english
