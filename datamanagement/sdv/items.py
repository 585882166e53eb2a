"""What can be verified in each CRF, found from the CRF registry (no CRF model by name):
its items (fields), the plan's critical items, and the lookups from a record to its site,
subject and visit."""

from dataclasses import dataclass
from functools import cache

from django.db import models

from datamanagement.places import subject_lookup, visit_lookup
from enrollment.models import Subject, SubjectVisit
from trial_edc.core import registry
from trial_edc.study import study

# Fields that say who typed or where a record belongs, not what the source says.
NOT_ITEMS = frozenset({"recorded_by", "created_by", "enrolled_by", "site", "rescreen_of"})
# The schedule computes these fields of a visit; the visit's own items are the rest.
SCHEDULE_FIELDS = frozenset({"code", "name", "order", "target_date", "window_start", "window_end"})
STRUCTURAL = (Subject, SubjectVisit)


@dataclass(frozen=True)
class CrfInfo:
    model: type
    label: str  # app_label.modelname
    table: str
    site_lookup: str
    subject_lookup: str | None  # ORM path from a record to its subject's id
    visit_lookup: str | None  # ORM path from a record to its visit's id
    items: tuple[str, ...]  # field names, in form order
    critical: frozenset[str]

    def field(self, name: str) -> models.Field:
        return self.model._meta.get_field(name)

    def required(self, *, full: bool) -> tuple[str, ...]:
        """The items the plan requires: every item of a subject verified in full, else the
        critical ones."""
        return self.items if full else tuple(f for f in self.items if f in self.critical)


def _items(crf) -> tuple[str, ...]:
    first_hop = (crf.subject_path or "").split("__")[0]
    names = []
    for f in crf.model._meta.concrete_fields:
        if f.primary_key or not f.editable or f.name in NOT_ITEMS or f.name == first_hop:
            continue
        if f.is_relation and f.related_model in STRUCTURAL:
            continue
        if f.is_relation and crf.subject_path is None and f.one_to_one:
            continue  # the screening a screening-time form belongs to
        if crf.model is SubjectVisit and f.name in SCHEDULE_FIELDS:
            continue
        names.append(f.name)
    return tuple(names)


@cache
def _infos() -> dict[type, CrfInfo]:
    critical = {c.model: frozenset(c.fields) for c in study().sdv.critical}
    infos = {}
    for crf in registry.crf_models:
        meta = crf.model._meta
        infos[crf.model] = CrfInfo(
            model=crf.model,
            label=meta.label_lower,
            table=meta.db_table,
            site_lookup=getattr(crf.model, "site_path", "site"),
            subject_lookup=subject_lookup(crf),
            visit_lookup=visit_lookup(crf),
            items=_items(crf),
            critical=critical.get(meta.label_lower, frozenset()),
        )
    return infos


def crf_infos() -> list[CrfInfo]:
    return list(_infos().values())


def crf_info(model) -> CrfInfo | None:
    return _infos().get(model)


def crf_info_by_label(label: str) -> CrfInfo | None:
    return next((i for i in crf_infos() if i.label == label), None)
