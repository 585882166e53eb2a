"""What is verified and signed: per item, per form record, per visit and per subject, derived
from the verification rows (never stored). The per-site selectors take a fixed number of
queries whatever the number of subjects and records (one per CRF model, plus one or two)."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Max
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from datamanagement.crf_rows import latest_seqs, record_places
from datamanagement.models import CasebookSignature, SourceVerification
from datamanagement.sdv import rules
from datamanagement.sdv.items import CrfInfo, crf_info
from enrollment.models import Subject, SubjectVisit
from trial_edc.study import study


def subject_full_sdv(subject_number: str) -> bool:
    plan = study().sdv
    return rules.selected_for_full_sdv(
        seed=plan.seed, fraction=plan.full_fraction, subject_number=subject_number
    )


def latest_seq(record) -> int:
    """The audit-chain position of the record's latest history entry (0: none)."""
    return record.events.aggregate(m=Max("pgh_chain_seq"))["m"] or 0


def _site_ids(site) -> list[int] | None:
    if site is None:
        return None
    if hasattr(site, "pk"):
        return [site.pk]
    return [s.pk if hasattr(s, "pk") else s for s in site]


@dataclass
class RecordSdv:
    info: CrfInfo
    record_id: int
    subject_id: int | None
    visit_id: int | None
    full: bool
    seq: int = 0
    items: dict = field(default_factory=dict)  # field name -> status (required items)
    rows: dict = field(default_factory=dict)  # field name -> SourceVerification (any)
    counts: rules.Counts = field(default_factory=rules.Counts)
    url: str = ""  # the page of the form, where known (set by the casebook page)
    subject_number: str = ""

    @property
    def label(self) -> str:
        return str(capfirst(self.info.model._meta.verbose_name))


def _status_of(row) -> str:
    if row is None:
        return rules.TO_VERIFY
    return rules.item_status(verified=True, changed=row.changed_at is not None)


def record_sdv(record, facts: dict | None = None) -> RecordSdv | None:
    """The verification of one saved record, item by item (three queries; one when given
    the record's `places.record_facts`)."""
    info = crf_info(type(record))
    if info is None:
        return None
    subject_id = None
    full = False
    if facts is not None:
        if info.subject_lookup is not None and facts["subject_id"] is not None:
            subject_id, full = facts["subject_id"], subject_full_sdv(facts["subject_number"])
    elif info.subject_lookup is not None:
        found = (
            type(record)
            .objects.filter(pk=record.pk)
            .values_list(
                info.subject_lookup,
                f"{info.subject_lookup}__subject_number"
                if info.subject_lookup != "pk"
                else "subject_number",
            )
            .first()
        )
        if found and found[0] is not None:
            subject_id, full = found[0], subject_full_sdv(found[1])
    rows = {
        r.field: r
        for r in SourceVerification.objects.filter(record_table=info.table, record_id=record.pk)
    }
    result = RecordSdv(
        info=info,
        record_id=record.pk,
        subject_id=subject_id,
        visit_id=None,
        full=full,
        seq=facts["seq"] if facts is not None else latest_seq(record),
        rows=rows,
    )
    for name in info.required(full=full):
        status = _status_of(rows.get(name))
        result.items[name] = status
        result.counts.count(status)
    return result


def records_sdv(*, site=None, subject_ids=None) -> list[RecordSdv]:
    """Every CRF record of subjects (of `site`, a site or a list of sites, or `subject_ids`)
    with its verification: two queries (the records of every CRF in one, their verification
    rows)."""
    site_ids = _site_ids(site)
    full: dict[str, bool] = {}
    records: list[RecordSdv] = []
    for model, pk, subject_id, visit_id, number in record_places(
        subject_ids=subject_ids, site_ids=site_ids
    ):
        info = crf_info(model)
        if number not in full:
            full[number] = subject_full_sdv(number)
        records.append(
            RecordSdv(
                info=info,
                record_id=pk,
                subject_id=subject_id,
                visit_id=visit_id,
                full=full[number],
                subject_number=number,
            )
        )
    by_record = defaultdict(dict)
    if records:
        rows = SourceVerification.objects.all()
        if subject_ids is not None or site_ids is not None:
            rows = rows.filter(subject__in={rec.subject_id for rec in records})
        for row in rows:
            by_record[(row.record_table, row.record_id)][row.field] = row
    for rec in records:
        rec.rows = by_record.get((rec.info.table, rec.record_id), {})
        for name in rec.info.required(full=rec.full):
            status = _status_of(rec.rows.get(name))
            rec.items[name] = status
            rec.counts.count(status)
    return records


