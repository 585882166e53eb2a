"""ODM 1.3.2 ClinicalData, written incrementally (lxml.etree.xmlfile) subject batch by
subject batch, each batch read in a fixed number of queries per CRF model (never per subject).

- The **snapshot** (FileType Snapshot): the current values of every record, no
  TransactionType (the ODM 1.3.2 specification reserves it for transactional files).
- The **archival file** (FileType Transactional, Archival Yes): every history entry of every
  record from the audit trail (django-pghistory event tables), in audit-chain order per record.
  A record's creation is an ItemGroupData `Insert`, each later entry an ItemGroupData
  `Context` holding one ItemData per changed item (`Insert` a value given, `Update` a value
  changed, `Remove` a value cleared), a deletion an ItemGroupData `Remove`. Each ItemData
  carries its AuditRecord: UserRef, LocationRef (the subject's site), DateTimeStamp (UTC),
  ReasonForChange, SourceID (`pgh_chain_seq`, the entry's position in the audit chain).
  Every e-signature (registry `signature_sources`) is a Signature referencing a SignatureDef
  with its Meaning as stored with the signature (the words the signer saw); queries, source
  data verification and voided signatures follow in the `tedc` extension (extension.py).
"""

from collections import defaultdict
from datetime import date

from django.contrib.auth import get_user_model
from django.utils import timezone
from lxml import etree

from datamanagement.exports.odm import metadata as md
from datamanagement.exports.odm.extension import TEDC_NS
from datamanagement.exports.odm.values import SYSTEM_USER, location_oid, odm_value, user_oid, utc
from datamanagement.places import subject_lookup, visit_lookup
from enrollment.models import Subject, SubjectVisit
from trial_edc.accounts.models import Site
from trial_edc.core import registry
from trial_edc.study import study

BATCH = 200  # subjects read together (a fixed number of queries per CRF model each)


# --- scope ----------------------------------------------------------------------------
def subjects_in_scope(*, site_codes=None, subject=None, user=None):
    qs = Subject.objects.select_related("site").order_by("subject_number")
    if site_codes:
        qs = qs.filter(site__code__in=site_codes)
    if user is not None:
        qs = qs.filter(site__memberships__user=user)
    if subject is not None:
        if isinstance(subject, Subject):
            qs = qs.filter(pk=subject.pk)
        else:
            qs = qs.filter(subject_number=str(subject))
    return qs


# --- event (history) models -------------------------------------------------------------
def event_model(model):
    return model._meta.get_field("events").related_model


def event_lookup(event_cls, lookup: str | None) -> str | None:
    """A lookup from a CRF record (to its subject or visit) as a lookup from its history
    entries: the entry's own copy of the first foreign key when it has one (so entries of a
    deleted record are found too), else through the record (`pgh_obj`)."""
    if lookup is None:
        return None
    if lookup == "pk":
        return "pgh_obj_id"
    first = lookup.split("__", 1)[0]
    own = {f.name for f in event_cls._meta.concrete_fields}
    return lookup if first in own else f"pgh_obj__{lookup}"


