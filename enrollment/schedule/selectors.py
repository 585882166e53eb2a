"""What the schedule shows: each visit's status and which required forms are saved or
missing, the deviation log, and the subjects in treatment on a day; fixed query counts."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Value
from django.utils.translation import gettext_lazy as _

from enrollment.models import Subject, SubjectVisit
from enrollment.schedule import rules
from trial_edc.accounts.access import request_memo
from trial_edc.accounts.models import Site
from trial_edc.accounts.selectors import scope_to_sites, sites_for
from trial_edc.core.clock import site_today
from trial_edc.core.registry import subject_facts, visit_forms
from trial_edc.study import study

VISIT_STATUS_LABELS = {
    rules.UPCOMING: _("Upcoming"),
    rules.DUE: _("Due"),
    rules.OVERDUE: _("Overdue"),
    **dict(SubjectVisit.Outcome.choices),
}


def visit_status(visit: SubjectVisit, today: date) -> str:
    if visit.outcome != SubjectVisit.Outcome.PLANNED:
        return visit.outcome
    return rules.visit_timing(
        window_start=visit.window_start, window_end=visit.window_end, today=today
    )


def overdue_visits(today: date) -> QuerySet[SubjectVisit]:
    """Planned visits of the outer query's subject whose window closed before `today`."""
    return SubjectVisit.objects.filter(
        subject=OuterRef("pk"), outcome=SubjectVisit.Outcome.PLANNED, window_end__lt=today
    )


def with_saved_forms(visits: QuerySet) -> QuerySet:
    """Annotate `saved_<key>` for every registered visit form (one EXISTS each) and `died`
    (a form that records the subject's death is saved): no query per visit."""
    forms = [f for f in visit_forms if f.model is not None]
    death = Q()
    for f in forms:
        if f.records_death:
            death |= Q(Exists(f.model.objects.filter(visit=OuterRef("pk"), **f.records_death)))
    annotated = visits.annotate(
        **{f"saved_{f.key}": Exists(f.model.objects.filter(visit=OuterRef("pk"))) for f in forms}
    )
    died = ExpressionWrapper(death, output_field=BooleanField()) if death else Value(False)
    return annotated.annotate(died=died)


def saved_forms(visit) -> set[str]:
    """Keys saved for a visit annotated by `with_saved_forms`."""
    saved = {f.key for f in visit_forms if f.model and getattr(visit, f"saved_{f.key}")}
    if visit.visit_date is not None:
        saved.add(rules.VISIT_DATE)
    return saved


def required_forms(visit) -> tuple[str, ...]:
    """What a visit annotated by `with_saved_forms` requires (the configured forms)."""
    return rules.required_forms(
        study().visit(visit.code).forms, code=visit.code, died=bool(visit.died)
    )


@dataclass
class FormStatus:
    key: str
    label: str
    url_name: str
    saved: bool
    missing: bool
    # who may open its page: the add permission of its model (the visit date: change visit)
    permission: str = "enrollment.change_subjectvisit"


@dataclass
class VisitRow:
    visit: SubjectVisit
    status: str  # upcoming, due, overdue, done, missed, not_applicable
    forms: list[FormStatus]

    @property
    def label(self) -> str:
        return str(VISIT_STATUS_LABELS[self.status])

    @property
    def missing(self) -> list[FormStatus]:
        return [f for f in self.forms if f.missing]


def visit_row(visit: SubjectVisit, today: date) -> VisitRow:
    """One visit annotated by `with_saved_forms`: its status and its required forms."""
    status = visit_status(visit, today)
    saved = saved_forms(visit)
    required = required_forms(visit)
    missing = set(
        rules.missing_forms(required=required, saved=saved, timing=status, outcome=visit.outcome)
    )
    return VisitRow(
        visit,
        status,
        [
            FormStatus(
                key,
                str(visit_forms[key].label),
                visit_forms[key].url_name,
                key in saved,
                key in missing,
                page_permission(visit_forms[key].model),
            )
            for key in required
        ],
    )


