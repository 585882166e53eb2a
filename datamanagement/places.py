"""Where a CRF record belongs — its subject and its visit — found from the CRF registry, the
one rule that queries, verification and freeze/lock all ask (their triggers follow the same
paths in SQL):

- the subject along `CrfModel.subject_path` (Subject is its own); a screening-time form
  (subject_path None) reaches the subject enrolled from its screening, if there is one;
- the visit: SubjectVisit itself, else a direct foreign key to a SubjectVisit (blood gas),
  else the first SubjectVisit met along `subject_path` (the panel of a lab result); daily
  records (vital signs, doses, adverse events, medications) belong to no visit."""

from enrollment.models import Subject, SubjectVisit
from trial_edc.core import registry


def subject_lookup(crf) -> str | None:
    """The ORM lookup from a record of `crf` to its subject's id (None: it has none)."""
    if crf.subject_path == "":
        return "pk"
    if crf.subject_path is not None:
        return crf.subject_path
    screening = Subject._meta.get_field("screening")
    if crf.model is screening.related_model:
        return screening.related_query_name()
    for f in crf.model._meta.concrete_fields:
        if f.is_relation and f.related_model is screening.related_model:
            return f"{f.name}__{screening.related_query_name()}"
    return None


def visit_lookup(crf) -> str | None:
    """The ORM lookup from a record of `crf` to its visit's id (None: it belongs to none)."""
    if crf.model is SubjectVisit:
        return "pk"
    for f in crf.model._meta.concrete_fields:
        if f.is_relation and f.related_model is SubjectVisit:
            return f.name
    hops, model = [], crf.model
    for name in (crf.subject_path or "").split("__")[:-1]:
        field = model._meta.get_field(name)
        hops.append(name)
        model = field.related_model
        if model is SubjectVisit:
            return "__".join(hops)
    return None


def subject_and_visit_of(record) -> tuple[int | None, int | None]:
    """The ids of the subject and visit a saved CRF record belongs to (one query)."""
    crf = registry.crf_models.get(record._meta.label_lower)
    if crf is None:
        return None, None
    lookups = [subject_lookup(crf), visit_lookup(crf)]
    wanted = [lookup for lookup in lookups if lookup is not None]
    if not wanted:
        return None, None
    row = dict(
        zip(
            wanted,
            crf.model._base_manager.filter(pk=record.pk).values_list(*wanted).first()
            or [None] * len(wanted),
            strict=True,
        )
    )
    return tuple(row.get(lookup) if lookup else None for lookup in lookups)


def record_facts(record) -> dict:
    """What data management's parts on a CRF page read of a saved record, in one query: the
    ids of its subject and visit, its subject's number and the audit-chain position of its
    latest history entry (0: none). The same answers as `subject_and_visit_of` and
    `sdv.selectors.latest_seq`."""
    from django.db.models import Max, OuterRef, Subquery

    facts = {"subject_id": None, "visit_id": None, "subject_number": None, "seq": 0}
    crf = registry.crf_models.get(record._meta.label_lower)
    model = type(record) if crf is None else crf.model
    subject, visit = (subject_lookup(crf), visit_lookup(crf)) if crf is not None else (None, None)
    columns = {}
    if subject is not None:
        columns["subject_id"] = subject
        columns["subject_number"] = (
            "subject_number" if subject == "pk" else f"{subject}__subject_number"
        )
    if visit is not None:
        columns["visit_id"] = visit
    rows = model._base_manager.filter(pk=record.pk)
    if hasattr(model, "events"):
        events = (
            model.events.rel.related_model.objects.filter(pgh_obj_id=OuterRef("pk"))
            .order_by()
            .values("pgh_obj_id")
            .annotate(m=Max("pgh_chain_seq"))
            .values("m")
        )
        rows = rows.annotate(_seq=Subquery(events))
        columns["seq"] = "_seq"
    if not columns:
        return facts
    found = rows.values_list(*columns.values()).first()
    if found is not None:
        facts.update(zip(columns, found, strict=True))
    facts["seq"] = facts["seq"] or 0
    return facts


def record_memo(record, key: str, compute):
    """`compute()` once for a record object: what the parts on its CRF page (queries,
    verification, freeze and lock) share of it while the page is built."""
    memo = record.__dict__.setdefault("_dm_memo", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def page_facts(record) -> dict:
    """`record_facts` read once for the record object (shared by the parts of its page)."""
    return record_memo(record, "facts", lambda: record_facts(record))
