"""The CRF tables as exports read them, from the registry: for each form its columns (CDASH
names), and its records — now, or as they stood at a moment, rebuilt from the audit trail —
scoped to sites and a subject, streamed in chunks with a fixed number of queries per form.

Every registered CRF model is exported this way: a new CRF needs no change here."""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import validators
from django.db import models
from django.utils import translation

from datamanagement.places import subject_lookup, visit_lookup
from trial_edc.accounts.models import Site
from trial_edc.core import registry
from trial_edc.core.clock import study_day

CHUNK = 2000
# the key columns of every form's table (CDASH names)
KEYS = ("SITEID", "SUBJID", "VISIT", "STUDYDAY", "RECORDID")
KEY_LABELS = {
    "SITEID": "Site",
    "SUBJID": "Subject number",
    "VISIT": "Visit",
    "STUDYDAY": "Study day of the record (day 1 = first dose)",
    "RECORDID": "Record id (the EDC's, stable across exports)",
}
LANGUAGES = ("en", "zh-hans")
UTC = ZoneInfo("UTC")


@dataclass(frozen=True)
class Column:
    """One column of a form's table: a field, or (for a date-time field) its UTC or site
    time."""

    name: str  # the header: CDASH name, with _UTC / _SITE for a moment
    field: models.Field
    part: str = ""  # "utc" | "site" for a date-time field


def crf_entries(form: str = "") -> list:
    return [c for c in registry.crf_models if not form or c.key == form]


def _column_base(crf, f) -> str:
    return crf.cdash.get(f.name) or f.name.upper()


def exported_fields(crf, *, identifying: bool) -> list[models.Field]:
    """The fields of a form that become columns: every concrete field but the id (it is
    RECORDID), identifying ones only when allowed."""
    return [
        f
        for f in crf.model._meta.concrete_fields
        if not f.primary_key and (identifying or f.name not in crf.identifying)
    ]


def columns(crf, *, identifying: bool) -> list[Column]:
    out = []
    for f in exported_fields(crf, identifying=identifying):
        base = _column_base(crf, f)
        if isinstance(f, models.DateTimeField):
            out += [Column(f"{base}_UTC", f, "utc"), Column(f"{base}_SITE", f, "site")]
        else:
            out.append(Column(base, f))
    return out


def header(crf, *, identifying: bool) -> list[str]:
    return [*KEYS, *(c.name for c in columns(crf, identifying=identifying))]


# --- paths from a record to its site, subject and visit --------------------------------
def _site_path(crf) -> str:
    return getattr(crf.model, "site_path", "") or "site"


def _record_date_field(crf) -> str | None:
    if crf.date_field:
        return crf.date_field
    for f in crf.model._meta.concrete_fields:
        if isinstance(f, models.DateField) and not getattr(f, "auto_now_add", False):
            return f.name
    return None


@dataclass(frozen=True)
class Paths:
    site: str
    subject: str | None  # to the Subject object
    visit: str | None  # to the SubjectVisit object


def _object_path(lookup: str | None) -> str | None:
    """An ORM lookup to an id ("subject", "visit__subject", "pk") as a path to the object
    ("" = the record itself)."""
    if lookup is None:
        return None
    if lookup == "pk":
        return ""
    return lookup


def paths(crf) -> Paths:
    return Paths(
        site=_site_path(crf),
        subject=_object_path(subject_lookup(crf)),
        visit=_object_path(visit_lookup(crf)),
    )


def _follow(obj, path: str | None):
    if path is None:
        return None
    if path == "":
        return obj
    for hop in path.split("__"):
        obj = getattr(obj, hop, None) if obj is not None else None
    return obj


def _is_reverse_first_hop(model, path: str) -> bool:
    first = path.split("__", 1)[0]
    try:
        f = model._meta.get_field(first)
    except Exception:
        return True
    return not f.concrete


def _user_fk(f) -> bool:
    return (
        f.is_relation
        and f.related_model is not None
        and (f.related_model._meta.label == settings.AUTH_USER_MODEL)
    )


# --- the records ----------------------------------------------------------------------
@dataclass(frozen=True)
class Scope:
    site_codes: tuple[str, ...]
    subject: str = ""  # a subject number
    cutoff: datetime | None = None  # None: the data now


def event_model(model):
    """The audit trail's event model of a CRF model (its rows are the record's versions)."""
    return model._meta.get_field("events").related_model


def _queryset(crf, scope: Scope, *, identifying: bool):
    """(queryset, record-of-row, id-of-row): the records now, or their last version at the
    cut-off from the audit trail (a record deleted before the cut-off is left out, one deleted
    after is in)."""
    p = paths(crf)
    model = crf.model
    user_fks = [f.name for f in exported_fields(crf, identifying=identifying) if _user_fk(f)]
    base = model._base_manager.all() if scope.cutoff is None else event_model(model).objects.all()

    def through(path: str | None) -> str | None:
        """The path from a row of `base`: an event row reaches reverse relations (a
        screening's subject) through its live record."""
        if path is None:
            return None
        if scope.cutoff is None:
            return path
        if path == "":
            return "pgh_obj"
        if _is_reverse_first_hop(model, path):
            return f"pgh_obj__{path}"
        return path

    site = through(p.site)
    subject = through(p.subject)
    visit = through(p.visit)
    related = {f"{site}", *(x for x in (subject, visit) if x)}
    if subject:
        related.add(f"{subject}__site")
    related |= {through(name) for name in user_fks}
    related.discard("")
    qs = base.filter(**{f"{site}__code__in": scope.site_codes})
    if scope.subject:
        if subject is None:
            return None
        qs = qs.filter(**{f"{subject}__subject_number": scope.subject})
    qs = qs.select_related(*sorted(r for r in related if r))
    if scope.cutoff is None:
        qs = qs.order_by("pk")
        return qs, site, subject, visit
    qs = (
        qs.filter(pgh_created_at__lte=scope.cutoff)
        .order_by("pgh_obj_id", "-pgh_created_at", "-pgh_id")
        .distinct("pgh_obj_id")
    )
    return qs, site, subject, visit


