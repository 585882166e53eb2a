"""The study-level change-from-baseline table as CSV (one row per measure, visit and
statistic) and as a PDF with the per-subject charts."""

import csv
from io import StringIO

from django.http import HttpResponse
from django.utils import timezone

from trial_edc.accounts.selectors import sites_for
from trial_edc.core.pdf import render_pdf
from trial_edc.study import study

CSV_COLUMNS = [
    "measure",
    "unit",
    "visit",
    "statistic",
    "n",
    "not_done",
    "mean",
    "sd",
    "median",
    "min",
    "max",
]


def summary_csv_rows(summary: dict):
    for m in summary["summaries"]:
        for row in m.rows:
            kinds = [("value", row.value)]
            if row.change is not None:
                kinds += [("change", row.change), ("percent_change", row.percent_change)]
            for kind, stats in kinds:
                yield [
                    str(m.measure.label),
                    m.measure.unit,
                    row.visit_code,
                    kind,
                    stats.n,
                    row.not_done,
                    *(
                        "" if v is None else v
                        for v in (stats.mean, stats.sd, stats.median, stats.minimum, stats.maximum)
                    ),
                ]


def _filename(extension: str, what: str = "change-from-baseline") -> str:
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    return f"{study().protocol_id}-{what}-{stamp}.{extension}"


def summary_csv_response(summary: dict) -> HttpResponse:
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(summary_csv_rows(summary))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def summary_pdf(summary: dict, user) -> bytes:
    context = {
        **summary,
        "protocol_id": study().protocol_id,
        "cut_off": timezone.now(),
        "generated_by": user.printed_name,
        "sites": ", ".join(s.code for s in sites_for(user)),
    }
    return render_pdf("efficacy/summary_pdf.html", context)


def summary_pdf_response(summary: dict, user) -> HttpResponse:
    response = HttpResponse(summary_pdf(summary, user), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename("pdf")}"'
    return response


# --- Table 1 ------------------------------------------------------------------------------

TABLE_ONE_COLUMNS = [
    "variable",
    "unit",
    "statistic",
    "level",
    "n",
    "missing",
    "summary",
    "mean",
    "sd",
    "median",
    "q1",
    "q3",
    "count",
    "percent",
]


def table_one_csv_rows(table: dict):
    """One row per continuous variable, one per level of a categorical one; missing values
    are counted in "missing", never as zero."""
    for row in table["rows"]:
        v, stats = row.variable, row.stats
        head = [str(v.label), str(v.unit), str(row.statistic)]
        if row.continuous:
            yield [
                *head,
                "",
                stats.n,
                stats.missing,
                row.text,
                *("" if x is None else x for x in (stats.mean, stats.sd, stats.median)),
                *("" if x is None else x for x in (stats.q1, stats.q3)),
                "",
                "",
            ]
            continue
        for level in stats.levels:
            yield [
                *head,
                level.label,
                stats.n,
                stats.missing,
                f"{level.count} ({'' if level.percent is None else level.percent}%)",
                "",
                "",
                "",
                "",
                "",
                level.count,
                "" if level.percent is None else level.percent,
            ]


def table_one_csv_response(table: dict) -> HttpResponse:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read µ, ± and Chinese."""
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow(TABLE_ONE_COLUMNS)
    writer.writerows(table_one_csv_rows(table))
    response = HttpResponse(
        ("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv", "table-1")}"'
    return response
