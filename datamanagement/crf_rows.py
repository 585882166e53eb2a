"""The records of every registered CRF in one query: a UNION ALL over the CRF tables, built
from the registry (each model's table and its path to the subject and visit), instead of one
query per CRF model. What verification, the casebook and the query pages read on their pages.

- `record_places`: each record's CRF, id, subject, visit and subject number;
- `latest_seqs`: the position of each record's latest history entry;
- `subject_instances`: every record of one subject, as model instances whose links to one
  another (its visit, panel, adverse event, subject) are filled from the same rows, so that
  showing them (`str`) asks nothing more."""

import json
from decimal import Decimal

from django.db.models import BigIntegerField, Expression, F, Max, TextField, Value
from django.db.models.functions import Cast

from datamanagement.places import subject_lookup, visit_lookup
from trial_edc.core import registry


def _union(branches: list):
    """One query over the branches (querysets of the same columns), ordered by its first
    two columns; [] when there is none."""
    if not branches:
        return []
    first, *rest = branches
    combined = first.union(*rest, all=True) if rest else first
    return list(combined.order_by("_crf", "_pk"))


def _subject_filter(qs, lookup: str, *, subject_ids=None, site_ids=None):
    if subject_ids is not None:
        qs = qs.filter(**{f"{lookup}__in": list(subject_ids)})
    else:
        qs = qs.filter(**{f"{lookup}__isnull": False})
    if site_ids is not None:
        site = "site" if lookup == "pk" else f"{lookup}__site"
        qs = qs.filter(**{f"{site}__in": list(site_ids)})
    return qs


def record_places(*, subject_ids=None, site_ids=None) -> list[tuple[type, int, int, int, str]]:
    """(CRF model, record id, subject id, visit id or None, subject number) of every CRF record
    of the subjects (`subject_ids`, None: every subject) of the sites (`site_ids`, None: every
    site), by CRF then id: one query."""
    if subject_ids is not None and not list(subject_ids):
        return []
    crfs = [(crf, subject_lookup(crf), visit_lookup(crf)) for crf in registry.crf_models]
    crfs = [(crf, lookup, visit) for crf, lookup, visit in crfs if lookup is not None]
    branches = []
    for index, (crf, lookup, visit_path) in enumerate(crfs):
        number = "subject_number" if lookup == "pk" else f"{lookup}__subject_number"
        visit = F(visit_path) if visit_path else Cast(Value(None), BigIntegerField())
        qs = _subject_filter(
            crf.model.objects.all(), lookup, subject_ids=subject_ids, site_ids=site_ids
        )
        branches.append(
            qs.order_by()
            .annotate(
                _crf=Value(index),
                _pk=F("pk"),
                _subject=F(lookup),
                _visit=visit,
                _number=F(number),
            )
            .values_list("_crf", "_pk", "_subject", "_visit", "_number")
        )
    return [
        (crfs[index][0].model, pk, subject, visit, number)
        for index, pk, subject, visit, number in _union(branches)
    ]


def latest_seqs(pks_by_model: dict[type, list[int]]) -> dict[tuple[type, int], int]:
    """(model, record id) -> the audit-chain position of the record's latest history entry,
    for records of models with a history (`events`): one query."""
    models = [m for m, pks in pks_by_model.items() if pks and hasattr(m, "events")]
    branches = [
        model.events.rel.related_model.objects.filter(pgh_obj_id__in=pks_by_model[model])
        .order_by()
        .annotate(_crf=Value(index), _pk=F("pgh_obj_id"))
        .values("_crf", "_pk")
        .annotate(_seq=Max("pgh_chain_seq"))
        .values_list("_crf", "_pk", "_seq")
        for index, model in enumerate(models)
    ]
    return {(models[crf], pk): seq or 0 for crf, pk, seq in _union(branches)}


class _RowJson(Expression):
    """The whole row of the query's base table as JSON text (PostgreSQL's to_jsonb)."""

    output_field = TextField()

    def __init__(self, table: str):
        super().__init__()
        self.table = table

    def as_sql(self, compiler, connection):
        return f"to_jsonb({compiler.quote_name_unless_alias(self.table)})::text", []


def _instance(model, text: str):
    """A model instance from its row as to_jsonb wrote it, each value read as a fixture's
    (`Field.to_python`); decimals kept exact."""
    data = json.loads(text, parse_float=Decimal)
    fields = model._meta.concrete_fields
    return model.from_db(
        model.objects.db,
        [f.attname for f in fields],
        [f.to_python(data.get(f.column)) for f in fields],
    )


def subject_instances(subject) -> list[tuple[object, object]]:
    """(registered CRF, record) of every CRF record of the subject, by CRF (in registry order)
    then id: one query. A record's links to the subject and to the other records loaded are
    filled in."""
    crfs = [crf for crf in registry.crf_models if crf.subject_path is not None]
    branches = []
    for index, crf in enumerate(crfs):
        lookup = {"pk": subject.pk} if crf.subject_path == "" else {crf.subject_path: subject.pk}
        branches.append(
            crf.model.objects.filter(**lookup)
            .order_by()
            .annotate(_crf=Value(index), _pk=F("pk"), _row=_RowJson(crf.model._meta.db_table))
            .values_list("_crf", "_pk", "_row")
        )
    found = [
        (crfs[index], _instance(crfs[index].model, row)) for index, _pk, row in _union(branches)
    ]
    loaded = {(type(obj), obj.pk): obj for _crf, obj in found}
    loaded[(type(subject), subject.pk)] = subject
    for _crf, obj in found:
        for f in obj._meta.concrete_fields:
            if f.is_relation and (f.many_to_one or f.one_to_one):
                target = loaded.get((f.related_model, getattr(obj, f.attname)))
                if target is not None:
                    f.set_cached_value(obj, target)
    return found