# --- the file -------------------------------------------------------------------------
class Writer:
    def __init__(self, xf, *, archival: bool, subjects, progress=None, identifying=True):
        self.xf = xf
        self.archival = archival
        self.subjects = subjects
        self.progress = progress
        self.forms = md.forms(identifying=identifying)
        self.form_of_label = {f.model._meta.label_lower: f for f in self.forms}
        self.schedule = {v.code for v in study().visits}
        self.signature_defs: dict[tuple[str, str], str] = {}

    # AdminData: users, sites (Location), signature meanings (SignatureDef)
    def write_admin(self, sites) -> None:
        xf = self.xf
        users = get_user_model().objects.order_by("pk")
        with xf.element("AdminData", StudyOID=md.study_oid()):
            for u in users.iterator():
                with xf.element("User", OID=user_oid(u.pk)):
                    _leaf(xf, "LoginName", u.username)
                    _leaf(xf, "FullName", u.printed_name)
            with xf.element("User", OID=SYSTEM_USER):
                _leaf(xf, "FullName", "trial-edc (system)")
            for site in sites:
                with xf.element("Location", OID=location_oid(site.code), Name=site.name):
                    xf.write(
                        md.E(
                            "MetaDataVersionRef",
                            StudyOID=md.study_oid(),
                            MetaDataVersionOID=md.MDV_OID,
                            EffectiveDate=date.today().isoformat(),
                        )
                    )
            if self.archival:
                for source in registry.signature_sources:
                    meanings = sorted(
                        set(source.model.objects.values_list("meaning", flat=True).distinct())
                    )
                    for n, meaning in enumerate(meanings, start=1):
                        oid = f"SD.{source.key}.{n}"
                        self.signature_defs[(source.key, meaning)] = oid
                        with xf.element("SignatureDef", OID=oid, Methodology="Electronic"):
                            _leaf(xf, "Meaning", meaning)
                            _leaf(
                                xf,
                                "LegalReason",
                                "Electronic signature, 21 CFR Part 11 (11.50, 11.70, 11.200)",
                            )

    def write_clinical(self) -> None:
        xf = self.xf
        ids = list(self.subjects.values_list("pk", flat=True))
        total, done = len(ids), 0
        with xf.element("ClinicalData", StudyOID=md.study_oid(), MetaDataVersionOID=md.MDV_OID):
            for start in range(0, total, BATCH):
                batch = list(
                    Subject.objects.select_related("site")
                    .filter(pk__in=ids[start : start + BATCH])
                    .order_by("subject_number")
                )
                self._write_batch(batch)
                done += len(batch)
                if self.progress:
                    self.progress(done, total)

    # one batch of subjects -------------------------------------------------------------
    def _write_batch(self, subjects) -> None:
        subject_ids = [s.pk for s in subjects]
        visit_code = dict(
            SubjectVisit.objects.filter(subject_id__in=subject_ids).values_list("pk", "code")
        )
        # subject -> event OID -> [(form, record pk, entries)]
        tree: dict = defaultdict(lambda: defaultdict(list))
        where: dict = {}  # (model label, record pk) -> event OID
        for form in self.forms:
            rows = self._rows(form, subject_ids)
            for subject_id, visit_id, pk, entries in rows:
                code = visit_code.get(visit_id)
                event = f"SE.{code}" if code in self.schedule else md.COMMON_EVENT
                tree[subject_id][event].append((form, pk, entries))
                where[(form.model._meta.label_lower, pk)] = event
        signatures = self._signatures(subject_ids) if self.archival else {}
        extras = self._extension_rows(subject_ids) if self.archival else {}
        event_order = [f"SE.{v.code}" for v in study().visits] + [md.COMMON_EVENT]
        for subject in subjects:
            by_event = tree.get(subject.pk, {})
            location = location_oid(subject.site.code)
            record_signatures = signatures.get(subject.pk, {}).get("records", {})
            attrs = {"SubjectKey": subject.subject_number}
            if self.archival:
                attrs["TransactionType"] = "Context"
            with self.xf.element("SubjectData", attrs):
                self.xf.write(md.E("SiteRef", LocationOID=location))
                for event in event_order:
                    if event not in by_event:
                        continue
                    attrs = {"StudyEventOID": event}
                    if self.archival:
                        attrs["TransactionType"] = "Context"
                    with self.xf.element("StudyEventData", attrs):
                        for form, pk, entries in by_event[event]:
                            if self.archival:
                                self._write_history(form, pk, entries, location)
                                label = form.model._meta.label_lower
                                for sig in record_signatures.get((label, pk), []):
                                    with self.xf.element(
                                        "FormData",
                                        FormOID=form.oid,
                                        FormRepeatKey=str(pk),
                                        TransactionType="Context",
                                    ):
                                        self._write_signature(sig, location)
                            else:
                                self._write_current(form, pk, entries)
                if self.archival:
                    extras_of = extras.get(subject.pk, [])
                    for element in extras_of:
                        self.xf.write(element)
            for sig in signatures.get(subject.pk, {}).get("subject", []):
                with self.xf.element(
                    "SubjectData", SubjectKey=subject.subject_number, TransactionType="Context"
                ):
                    self._write_signature(sig, location)

    def _rows(self, form, subject_ids):
        """[(subject id, visit id, record pk, entries)] of a form for the batch, one query.
        Snapshot: entries = {attname: value} now; archival: the history entries in chain
        order, each (label, at, context, seq, {attname: value})."""
        crf = form.crf
        s_lookup, v_lookup = subject_lookup(crf), visit_lookup(crf)
        if s_lookup is None:
            return []
        names = [i.attname for i in form.items]
        if not self.archival:
            keys = [s_lookup, v_lookup or s_lookup, "pk"]
            qs = (
                form.model._base_manager.filter(**{f"{s_lookup}__in": subject_ids})
                .order_by("pk")
                .values_list(*keys, *names)
            )
            return [
                (
                    row[0],
                    row[1] if v_lookup else None,
                    row[2],
                    dict(zip(names, row[3:], strict=True)),
                )
                for row in qs.iterator(chunk_size=2000)
            ]
        events = event_model(form.model)
        present = {f.attname for f in events._meta.concrete_fields}
        names = [n for n in names if n in present]
        es, ev = event_lookup(events, s_lookup), event_lookup(events, v_lookup)
        keys = [es, ev or es, "pgh_obj_id", "pgh_label", "pgh_created_at", "pgh_context"]
        keys.append("pgh_chain_seq")
        qs = (
            events.objects.filter(**{f"{es}__in": subject_ids})
            .order_by("pgh_obj_id", "pgh_chain_seq", "pgh_id")
            .values_list(*keys, *names)
        )
        out, current = [], None
        for row in qs.iterator(chunk_size=2000):
            entry = (row[3], row[4], row[5] or {}, row[6], dict(zip(names, row[7:], strict=True)))
            if current is None or current[2] != row[2]:
                current = (row[0], row[1] if ev else None, row[2], [])
                out.append(current)
            current[3].append(entry)
        return out

    def _write_current(self, form, pk, values) -> None:
        xf = self.xf
        with (
            xf.element("FormData", FormOID=form.oid, FormRepeatKey=str(pk)),
            xf.element("ItemGroupData", ItemGroupOID=form.group_oid),
        ):
            for item in form.items:
                value = odm_value(values.get(item.attname))
                if value is not None:
                    xf.write(md.E("ItemData", ItemOID=item.oid, Value=value))

    def _write_history(self, form, pk, entries, location) -> None:
        xf = self.xf
        with xf.element(
            "FormData", FormOID=form.oid, FormRepeatKey=str(pk), TransactionType="Context"
        ):
            previous: dict = {}
            for label, at, context, seq, values in entries:
                audit = _audit_record(at, context, seq, location)
                if label == "delete":
                    with xf.element(
                        "ItemGroupData", ItemGroupOID=form.group_oid, TransactionType="Remove"
                    ):
                        xf.write(audit)
                    previous = {}
                    continue
                creating = label == "insert" or not previous
                with xf.element(
                    "ItemGroupData",
                    ItemGroupOID=form.group_oid,
                    TransactionType="Insert" if creating else "Context",
                ):
                    for item in form.items:
                        if item.attname not in values:
                            continue
                        new = odm_value(values[item.attname])
                        old = previous.get(item.attname)
                        if new == old:
                            continue
                        if new is None:
                            attrs = {"ItemOID": item.oid, "TransactionType": "Remove"}
                        else:
                            kind = "Insert" if old is None else "Update"
                            attrs = {"ItemOID": item.oid, "TransactionType": kind, "Value": new}
                        with xf.element("ItemData", attrs):
                            xf.write(_audit_record(at, context, seq, location))
                previous = {
                    item.attname: odm_value(values[item.attname])
                    for item in form.items
                    if item.attname in values
                }
                previous = {k: v for k, v in previous.items() if v is not None}

    # signatures ------------------------------------------------------------------------
    def _signatures(self, subject_ids) -> dict:
        """subject id -> {"records": {(model label, pk): [sig]}, "subject": [sig]}, one query
        per signature source."""
        out: dict = defaultdict(lambda: {"records": defaultdict(list), "subject": []})
        for source in registry.signature_sources:
            qs = source.model._base_manager.filter(
                **{f"{source.subject_path}__in": subject_ids}
            ).order_by("signed_at", "pk")
            values = ["pk", source.subject_path, "signer_id", "signed_at", "meaning"]
            if source.record_field:
                values.append(f"{source.record_field}_id")
            for row in qs.values_list(*values):
                sig = {
                    "id": f"SIG.{source.key}.{row[0]}",
                    "signer": row[2],
                    "at": row[3],
                    "def": self.signature_defs.get((source.key, row[4])),
                }
                if source.record_field:
                    label = source.model._meta.get_field(
                        source.record_field
                    ).related_model._meta.label_lower
                    out[row[1]]["records"][(label, row[5])].append(sig)
                else:
                    out[row[1]]["subject"].append(sig)
        return out

    def _write_signature(self, sig, location) -> None:
        xf = self.xf
        with xf.element("Signature", ID=sig["id"]):
            xf.write(md.E("UserRef", UserOID=user_oid(sig["signer"])))
            xf.write(md.E("LocationRef", LocationOID=location))
            xf.write(md.E("SignatureRef", SignatureOID=sig["def"]))
            _leaf(xf, "DateTimeStamp", utc(sig["at"]))

    def _extension_rows(self, subject_ids) -> dict:
        from datamanagement.exports.odm.extension import extension_elements

        return extension_elements(subject_ids, self.form_of_label)


