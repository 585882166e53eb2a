"""The history of one record, field by field, as the audit view shows it."""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

HIDDEN_FIELDS = {"password"}
ACTIONS = {
    "insert": gettext_lazy("created"),
    "update": gettext_lazy("changed"),
    "delete": gettext_lazy("deleted"),
}


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    at: datetime
    action: str
    user: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)
    chain_seq: int = 0


def _tracked_fields(event_model, tracked_model):
    names = {f.name for f in event_model._meta.fields}
    return [
        f
        for f in tracked_model._meta.concrete_fields
        if f.name in names and f.name not in HIDDEN_FIELDS and not f.primary_key
    ]


def _display(f: models.Field, value, related_names: dict, time_label=None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(f, models.DateTimeField) and isinstance(value, datetime) and time_label:
        return time_label(value)  # the site's zone, named (never the stored UTC)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.ForeignKey):
        return related_names.get((f.related_model, value), str(value))
    if isinstance(f, models.BooleanField):
        return _("Yes") if value else _("No")
    return str(value)


def record_history(instance, time_label=None) -> list[HistoryEntry]:
    """Every history entry of `instance`, oldest first, with old → new per changed field.
    `time_label(moment) -> str` shows a date-time value as people read it (the page passes
    trial_edc.core.clock.site_time_label of the record's site).

    A fixed number of queries: the events, then one per foreign-key model and one for users.
    """
    events = list(instance.events.order_by("pgh_id"))
    tracked = _tracked_fields(events[0].__class__, type(instance)) if events else []

    wanted: dict[type, set] = {}
    for f in tracked:
        if isinstance(f, models.ForeignKey):
            ids = {getattr(e, f.attname) for e in events} - {None}
            wanted.setdefault(f.related_model, set()).update(ids)
    related_names = {
        (model, obj.pk): str(obj)
        for model, ids in wanted.items()
        for obj in model._default_manager.filter(pk__in=ids)
    }
    user_ids = {(e.pgh_context or {}).get("user") for e in events} - {None}
    users = {u.pk: u.printed_name for u in get_user_model().objects.filter(pk__in=user_ids)}

    history, previous = [], None
    for event in events:
        context = event.pgh_context or {}
        entry = HistoryEntry(
            at=event.pgh_created_at,
            action=str(ACTIONS.get(event.pgh_label, event.pgh_label)),
            user=users.get(context.get("user"), "system"),
            reason=context.get("reason") or "",
            chain_seq=event.pgh_chain_seq,
        )
        for f in tracked:
            new = getattr(event, f.attname)
            old = getattr(previous, f.attname) if previous is not None else None
            if previous is None or old != new:
                entry.changes.append(
                    FieldChange(
                        label=str(f.verbose_name),
                        old=_display(f, old, related_names, time_label)
                        if previous is not None
                        else "",
                        new=_display(f, new, related_names, time_label),
                    )
                )
        history.append(entry)
        previous = event
    return history


def records_history(model, pks) -> dict[int, list[HistoryEntry]]:
    """The history of many records of one model at once, as `record_history` gives it for
    one: record id -> its entries, oldest first. A fixed number of queries whatever the
    records: the events, one per foreign-key model and one for users (for casebooks and
    exports)."""
    event_model = model.events.rel.related_model
    events = list(
        event_model.objects.filter(pgh_obj_id__in=list(pks)).order_by("pgh_obj_id", "pgh_id")
    )
    tracked = _tracked_fields(event_model, model)
    wanted: dict[type, set] = {}
    for f in tracked:
        if isinstance(f, models.ForeignKey):
            ids = {getattr(e, f.attname) for e in events} - {None}
            wanted.setdefault(f.related_model, set()).update(ids)
    related_names = {
        (related, obj.pk): str(obj)
        for related, ids in wanted.items()
        if ids
        for obj in related._default_manager.filter(pk__in=ids)
    }
    user_ids = {(e.pgh_context or {}).get("user") for e in events} - {None}
    users = (
        {u.pk: u.printed_name for u in get_user_model().objects.filter(pk__in=user_ids)}
        if user_ids
        else {}
    )
    by_record: dict[int, list[HistoryEntry]] = {}
    previous = None
    for event in events:
        if previous is not None and previous.pgh_obj_id != event.pgh_obj_id:
            previous = None
        context = event.pgh_context or {}
        entry = HistoryEntry(
            at=event.pgh_created_at,
            action=str(ACTIONS.get(event.pgh_label, event.pgh_label)),
            user=users.get(context.get("user"), "system"),
            reason=context.get("reason") or "",
            chain_seq=event.pgh_chain_seq,
        )
        for f in tracked:
            new = getattr(event, f.attname)
            old = getattr(previous, f.attname) if previous is not None else None
            if previous is None or old != new:
                entry.changes.append(
                    FieldChange(
                        label=str(f.verbose_name),
                        old=_display(f, old, related_names) if previous is not None else "",
                        new=_display(f, new, related_names),
                    )
                )
        by_record.setdefault(event.pgh_obj_id, []).append(entry)
        previous = event
    return by_record
