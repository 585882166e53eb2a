"""What a subject's certified-copy casebook holds, read in a fixed number of queries whatever
the number of records: every CRF record of the subjects (found through the CRF registry, so a
new CRF appears with no change here) with its values as entered, flags, source data
verification, freeze/lock state, audit trail, queries and signatures, grouped by visit in
schedule order.

Signatures come from `registry.signature_sources` (the AE signatures of safety, the casebook
sign-off), as the archival ODM reads them."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import reduce
from operator import or_
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from datamanagement.locks import rules as lock_rules
from datamanagement.locks.selectors import states_by_target
from datamanagement.models.locks import LockState
from datamanagement.models.queries import Query, QueryMessage
from datamanagement.places import subject_lookup, visit_lookup
from datamanagement.sdv import rules as sdv_rules
from datamanagement.sdv.items import NOT_ITEMS, SCHEDULE_FIELDS, STRUCTURAL
from datamanagement.sdv.selectors import records_sdv, subject_full_sdv
from enrollment.models import Subject, SubjectVisit
from trial_edc.audit.selectors import records_history
from trial_edc.core import registry

ITEM_FLAGS = {"high": "↑", "low": "↓", "H": "↑", "L": "↓"}


@dataclass
class Item:
    label: str
    value: str
    flag: str = ""  # ↑ / ↓ (outside the normal or reference range)
    sdv: str = ""  # the item's verification status label ("" when not in the plan)
    computed: bool = False  # derived on save, never typed


@dataclass
class Signature:
    printed_name: str
    signed_at: datetime
    meaning: str
    what: str  # what was signed
    voided_at: datetime | None = None
    void_reason: str = ""
    site_at: str = ""  # signed_at in the site's time, the zone named
    record: str = ""  # the record signed (its title)


@dataclass
class QueryThread:
    item: str
    state: str
    text: str
    raised_by: str
    raised_at: datetime
    messages: list = field(default_factory=list)  # (at, who, action, text)


@dataclass
class Record:
    crf: registry.CrfModel
    obj: models.Model
    form: str  # the form's name (the model's verbose name)
    title: str
    items: list[Item] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    sdv: str = ""
    history: list = field(default_factory=list)
    queries: list[QueryThread] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)
    sort: tuple = ()

    @property
    def rows(self) -> list[tuple]:
        """The items two to a row, as the PDF lays them out."""
        pairs = []
        for i in range(0, len(self.items), 2):
            pair = self.items[i : i + 2]
            pairs.append((pair[0], pair[1] if len(pair) > 1 else None))
        return pairs


@dataclass
class Group:
    title: str
    visit: SubjectVisit | None = None
    records: list[Record] = field(default_factory=list)


@dataclass
class Casebook:
    subject: Subject
    zone: ZoneInfo
    groups: list[Group] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)
    sdv_full: bool = False
    sdv_counts: sdv_rules.Counts = field(default_factory=sdv_rules.Counts)

    @property
    def forms(self) -> list[str]:
        seen: dict[str, None] = {}
        for group in self.groups:
            for rec in group.records:
                seen.setdefault(rec.form, None)
        return list(seen)


def _shown_fields(crf) -> list[models.Field]:
    """The fields of a form shown as entered: every concrete field but the key, who typed it
    (the audit trail says), the link to what it belongs to and automatic timestamps; the
    values computed on save are shown, marked so."""
    first_hop = (crf.subject_path or "").split("__")[0]
    user_model = settings.AUTH_USER_MODEL.lower()
    shown = []
    for f in crf.model._meta.concrete_fields:
        if f.primary_key or f.name in NOT_ITEMS or f.name == first_hop:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            continue
        if f.is_relation and (
            f.related_model in STRUCTURAL
            or f.related_model._meta.label_lower == user_model
            or (crf.subject_path is None and f.one_to_one)
        ):
            continue
        if crf.model is SubjectVisit and f.name in SCHEDULE_FIELDS:
            continue
        shown.append(f)
    return shown


def _value(f: models.Field, obj, names: dict, zone: ZoneInfo) -> str:
    value = getattr(obj, f.attname)
    if isinstance(value, list | tuple):  # a JSON list (e.g. the criteria a screening failed)
        value = ", ".join(str(v) for v in value)
    if value is None or value == "":
        return "—"
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if f.is_relation:
        return names.get((f.related_model, value), str(value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return site_time(value, zone)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def site_time(moment: datetime, zone: ZoneInfo) -> str:
    """A moment in the site's time with the zone named: "2026-11-30 18:05 Asia/Shanghai"."""
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} {zone.key}"


