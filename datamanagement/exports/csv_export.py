"""Per-form CSV with a data dictionary (issue 15, point 1): one zip holding one long CSV per
CRF (one row per record) and `data_dictionary.csv`.

- UTF-8 with a byte-order mark (Excel opens Chinese text correctly), RFC 4180: the stdlib
  csv writer, minimal quoting, CRLF line ends. User text is written exactly as stored: no
  formula escaping, no trimming (a reader opening a CSV in a spreadsheet must not let it
  evaluate cells; the values stay those of the database).
- Columns: the keys SITEID, SUBJID, VISIT, STUDYDAY, RECORDID, then one column per field named
  by its CDASH variable (`CrfModel.cdash`, else the field name upper-cased). A moment
  (date-time) is given twice: `<NAME>_UTC` (ISO 8601, "Z") and `<NAME>_SITE` (the site's local
  time, ISO 8601 with its UTC offset; the site's zone is in `sites.csv`).
- Coded values as codes (booleans Y/N), or as labels in the asker's language.
- As of a date: each record as it stood at the end of that day at the site (the last entry of
  its audit trail by then), from the history tables; without a date, the records now.
- Identifying fields (`CrfModel.identifying`) only when the job allows them.
"""

import csv
import io
import zipfile
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import translation

from datamanagement.exports import crf_tables
from datamanagement.exports.kinds import ExportFilters, standard_file_name
from trial_edc.accounts.models import Site
from trial_edc.study import study

DICTIONARY_HEADER = [
    "form",
    "form_label_en",
    "form_label_zh-hans",
    "column",
    "field",
    "label_en",
    "label_zh-hans",
    "type",
    "unit",
    "code_list_en",
    "code_list_zh-hans",
    "range",
    "identifying",
]


def table_name(crf) -> str:
    return f"{crf.key.replace('.', '_')}.csv"


def cutoff_of(as_of, sites: list[Site]) -> datetime | None:
    """The end of the as-of day at the sites (their zone when they share one, else UTC)."""
    if as_of is None:
        return None
    zones = {s.time_zone for s in sites}
    zone = ZoneInfo(zones.pop()) if len(zones) == 1 else ZoneInfo("UTC")
    return datetime.combine(as_of + timedelta(days=1), time(0), tzinfo=zone) - timedelta(
        microseconds=1
    )


def _writer(stream):
    return csv.writer(stream, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")


def _text_member(archive: zipfile.ZipFile, name: str):
    raw = archive.open(zipfile.ZipInfo(name, date_time=_stamp()), "w", force_zip64=True)
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="", write_through=False)


_NOW = [None]


def _stamp():
    return (_NOW[0] or datetime.now()).timetuple()[:6]


def write_table(stream, crf, scope, *, identifying: bool, labels: bool, language: str) -> int:
    """One form's CSV to a text stream; the number of records written."""
    out = _writer(stream)
    cols = crf_tables.columns(crf, identifying=identifying)
    out.writerow([*crf_tables.KEYS, *(c.name for c in cols)])
    count = 0
    with translation.override(language):
        for row in crf_tables.rows(crf, scope, identifying=identifying):
            out.writerow(
                [
                    *(row.keys[k] for k in crf_tables.KEYS),
                    *(crf_tables.cell(c, row, labels=labels) for c in cols),
                ]
            )
            count += 1
    return count


def dictionary_rows(crfs, *, identifying: bool):
    """Every column of every exported form: labels in each UI language, type, unit, code
    list, range."""

    def both(text_of):
        out = []
        for language in crf_tables.LANGUAGES:
            with translation.override(language):
                out.append(str(text_of()))
        return out

    for crf in crfs:
        meta = crf.model._meta
        form_labels = both(lambda meta=meta: meta.verbose_name)
        for key in crf_tables.KEYS:
            label = crf_tables.KEY_LABELS[key]
            yield [crf.key, *form_labels, key, "", label, label, "key", "", "", "", "", "N"]
        for column in crf_tables.columns(crf, identifying=identifying):
            f = column.field
            labels = both(lambda f=f: f.verbose_name)
            unit = crf_tables.unit_of(crf, f)
            kind = crf_tables.field_type(f)
            if column.part == "utc":
                unit = "UTC"
            elif column.part == "site":
                unit = "site time with its UTC offset"
            yield [
                crf.key,
                *form_labels,
                column.name,
                f.name,
                *labels,
                kind,
                unit,
                *(crf_tables.code_list(f, language) for language in crf_tables.LANGUAGES),
                crf_tables.range_of(crf, f),
                "Y" if f.name in crf.identifying else "N",
            ]


def produce_csv_zip(job, out, progress) -> None:
    """The zip of per-form CSVs, the data dictionary and the sites' time zones."""
    f = ExportFilters.of(job)
    write_csv_zip(out, f, progress=progress)


def write_csv_zip(out, f: ExportFilters, *, progress=lambda done, total: None) -> dict:
    """Write the zip to a binary stream; {table name: records} (what the command prints)."""
    sites = list(Site.objects.filter(code__in=f.sites).order_by("code"))
    scope = crf_tables.Scope(
        site_codes=tuple(s.code for s in sites),
        subject=f.subject,
        cutoff=cutoff_of(f.as_of, sites),
    )
    crfs = crf_tables.crf_entries(f.form)
    counts = {}
    _NOW[0] = datetime.now()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        total = len(crfs) + 1
        for done, crf in enumerate(crfs):
            progress(done, total)
            with _text_member(archive, table_name(crf)) as stream:
                counts[table_name(crf)] = write_table(
                    stream,
                    crf,
                    scope,
                    identifying=f.identifying,
                    labels=f.labels,
                    language=f.language,
                )
        with _text_member(archive, "data_dictionary.csv") as stream:
            w = _writer(stream)
            w.writerow(DICTIONARY_HEADER)
            for row in dictionary_rows(crfs, identifying=f.identifying):
                w.writerow(row)
        with _text_member(archive, "sites.csv") as stream:
            w = _writer(stream)
            w.writerow(["SITEID", "site_name", "time_zone"])
            for s in sites:
                w.writerow([s.code, s.name, s.time_zone])
        with _text_member(archive, "README.txt") as stream:
            stream.write(_readme(f, scope, counts))
        progress(total, total)
    return counts


def _readme(f: ExportFilters, scope, counts: dict) -> str:
    lines = [
        f"{study().protocol_id}: per-form CSV export",
        f"sites: {', '.join(scope.site_codes)}",
        f"form: {f.form or 'every form'}",
        f"subject: {f.subject or 'every subject'}",
        (
            f"data as of: end of {f.as_of.isoformat()} at the site ({scope.cutoff.isoformat()})"
            if f.as_of
            else "data: as they are now"
        ),
        f"coded values: {'labels (' + f.language + ')' if f.labels else 'codes'}",
        f"identifying fields: {'included' if f.identifying else 'left out'}",
        "",
        *(f"{name}: {n} records" for name, n in counts.items()),
        "",
    ]
    return "\r\n".join(lines)


def csv_file_name(job) -> str:
    return standard_file_name(job, "csv", "zip")
