"""A CRF record as data management sees it, reached through the registry by its model label
and primary key: its site, subject, visit, items and the history entry of its values."""

from dataclasses import dataclass

from django.db import models
from django.http import Http404

from datamanagement.places import subject_and_visit_of
from enrollment.models import Subject, SubjectVisit
from trial_edc.accounts.selectors import scope_to_sites
from trial_edc.core import registry


def crf_of(label: str):
    """The registered CRF of a model label ("safety.vitalsigns"), else None."""
    return registry.crf_models.get(label.lower())


def record_or_404(user, label: str, pk) -> models.Model:
    """A CRF record of the user's sites (a record of another site, or no CRF, is a 404)."""
    crf = crf_of(label)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if crf is None:
        raise Http404
    model = crf.model
    record = scope_to_sites(model.objects.all(), user, model.site_path).filter(pk=pk).first()
    if record is None:
        raise Http404
    return record


def _follow(obj, path: str):
    for step in path.split("__"):
        obj = getattr(obj, step) if obj is not None else None
    return obj


@dataclass(frozen=True)
class Place:
    """Where a record sits: its site, subject and visit (None where it has none)."""

    site_id: int
    subject: Subject | None
    visit: SubjectVisit | None


def place_of(record) -> Place:
    """The record's site, and its subject and visit as `places` finds them."""
    site = _follow(record, record.site_path)
    subject_id, visit_id = subject_and_visit_of(record)
    return Place(
        site_id=site.pk,
        subject=Subject.objects.filter(pk=subject_id).first() if subject_id else None,
        visit=SubjectVisit.objects.filter(pk=visit_id).first() if visit_id else None,
    )


def items_of(model) -> list[models.Field]:
    """The fields a query may name: every concrete, editable field but the key, who
    recorded it and the link to the record it belongs to (its subject, visit or parent)."""
    crf = crf_of(model._meta.label_lower)
    parents = {getattr(model, "site_path", "").split("__")[0]}
    if crf is not None and crf.subject_path:
        parents.add(crf.subject_path.split("__")[0])
    return [
        f
        for f in model._meta.concrete_fields
        if f.editable and not f.primary_key and not f.name.endswith("_by") and f.name not in parents
    ]


def item_label(model, name: str) -> str:
    if not name:
        return ""
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # a visit's form (an automatic query), or a field renamed since
        form = registry.visit_forms.get(name) if model is SubjectVisit else None
        return str(form.label) if form is not None else name


def shown(model, name: str, obj) -> str:
    """The value of item `name` of `obj` (a record or one of its history rows) as text."""
    if obj is None or not name:
        return ""
    try:
        field = model._meta.get_field(name)
    except Exception:
        return ""
    value = getattr(obj, field.attname, None)
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return str(value)


def latest_event(record):
    """The record's latest history entry (the value as it stands now), or None."""
    events = getattr(record, "events", None)
    if events is None:
        return None
    return events.order_by("-pgh_chain_seq").first()


def event_at(record, seq: int | None):
    """The record's history entry with `seq` (the value when a query was raised)."""
    events = getattr(record, "events", None)
    if events is None or seq is None:
        return None
    return events.filter(pgh_chain_seq=seq).first()