def _crfs_with_lookups():
    """(crf, subject lookup, visit lookup, index) of every registered CRF reaching a subject."""
    out = []
    for index, crf in enumerate(registry.crf_models):
        lookup = subject_lookup(crf)
        if lookup is None:
            continue
        out.append((crf, lookup, visit_lookup(crf), index))
    return out


def _parent_lookups(crf) -> list[tuple[str, str]]:
    """(ORM path to a parent record's id, its model label) for the CRF records above a record
    on its subject_path (a lab result's panel), whose freeze or lock it inherits."""
    parents, model, hops = [], crf.model, []
    for name in (crf.subject_path or "").split("__")[:-1]:
        model = model._meta.get_field(name).related_model
        hops.append(name)
        label = model._meta.label_lower
        if model not in STRUCTURAL and label in registry.crf_models:
            parents.append(("__".join(hops), label))
    return parents


def casebooks(subject_ids, *, identifying: bool = True) -> dict[int, Casebook]:
    """The casebook of each subject: a fixed number of queries whatever the records (per CRF
    model: its records, their history and its foreign-key names; then the subjects, the
    verification, the queries, the lock states, the signatures and the users). Without
    `identifying`, the fields a CRF names identifying (`CrfModel.identifying`) are withheld."""
    subjects = {
        s.pk: s
        for s in Subject.objects.filter(pk__in=list(subject_ids)).select_related(
            "site", "screening"
        )
    }
    ids = list(subjects)
    books = {
        pk: Casebook(
            subject=s, zone=ZoneInfo(s.site.time_zone), sdv_full=subject_full_sdv(s.subject_number)
        )
        for pk, s in subjects.items()
    }
    visits = {
        v.pk: v
        for v in SubjectVisit.objects.filter(subject_id__in=ids).order_by("subject_id", "order")
    }

    # --- the records of every CRF, with their subject, visit and parents ---
    found: list[tuple] = []  # (crf, obj, subject id, visit id, parents, index)
    for crf, s_lookup, v_lookup, index in _crfs_with_lookups():
        parents = _parent_lookups(crf)
        annotations = {"_cb_subject": F(s_lookup)}
        if v_lookup:
            annotations["_cb_visit"] = F(v_lookup)
        for i, (path, _label) in enumerate(parents):
            annotations[f"_cb_parent{i}"] = F(path)
        qs = crf.model._default_manager.filter(**{f"{s_lookup}__in": ids}).annotate(**annotations)
        for obj in qs.order_by("pk"):
            parent_targets = [
                lock_rules.record_target(label, getattr(obj, f"_cb_parent{i}"))
                for i, (_path, label) in enumerate(parents)
            ]
            found.append(
                (
                    crf,
                    obj,
                    obj._cb_subject,
                    getattr(obj, "_cb_visit", None),
                    parent_targets,
                    index,
                )
            )

    # --- names of what the records point at (one query per related model) ---
    wanted: dict[type, set] = defaultdict(set)
    shown = {crf.key: _shown_fields(crf) for crf, *_rest in _crfs_with_lookups()}
    for crf, obj, *_rest in found:
        for f in shown[crf.key]:
            if f.is_relation and getattr(obj, f.attname) is not None:
                wanted[f.related_model].add(getattr(obj, f.attname))
    names = {
        (model, o.pk): str(o)
        for model, pks in wanted.items()
        for o in model._default_manager.filter(pk__in=pks)
    }

    # --- verification, history, queries, lock states, signatures (batched) ---
    sdv = {(r.info.label, r.record_id): r for r in records_sdv(subject_ids=ids)}
    by_model: dict[type, list] = defaultdict(list)
    for crf, obj, *_rest in found:
        by_model[crf.model].append(obj.pk)
    histories = {
        model: records_history(model, pks)
        for model, pks in by_model.items()
        if hasattr(model, "events")
    }
    queries = _queries(by_model)
    targets = {lock_rules.STUDY}
    targets |= {lock_rules.subject_target(pk) for pk in ids}
    targets |= {lock_rules.visit_target(pk) for pk in visits}
    for crf, obj, _s, _v, parent_targets, _i in found:
        targets.add(lock_rules.record_target(crf.key, obj.pk))
        targets.update(parent_targets)
    states = states_by_target(targets)
    signatures = _signatures(ids)

    # --- assemble, per subject, grouped by visit in schedule order ---
    groups: dict[int, dict] = {pk: {} for pk in ids}
    for pk in ids:
        groups[pk]["start"] = Group(title=_("Screening and enrolment"))
        for v in visits.values():
            if v.subject_id == pk:
                groups[pk][v.pk] = Group(title=v.display_name, visit=v)
        groups[pk]["other"] = Group(title=_("Treatment days and records outside a visit"))
    for crf, obj, subject_id, visit_id, parent_targets, index in found:
        book = books[subject_id]
        label = crf.key
        record = Record(
            crf=crf,
            obj=obj,
            form=str(capfirst(crf.model._meta.verbose_name)),
            title=_record_title(crf, obj),
        )
        sdv_record = sdv.get((label, obj.pk))
        record.items = _items(crf, obj, shown[label], names, book.zone, sdv_record, identifying)
        if sdv_record is not None:
            record.sdv = _sdv_summary(sdv_record.counts)
            book.sdv_counts.add(sdv_record.counts)
        state = lock_rules.strongest(
            states.get(lock_rules.STUDY),
            states.get(lock_rules.subject_target(subject_id)),
            states.get(lock_rules.visit_target(visit_id)) if visit_id else None,
            states.get(lock_rules.record_target(label, obj.pk)),
            *(states.get(t) for t in parent_targets),
        )
        record.flags = _record_flags(obj, state, visits.get(visit_id))
        record.history = histories.get(crf.model, {}).get(obj.pk, [])
        for entry in record.history:
            entry.site_at = site_time(entry.at, book.zone)
        record.queries = queries.get((label, obj.pk), [])
        for thread in record.queries:
            thread.messages = [
                (site_time(at, book.zone), who, action, text)
                for at, who, action, text in thread.messages
            ]
        record.signatures = signatures.get((label, obj.pk), [])
        for signature in record.signatures:
            signature.site_at = site_time(signature.signed_at, book.zone)
            signature.record = record.title
        book.signatures.extend(record.signatures)
        record.sort = (index, getattr(obj, "study_day", 0) or 0, obj.pk)
        if crf.model is Subject or crf.subject_path is None:
            key = "start"
        elif visit_id is not None:
            key = visit_id
        else:
            key = "other"
        groups[subject_id][key].records.append(record)
    for pk, book in books.items():
        for group in groups[pk].values():
            group.records.sort(key=lambda r: r.sort)
            # the visit's own record (its date) comes first
            group.records.sort(key=lambda r: r.crf.model is not SubjectVisit)
        book.groups = list(groups[pk].values())
        book.signatures.sort(key=lambda s: s.signed_at)
    return books