@dataclass
class Row:
    keys: dict
    record: object  # the model instance or its event row (same attribute names)
    site: Site | None


def rows(crf, scope: Scope, *, identifying: bool) -> Iterator[Row]:
    """The form's records in the scope, one `Row` each, streamed (`CHUNK` rows a fetch)."""
    got = _queryset(crf, scope, identifying=identifying)
    if got is None:
        return
    qs, site_path, subject_path, visit_path = got
    date_field = _record_date_field(crf)
    for obj in qs.iterator(chunk_size=CHUNK):
        if scope.cutoff is not None and obj.pgh_label == "delete":
            continue
        site = _follow(obj, site_path)
        subject = _follow(obj, subject_path)
        visit = _follow(obj, visit_path)
        record_id = obj.pgh_obj_id if scope.cutoff is not None else obj.pk
        on = getattr(obj, date_field, None) if date_field else None
        if visit is not None and visit.visit_date and not crf.date_field:
            on = visit.visit_date
        if isinstance(on, datetime):
            on = on.astimezone(ZoneInfo(site.time_zone) if site else UTC).date()
        day = study_day(subject.day1, on) if subject is not None and on else None
        yield Row(
            keys={
                "SITEID": site.code if site else "",
                "SUBJID": subject.subject_number if subject is not None else "",
                "VISIT": visit.code if visit is not None else "",
                "STUDYDAY": "" if day is None else day,
                "RECORDID": record_id,
            },
            record=obj,
            site=site,
        )


# --- values ---------------------------------------------------------------------------
def yes_no(value: bool, labels: bool) -> str:
    if labels:
        return str(translation.gettext("Yes") if value else translation.gettext("No"))
    return "Y" if value else "N"


def cell(column: Column, row: Row, *, labels: bool) -> str:
    """The text of one cell: codes as codes (or labels), dates ISO 8601, moments in UTC
    ("Z") and in the site's time with its offset; user text exactly as stored."""
    f = column.field
    obj = row.record
    if f.is_relation:
        if _user_fk(f):
            user = getattr(obj, f.name, None)
            return user.username if user is not None else ""
        value = getattr(obj, f.attname)
        return "" if value is None else str(value)
    value = getattr(obj, f.attname, None)
    if value is None:
        return ""
    if f.choices and not isinstance(f, models.BooleanField):
        if labels:
            return str(dict(f.flatchoices).get(value, value))
        return str(value)
    if isinstance(value, bool):
        return yes_no(value, labels)
    if isinstance(value, datetime):
        if column.part == "site":
            zone = ZoneInfo(row.site.time_zone) if row.site else UTC
            return value.astimezone(zone).isoformat(timespec="seconds")
        return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


# --- the data dictionary ----------------------------------------------------------------
_UNIT = re.compile(r"\(([^()]*)\)\s*$")


def field_type(f) -> str:
    if isinstance(f, models.BooleanField):
        return "boolean"
    if isinstance(f, models.DateTimeField):
        return "datetime"
    if isinstance(f, models.DateField):
        return "date"
    if isinstance(f, models.TimeField):
        return "time"
    if isinstance(f, models.DecimalField):
        return "decimal"
    if isinstance(f, models.IntegerField | models.AutoField):
        return "integer"
    if isinstance(f, models.JSONField):
        return "json"
    if f.is_relation:
        return "username" if _user_fk(f) else "integer (record id)"
    return "text"


def unit_of(crf, f) -> str:
    with translation.override("en"):
        match = _UNIT.search(str(f.verbose_name))
    if match and not any(c.isdigit() for c in match.group(1)[:1]):
        return match.group(1)
    return ""


def code_list(f, language: str) -> str:
    if isinstance(f, models.BooleanField):
        with translation.override(language):
            return f"Y={translation.gettext('Yes')}|N={translation.gettext('No')}"
    if not f.choices:
        return ""
    with translation.override(language):
        return "|".join(f"{code}={label}" for code, label in f.flatchoices if code != "")


def range_of(crf, f) -> str:
    if f.name in crf.ranges:
        return str(crf.ranges[f.name])
    low = high = None
    for v in f.validators:
        if isinstance(v, validators.MinValueValidator):
            low = v.limit_value
        elif isinstance(v, validators.MaxValueValidator):
            high = v.limit_value
    if isinstance(f, models.PositiveIntegerField | models.PositiveSmallIntegerField):
        low = 0 if low is None else low
    if low is None and high is None:
        if isinstance(f, models.CharField) and not f.choices and f.max_length:
            return f"max {f.max_length} characters"
        return ""
    return f"{'' if low is None else low}..{'' if high is None else high}"