def subject_sdv(*, site=None, subject_ids=None) -> dict[int, rules.Counts]:
    """Subject id -> its items by status (every subject of the site, records or not)."""
    totals: dict[int, rules.Counts] = defaultdict(rules.Counts)
    subjects = Subject.objects.all()
    if site is not None:
        subjects = subjects.filter(site__in=_site_ids(site))
    if subject_ids is not None:
        subjects = subjects.filter(pk__in=subject_ids)
    ids = list(subjects.values_list("pk", flat=True))
    for pk in ids:
        totals[pk] = rules.Counts()
    for rec in records_sdv(subject_ids=ids):
        totals[rec.subject_id].add(rec.counts)
    return dict(totals)


def valid_casebook_signatures(*, site=None, subject_ids=None) -> dict[int, CasebookSignature]:
    """Subject id -> its valid casebook signature (one query)."""
    rows = CasebookSignature.objects.filter(voided_at__isnull=True)
    if site is not None:
        rows = rows.filter(subject__site__in=_site_ids(site))
    if subject_ids is not None:
        rows = rows.filter(subject__in=subject_ids)
    return {s.subject_id: s for s in rows}


def last_voided_casebook_signatures(*, subject_ids) -> dict[int, CasebookSignature]:
    rows = CasebookSignature.objects.filter(subject__in=subject_ids, voided_at__isnull=False)
    latest: dict[int, CasebookSignature] = {}
    for s in rows.order_by("voided_at"):
        latest[s.subject_id] = s
    return latest


def casebook_signatures(*, subject_ids) -> tuple[dict, dict]:
    """(subject id -> its valid casebook signature, subject id -> its last voided one), in
    one query (at most one valid signature a subject, a constraint of the table)."""
    valid: dict[int, CasebookSignature] = {}
    voided: dict[int, CasebookSignature] = {}
    rows = CasebookSignature.objects.filter(subject__in=subject_ids).order_by("voided_at", "pk")
    for s in rows:
        if s.voided_at is None:
            valid[s.subject_id] = s
        else:
            voided[s.subject_id] = s
    return valid, voided


@dataclass
class SubjectRow:
    subject: Subject
    sdv: rules.Counts
    full: bool
    signature: CasebookSignature | None
    voided: CasebookSignature | None


def site_overview(sites) -> list[SubjectRow]:
    """Subjects of the sites with their verification and casebook state (constant queries)."""
    subjects = list(Subject.objects.filter(site__in=_site_ids(sites)).select_related("site"))
    ids = [s.pk for s in subjects]
    sdv: dict[int, rules.Counts] = defaultdict(rules.Counts)
    for rec in records_sdv(subject_ids=ids):
        sdv[rec.subject_id].add(rec.counts)
    signed, voided = casebook_signatures(subject_ids=ids)
    return [
        SubjectRow(
            subject=s,
            sdv=sdv.get(s.pk, rules.Counts()),
            full=subject_full_sdv(s.subject_number),
            signature=signed.get(s.pk),
            voided=voided.get(s.pk),
        )
        for s in subjects
    ]


@dataclass
class VisitGroup:
    visit: SubjectVisit | None
    records: list = field(default_factory=list)
    counts: rules.Counts = field(default_factory=rules.Counts)


def casebook(subject) -> list[VisitGroup]:
    """The subject's records per visit (and the records outside a visit last), each with its
    verification, and the verification of each visit (constant queries)."""
    records = records_sdv(subject_ids=[subject.pk])
    visits = {v.pk: VisitGroup(visit=v) for v in subject.visits.order_by("order")}
    other = VisitGroup(visit=None)
    for rec in sorted(records, key=lambda r: (r.info.label, r.record_id)):
        group = visits.get(rec.visit_id, other)
        group.records.append(rec)
        group.counts.add(rec.counts)
    return [*visits.values(), other]