def _record_title(crf, obj) -> str:
    day = getattr(obj, "study_day", None)
    if day is not None:
        return _("%(form)s, study day %(day)s (record %(pk)s)") % {
            "form": str(capfirst(crf.model._meta.verbose_name)),
            "day": day,
            "pk": obj.pk,
        }
    return _("%(form)s (record %(pk)s)") % {
        "form": str(capfirst(crf.model._meta.verbose_name)),
        "pk": obj.pk,
    }


def _items(crf, obj, fields, names, zone, sdv_record, identifying=True) -> list[Item]:
    flags = getattr(obj, "flags", None)
    flags = flags if isinstance(flags, dict) else {}
    own_flag = getattr(obj, "flag", "") if any(f.name == "flag" for f in fields) else ""
    items = []
    for f in fields:
        item = Item(
            label=str(f.verbose_name),
            value=_value(f, obj, names, zone),
            flag=ITEM_FLAGS.get(flags.get(f.name, ""), ""),
            computed=not f.editable,
        )
        if not identifying and f.name in getattr(crf, "identifying", ()):
            item.value = _("withheld (identifying)")
        if f.name in ("value", "value_standard") and own_flag:
            item.flag = ITEM_FLAGS.get(own_flag, "")
        if sdv_record is not None and f.name in sdv_record.items:
            item.sdv = str(sdv_rules.STATUS_LABELS[sdv_record.items[f.name]])
        items.append(item)
    return items


