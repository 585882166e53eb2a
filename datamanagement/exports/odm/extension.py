"""The trial-edc vendor extension of the archival ODM file (namespace `TEDC_NS`, prefix
`tedc`): queries with their messages, source data verification, and voided signatures.

ODM 1.3.2 has no `xs:any`: a vendor extends it by redefining the empty
`...ElementExtension` groups of the foundation schema. `schema/ODM1-3-2-trial-edc.xsd`
redefines `SubjectDataElementExtension` to hold these elements (declared in
`schema/trial-edc-odm-extension.xsd`), so the archival file is validated against the CDISC
schema *with* this extension; with the `tedc` elements taken out it is valid against the
plain CDISC ODM1-3-2.xsd too (tests check both). A reader that ignores the namespace loses
nothing of the clinical data.

They sit at the end of each SubjectData (where the schema puts the extension group), and
point at what they concern by FormOID / FormRepeatKey / ItemOID, by the Signature's ID, and by
the audit-chain position (AuditSourceID, matching an AuditRecord's SourceID)."""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from lxml import etree

from datamanagement.exports.odm.values import user_oid, utc
from datamanagement.models import Query, QueryMessage, SourceVerification
from trial_edc.core import registry

TEDC_NS = "https://trial-edc.org/odm-extension/1"


def tedc(tag: str) -> str:
    return f"{{{TEDC_NS}}}{tag}"


def _E(tag):
    return etree.Element(tag, nsmap={"tedc": TEDC_NS})


def _set(el, **attrs) -> None:
    for key, value in attrs.items():
        if value not in (None, ""):
            el.set(key, str(value))


def _at(moment) -> str | None:
    return utc(moment) if moment else None


def _user(user_id) -> str:
    return user_oid(user_id)


def extension_elements(subject_ids, form_of_label) -> dict:
    """subject id -> [tedc elements], a fixed number of queries whatever the subjects."""
    out: dict = defaultdict(list)
    queries = list(Query.objects.filter(subject_id__in=subject_ids).order_by("raised_at", "pk"))
    types = {
        ct.pk: ct for ct in ContentType.objects.filter(pk__in={q.content_type_id for q in queries})
    }
    messages = defaultdict(list)
    for m in QueryMessage.objects.filter(query__subject_id__in=subject_ids).order_by("at", "pk"):
        messages[m.query_id].append(m)
    for q in queries:
        ct = types.get(q.content_type_id)
        form = form_of_label.get(f"{ct.app_label}.{ct.model}") if ct else None
        el = _E(tedc("Query"))
        _set(
            el,
            ID=f"Q.{q.pk}",
            FormOID=form.oid if form else None,
            FormRepeatKey=q.object_id,
            ItemOID=f"{form.oid.replace('F.', 'IT.', 1)}.{q.field}" if form and q.field else None,
            State=q.state,
            RaisedBy=_user(q.raised_by_id),
            RaisedAt=_at(q.raised_at),
            ClosedAt=_at(q.closed_at),
            EditCheck=q.check_key,
            AuditSourceID=q.anchor_seq,
        )
        etree.SubElement(el, tedc("Text")).text = q.text
        for m in messages.get(q.pk, []):
            msg = etree.SubElement(el, tedc("Message"))
            _set(
                msg, Action=m.action, By=_user(m.author_id), At=_at(m.at), StateAfter=m.state_after
            )
            msg.text = m.text
        out[q.subject_id].append(el)
    for v in SourceVerification.objects.filter(subject_id__in=subject_ids).order_by("pk"):
        form = form_of_label.get(v.model_label)
        el = _E(tedc("SourceVerification"))
        _set(
            el,
            FormOID=form.oid if form else v.model_label,
            FormRepeatKey=v.record_id,
            ItemOID=f"{form.oid.replace('F.', 'IT.', 1)}.{v.field}" if form else v.field,
            VerifiedBy=_user(v.verified_by_id),
            VerifiedAt=_at(v.verified_at),
            AuditSourceID=v.history_seq,
            ChangedSinceAt=_at(v.changed_at),
        )
        out[v.subject_id].append(el)
    for source in registry.signature_sources:
        voided = (
            source.model._base_manager.filter(
                **{f"{source.subject_path}__in": subject_ids}, voided_at__isnull=False
            )
            .order_by("voided_at", "pk")
            .values_list("pk", source.subject_path, "voided_at", "void_reason")
        )
        for pk, subject_id, at, reason in voided:
            el = _E(tedc("SignatureVoided"))
            _set(el, SignatureID=f"SIG.{source.key}.{pk}", VoidedAt=_at(at), Reason=reason)
            out[subject_id].append(el)
    return out
