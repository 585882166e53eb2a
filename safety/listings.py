"""The safety listings' data: AE rows with their current state after follow-ups (worst grade,
current outcome and end date), derived flags, serious periods and signature, and the summary
(counted by worst grade).

A fixed number of queries whatever the number of AEs: the AEs (with subject, site, CTCAE term
and the last dose given annotated), then their follow-ups, serious periods and valid
signatures."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safety import selectors
from safety.models import AdverseEvent, AdverseEventSignature, Grade, SeriousAdverseEventReport
from safety.rules import AdverseEventDerived, CurrentState
from trial_edc.accounts.selectors import scope_to_sites
from trial_edc.study import study

CRITERIA_LABELS = {
    "aesdth": gettext_lazy("death"),
    "aeslife": gettext_lazy("life-threatening"),
    "aeshosp": gettext_lazy("hospitalisation"),
    "aesdisab": gettext_lazy("disability"),
    "aescong": gettext_lazy("congenital anomaly"),
    "aesmie": gettext_lazy("important medical event"),
}


@dataclass(frozen=True)
class ListingFilter:
    site_codes: tuple[str, ...] = ()
    subject_number: str = ""
    onset_from: date | None = None
    onset_to: date | None = None
    serious_only: bool = False

    def describe(self) -> str:
        parts = []
        if self.site_codes:
            parts.append(_("sites %(codes)s") % {"codes": ", ".join(self.site_codes)})
        if self.subject_number:
            parts.append(_("subject %(n)s") % {"n": self.subject_number})
        if self.onset_from or self.onset_to:
            parts.append(
                _("onset %(start)s to %(end)s")
                % {"start": self.onset_from or "…", "end": self.onset_to or "…"}
            )
        if self.serious_only:
            parts.append(_("serious only"))
        return "; ".join(parts) or _("all adverse events")


@dataclass
class ListingRow:
    ae: AdverseEvent
    derived: AdverseEventDerived
    signature: AdverseEventSignature | None
    state: CurrentState
    sae_periods: list[SeriousAdverseEventReport] = field(default_factory=list)

    @property
    def criteria(self) -> str:
        return ", ".join(
            str(label) for name, label in CRITERIA_LABELS.items() if getattr(self.ae, name)
        )

    @property
    def grade(self) -> str:
        """The worst grade, with the initial one beside it when they differ: "5 (1)"."""
        s = self.state
        return str(s.worst_grade) + (
            f" ({s.initial_grade})" if s.initial_grade != s.worst_grade else ""
        )

    @property
    def outcome(self) -> str:
        return selectors.outcome_label(self.state.outcome)

    @property
    def end(self) -> str:
        if self.state.end:
            return self.state.end.isoformat()
        return _("ongoing") if self.state.ongoing else "-"

    @property
    def sae_report(self) -> SeriousAdverseEventReport | None:
        """The latest serious period."""
        return self.sae_periods[-1] if self.sae_periods else None


@dataclass
class Summary:
    subjects_with_ae: int = 0
    total: int = 0
    serious: int = 0
    in_window: int = 0
    by_grade: list[tuple[str, int]] = field(default_factory=list)
    by_relationship: list[tuple[str, int]] = field(default_factory=list)
    by_soc: list[tuple[str, int]] = field(default_factory=list)


def listing_queryset(user, f: ListingFilter):
    events = AdverseEvent.objects.all()
    if user is not None:
        events = scope_to_sites(events, user, "subject__site")
    if f.site_codes:
        events = events.filter(subject__site__code__in=f.site_codes)
    if f.subject_number:
        events = events.filter(subject__subject_number=f.subject_number)
    if f.onset_from:
        events = events.filter(aestdtc__gte=f.onset_from)
    if f.onset_to:
        events = events.filter(aestdtc__lte=f.onset_to)
    if f.serious_only:
        events = events.filter(aeser=True)
    valid = AdverseEventSignature.objects.filter(voided_at__isnull=True)
    return (
        selectors.with_last_dose_given(events)
        .select_related("subject__site", "ctcae_term")
        .prefetch_related(Prefetch("signatures", queryset=valid, to_attr="valid_signatures"))
        .order_by("subject__subject_number", "aestdtc", "id")
    )


def listing_rows(user, f: ListingFilter) -> list[ListingRow]:
    return [
        ListingRow(
            ae,
            selectors.derived(ae),
            (ae.valid_signatures or [None])[0],
            selectors.current_state(ae),
            selectors.sae_periods_of(ae),
        )
        for ae in listing_queryset(user, f)
    ]


def summarize(rows: list[ListingRow]) -> Summary:
    grades = Counter(r.state.worst_grade for r in rows)
    relationships = Counter(r.ae.get_aerel_display() for r in rows)
    socs = Counter(r.ae.soc or _("(no CTCAE term)") for r in rows)
    return Summary(
        subjects_with_ae=len({r.ae.subject_id for r in rows}),
        total=len(rows),
        serious=sum(r.ae.aeser for r in rows),
        in_window=sum(r.derived.in_safety_window for r in rows),
        by_grade=[(str(label), grades.get(value, 0)) for value, label in Grade.choices],
        by_relationship=[
            (str(label), relationships.get(str(label), 0))
            for _, label in AdverseEvent.Relationship.choices
        ],
        by_soc=sorted(socs.items(), key=lambda kv: (-kv[1], kv[0])),
    )


@dataclass
class ListingContext:
    title: str
    protocol_id: str
    sites: str
    cut_off: datetime
    generated_by: str
    filters: str
    rows: list[ListingRow]
    serious_rows: list[ListingRow]
    summary: Summary


def listing_context(*, user, f: ListingFilter, generated_by: str, cut_off: datetime):
    rows = listing_rows(user, f)
    sites = sorted({r.ae.subject.site.code for r in rows}) or list(f.site_codes)
    return ListingContext(
        title=_("Safety listings"),
        protocol_id=study().protocol_id,
        sites=", ".join(sites) or "—",
        cut_off=cut_off,
        generated_by=generated_by,
        filters=f.describe(),
        rows=rows,
        serious_rows=[r for r in rows if r.ae.aeser],
        summary=summarize(rows),
    )