def _sdv_summary(counts: sdv_rules.Counts) -> str:
    if counts.required == 0:
        return str(sdv_rules.STATUS_LABELS[sdv_rules.NOT_REQUIRED])
    return _("%(status)s: %(v)d of %(r)d items verified, %(c)d changed since verified") % {
        "status": counts.label,
        "v": counts.verified,
        "r": counts.required,
        "c": counts.changed,
    }


def _record_flags(obj, state: str, visit) -> list[str]:
    flags = []
    if state == LockState.LOCKED:
        flags.append(_("Locked"))
    elif state == LockState.FROZEN:
        flags.append(_("Frozen"))
    values = getattr(obj, "flags", None)
    if isinstance(values, dict) and values:
        flags.append(_("Outside the normal range"))
    if getattr(obj, "flag", "") in ITEM_FLAGS:
        flags.append(_("Outside the reference range"))
    if visit is not None and visit.out_of_window:
        flags.append(_("Visit out of window (late or early)"))
    return flags


def _queries(by_model: dict) -> dict[tuple[str, int], list[QueryThread]]:
    """(model label, record id) -> the record's queries with their messages (two queries)."""
    if not by_model:
        return {}
    types = ContentType.objects.get_for_models(*by_model)
    condition = reduce(
        or_, (Q(content_type=types[model], object_id__in=pks) for model, pks in by_model.items())
    )
    rows = list(
        Query.objects.filter(condition)
        .select_related("content_type", "raised_by")
        .order_by("raised_at", "pk")
    )
    messages = defaultdict(list)  # always one query, rows or not: a constant count
    for m in (
        QueryMessage.objects.filter(query__in=[q.pk for q in rows])
        .select_related("author")
        .order_by("at", "pk")
    ):
        messages[m.query_id].append(m)
    models_by_ct = {ct.pk: model for model, ct in types.items()}
    out: dict[tuple[str, int], list[QueryThread]] = defaultdict(list)
    for q in rows:
        model = models_by_ct[q.content_type_id]
        try:
            item = str(model._meta.get_field(q.field).verbose_name) if q.field else ""
        except Exception:
            item = q.field
        out[(model._meta.label_lower, q.object_id)].append(
            QueryThread(
                item=item or _("the whole record"),
                state=q.get_state_display(),
                text=q.text,
                raised_by=q.raised_by.printed_name if q.raised_by else _("the system"),
                raised_at=q.raised_at,
                messages=[
                    (
                        m.at,
                        m.author.printed_name if m.author else _("the system"),
                        m.get_action_display(),
                        m.text,
                    )
                    for m in messages[q.pk]
                ],
            )
        )
    return out


def _signatures(subject_ids) -> dict[tuple[str, int], list[Signature]]:
    """(model label, record id) -> every signature of the record, valid or voided, from the
    registered signature sources (one query each); a signature of the whole casebook belongs
    to the subject's own record."""
    out: dict[tuple[str, int], list[Signature]] = defaultdict(list)
    subject_label = Subject._meta.label_lower
    for source in registry.signature_sources:
        model = source.model
        what = str(capfirst(model._meta.verbose_name))
        rows = (
            model._default_manager.filter(**{f"{source.subject_path}__in": list(subject_ids)})
            .annotate(_cb_subject=F(source.subject_path))
            .order_by("signed_at", "pk")
        )
        if source.record_field:
            label = model._meta.get_field(source.record_field).related_model._meta.label_lower
        for s in rows:
            if source.record_field:
                key = (label, getattr(s, f"{source.record_field}_id"))
            else:
                key = (subject_label, s._cb_subject)
            out[key].append(
                Signature(
                    printed_name=s.printed_name,
                    signed_at=s.signed_at,
                    meaning=s.meaning,
                    what=what,
                    voided_at=s.voided_at,
                    void_reason=s.void_reason,
                )
            )
    return out