def _leaf(xf, tag, text, **attrs) -> None:
    el = md.E(tag, attrs)
    el.text = text
    xf.write(el)


def _audit_record(at, context, seq, location) -> etree._Element:
    audit = md.E("AuditRecord")
    md.sub(audit, "UserRef", UserOID=user_oid(context.get("user")))
    md.sub(audit, "LocationRef", LocationOID=location)
    md.sub(audit, "DateTimeStamp").text = utc(at)
    reason = (context.get("reason") or "").strip()
    if reason:
        md.sub(audit, "ReasonForChange").text = reason
    md.sub(audit, "SourceID").text = str(seq)
    return audit


def write_file(out, *, archival: bool, subjects, progress=None, identifying=True) -> None:
    """Write the whole ODM document to the binary stream `out`."""
    now = timezone.now()
    s = study()
    product = "archival" if archival else "snapshot"
    attrs = {
        "FileOID": f"{s.protocol_id}.{product}.{now:%Y%m%dT%H%M%S%f}",
        "FileType": "Transactional" if archival else "Snapshot",
        "Granularity": "All",
        "CreationDateTime": utc(now),
        "ODMVersion": "1.3.2",
        "Originator": "trial-edc",
        "SourceSystem": "trial-edc",
        "Description": f"{s.protocol_id} {product}",
    }
    if archival:
        attrs["Archival"] = "Yes"
    writer = Writer(
        None, archival=archival, subjects=subjects, progress=progress, identifying=identifying
    )
    sites = list(Site.objects.filter(pk__in=subjects.values("site_id")).order_by("code"))
    nsmap = {None: md.ODM_NS}
    if archival:
        nsmap["tedc"] = TEDC_NS
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(f"{{{md.ODM_NS}}}ODM", attrs, nsmap=nsmap):
            writer.xf = xf
            md.write_study(writer.xf, writer.forms)
            writer.write_admin(sites)
            writer.write_clinical()