def visit_records(visit) -> list[RecordSdv]:
    return [r for r in records_sdv(subject_ids=[visit.subject_id]) if r.visit_id == visit.pk]


def _casebook_url(subject_id: int) -> str:
    return reverse("datamanagement:casebook", args=[subject_id])


def critical_items_unverified(site=None) -> list[tuple[str, str]]:
    """What blocks a database lock on the verification side: subjects with critical items
    not verified (or changed since verified), as (text, url)."""
    found = []
    numbers: dict[int, str] = {}
    critical = defaultdict(int)
    for rec in records_sdv(site=site):
        numbers[rec.subject_id] = rec.subject_number
        for name, status in rec.items.items():
            if name in rec.info.critical and status != rules.VERIFIED:
                critical[rec.subject_id] += 1
    for subject_id, n in sorted(critical.items(), key=lambda kv: numbers[kv[0]]):
        found.append(
            (
                _("%(subject)s: %(n)d critical items not verified")
                % {"subject": numbers[subject_id], "n": n},
                _casebook_url(subject_id),
            )
        )
    return found


def casebooks_unsigned(site=None) -> list[tuple[str, str]]:
    """Subjects whose casebook has no valid signature, as (text, url) (one query)."""
    from django.db.models import Exists, OuterRef

    subjects = Subject.objects.all()
    if site is not None:
        subjects = subjects.filter(site__in=_site_ids(site))
    signed = CasebookSignature.objects.filter(subject=OuterRef("pk"), voided_at__isnull=True)
    return [
        (_("%(subject)s: casebook not signed") % {"subject": number}, _casebook_url(pk))
        for pk, number in subjects.filter(~Exists(signed)).values_list("pk", "subject_number")
    ]


def records_with_seq(records: list[RecordSdv]) -> list[RecordSdv]:
    """Fill each record's latest history entry: one query for every CRF model among them."""
    by_model = defaultdict(list)
    for rec in records:
        by_model[rec.info.model].append(rec.record_id)
    latest = latest_seqs(by_model)
    for rec in records:
        rec.seq = latest.get((rec.info.model, rec.record_id), 0)
    return records


def casebooks_to_sign_count(user) -> int:
    """Subjects of the user's sites whose casebook has no valid signature (one query)."""
    from django.db.models import Exists, OuterRef

    from trial_edc.accounts.selectors import scope_to_sites

    signed = CasebookSignature.objects.filter(subject=OuterRef("pk"), voided_at__isnull=True)
    return scope_to_sites(Subject.objects.all(), user).filter(~Exists(signed)).count()


def subject_dashboard_state(subject_id: int) -> dict:
    """Items verified, changed since verified, and the valid casebook signature's printed
    name and time, of one subject (one query)."""
    from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
    from django.db.models.functions import Coalesce

    rows = SourceVerification.objects.filter(subject=OuterRef("pk")).order_by().values("subject")
    signature = CasebookSignature.objects.filter(subject=OuterRef("pk"), voided_at__isnull=True)
    state = (
        Subject.objects.filter(pk=subject_id)
        .annotate(
            verified=Coalesce(
                Subquery(
                    rows.annotate(n=Count("pk", filter=Q(changed_at__isnull=True))).values("n"),
                    output_field=IntegerField(),
                ),
                0,
            ),
            changed=Coalesce(
                Subquery(
                    rows.annotate(n=Count("pk", filter=Q(changed_at__isnull=False))).values("n"),
                    output_field=IntegerField(),
                ),
                0,
            ),
            signed_by=Subquery(signature.values("printed_name")[:1]),
            signed_at=Subquery(signature.values("signed_at")[:1]),
        )
        .values("verified", "changed", "signed_by", "signed_at")
        .first()
    )
    return state or {"verified": 0, "changed": 0, "signed_by": None, "signed_at": None}
