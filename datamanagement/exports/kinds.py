"""The kinds of export, each registered once (`EXPORT_KINDS.register(ExportKind(...))`) from
`datamanagement.registry`; the pages, the worker and the commands ask this registry.

A kind plugs in with:

- `produce(job, out, progress)`: write the file to `out` (a binary stream: write bytes, do not
  seek), calling `progress(done, total)` now and then; read the filters from
  `job.filters` (see `ExportFilters.of(job)`). Raise to fail: the message is kept on the job
  and shown to the data manager; nothing is offered for download.
- `file_name(job)`: the name the download carries, e.g.
  `trial-edc_NCT06919380_csv_site01_2026-11-30.zip` (`standard_file_name` builds that).
- `content_type`; `permission` ("app_label.codename") a user needs to ask for it;
- `fields`: which filters its request form shows (of "sites", "form", "as_of", "subject",
  "labels"); `required`: those of them it cannot do without (refused empty next to the field).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import BinaryIO

from trial_edc.core.registry import Registry
from trial_edc.study import study

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ExportKind:
    key: str
    label: str
    produce: Callable[..., None]  # (job, out: BinaryIO, progress: Progress) -> None
    file_name: Callable[..., str]  # (job) -> str
    content_type: str
    permission: str = "datamanagement.request_export"
    fields: tuple[str, ...] = field(default=("sites",))
    order: int = 0
    required: tuple[str, ...] = ()  # filters the request form refuses empty ("subject")


EXPORT_KINDS = Registry("export kinds")


@dataclass(frozen=True)
class ExportFilters:
    """The filters of a job, as stored in `ExportJob.filters` (JSON)."""

    sites: tuple[str, ...] = ()  # site codes; () never happens on a saved job
    form: str = ""  # a CRF model's label ("safety.vitalsigns"); "" = every form
    as_of: date | None = None  # the data as it stood at the end of this day
    subject: str = ""  # a subject number ("01-003"); "" = every subject
    labels: bool = False  # coded values as their labels instead of their codes
    language: str = "en"  # the language of the labels
    identifying: bool = False  # initials and date of birth included (the asker may see them)

    @classmethod
    def of(cls, job) -> "ExportFilters":
        f = job.filters or {}
        as_of = f.get("as_of") or None
        return cls(
            sites=tuple(f.get("sites") or ()),
            form=f.get("form") or "",
            as_of=date.fromisoformat(as_of) if as_of else None,
            subject=f.get("subject") or "",
            labels=bool(f.get("labels")),
            language=f.get("language") or "en",
            identifying=bool(f.get("identifying")),
        )

    def as_json(self) -> dict:
        return {
            "sites": list(self.sites),
            "form": self.form,
            "as_of": self.as_of.isoformat() if self.as_of else "",
            "subject": self.subject,
            "labels": self.labels,
            "language": self.language,
            "identifying": self.identifying,
        }


def standard_file_name(job, product: str, extension: str) -> str:
    """`trial-edc_<protocol>_<product>_<site01|site01-02|all-sites>[_<subject>]_<date>.<ext>`:
    the date is the as-of date, else the day the job was asked for (UTC)."""
    from trial_edc.accounts.models import Site

    f = ExportFilters.of(job)
    every = set(Site.objects.values_list("code", flat=True))
    where = (
        "all-sites"
        if not f.sites or (len(f.sites) > 1 and set(f.sites) >= every)
        else "site" + "-".join(sorted(f.sites))
    )
    parts = ["trial-edc", study().protocol_id, product, where]
    if f.subject:
        parts.append(f.subject)
    if f.form:
        parts.append(f.form.replace(".", "-"))
    day = f.as_of or (job.created_at.date() if job.created_at else None)
    if day:
        parts.append(day.isoformat())
    return "_".join(parts) + "." + extension


__all__ = ["EXPORT_KINDS", "BinaryIO", "ExportFilters", "ExportKind", "standard_file_name"]
