"""Loading the CTCAE v5.0 term list shipped in safety/data/."""

import csv
from pathlib import Path

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