def visit_rows(subject: Subject) -> list[VisitRow]:
    """The subject's schedule with, per visit, which required forms are saved or missing."""
    visits = with_saved_forms(subject.visits.order_by("order"))
    today = site_today(subject.site)
    return [visit_row(v, today) for v in visits]


def deviations(user) -> QuerySet[SubjectVisit]:
    """Out-of-window visits of the user's sites (the protocol deviation log)."""
    return (
        scope_to_sites(
            SubjectVisit.objects.filter(out_of_window=True), user, site_path="subject__site"
        )
        .select_related("subject__site")
        .order_by("subject__subject_number", "order")
    )


def subjects_in_treatment(days) -> list[Subject]:
    """Subjects on study whose treatment day it is at their site (`days`: the run's SiteDays
    with `site` and `today`), in one query."""
    last = study().treatment_days
    in_treatment = Q()
    for d in days:
        in_treatment |= Q(site=d.site, day1__range=(d.today - timedelta(days=last - 1), d.today))
    if not in_treatment:
        return []
    return list(
        Subject.objects.filter(in_treatment, status=Subject.Status.ON_STUDY).order_by(
            "subject_number"
        )
    )


@dataclass(frozen=True)
class SiteToday:
    """One of the user's sites and its date now, by its own clock."""

    site: Site
    today: date


def _active_sites(user) -> list[Site]:
    return request_memo(user, "active_sites", lambda: list(sites_for(user).filter(is_active=True)))


def sites_today(user) -> list[SiteToday]:
    """The user's active sites with their dates now (one query, once per request)."""
    return [SiteToday(s, site_today(s)) for s in _active_sites(user)]


def sites_known(user, sites) -> None:
    """The user's sites, already read for the page (the home page's site overview, every
    site of the user in code order): `sites_today` takes the active ones from them instead
    of reading them again."""
    request_memo(user, "active_sites", lambda: [s for s in sites if s.is_active])


def subjects_of(user) -> list[Subject]:
    """Every subject of the user's sites with its site and screening, by subject number,
    with what the apps read with it (`core.registry.subject_facts`): one query, once per
    request, shared by the home page's worklists."""

    def read() -> list[Subject]:
        rows = scope_to_sites(Subject.objects.all(), user).select_related("site", "screening")
        for fact in subject_facts:
            if fact.worklists:
                rows = rows.annotate(**fact.annotations())
        return list(rows.order_by("subject_number"))

    return request_memo(user, "subjects_of", read)


def in_treatment_today(user) -> list[tuple[Subject, SiteToday]]:
    """The subjects of `subjects_of(user)` on study whose treatment day it is today at their
    (active) site, each with its site's date: what `subjects_in_treatment(sites_today(user))`
    finds, without a query of its own."""
    by_site = {d.site.pk: d for d in sites_today(user)}
    last = study().treatment_days
    found = []
    for s in subjects_of(user):
        d = by_site.get(s.site_id)
        if d is None or s.status != Subject.Status.ON_STUDY or s.day1 is None:
            continue
        if d.today - timedelta(days=last - 1) <= s.day1 <= d.today:
            found.append((s, d))
    return found


def visits_open_today(user) -> list[SubjectVisit]:
    """Planned visits of subjects on study whose window is open today at their site (two
    queries whatever the subjects)."""
    days = sites_today(user)
    open_now = Q()
    for d in days:
        open_now |= Q(subject__site=d.site, window_start__lte=d.today, window_end__gte=d.today)
    if not open_now:
        return []
    return list(
        SubjectVisit.objects.filter(
            open_now,
            outcome=SubjectVisit.Outcome.PLANNED,
            subject__status=Subject.Status.ON_STUDY,
        )
        .select_related("subject__site")
        .order_by("window_end", "subject__subject_number", "order")
    )


def page_permission(model) -> str:
    """Who may open a visit form's page: the add permission of its model (the visit date:
    change visit)."""
    if model is None:
        return "enrollment.change_subjectvisit"
    return f"{model._meta.app_label}.add_{model._meta.model_name}"
