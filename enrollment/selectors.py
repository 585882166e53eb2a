"""Reads shared by the enrollment pages; each runs a fixed number of queries."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from enrollment.models import EligibilityDeviation, Screening, Subject, SubjectVisit
from enrollment.rules import CONSENT_TAKER_ROLES, criterion_failure_text
from enrollment.schedule.selectors import overdue_visits
from trial_edc.accounts.models import User
from trial_edc.accounts.roles import GROUP_NAMES
from trial_edc.accounts.selectors import scope_to_sites
from trial_edc.core.registry import subject_facts
from trial_edc.study import study


def screenings_for(user) -> QuerySet[Screening]:
    return scope_to_sites(Screening.objects.all(), user).select_related(
        "site", "subject", "rescreen_of", "rescreened_as"
    )


def consent_takers(site) -> QuerySet[User]:
    """Who may be recorded as taking consent at `site` (enrollment.rules.CONSENT_TAKER_ROLES):
    its active coordinators and investigators."""
    return (
        User.objects.filter(
            memberships__site=site,
            is_active=True,
            groups__name__in=[GROUP_NAMES[r] for r in CONSENT_TAKER_ROLES],
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


def screening_log(user, *, status: str = "") -> tuple[QuerySet[Screening], dict]:
    """The screening log (optionally one status) and the count of each status."""
    base = screenings_for(user)
    counts = dict(base.order_by().values_list("status").annotate(n=Count("id")))
    rows = base.filter(status=status) if status else base
    return rows.order_by("-screening_date", "-id"), counts


def subjects_for(user) -> QuerySet[Subject]:
    return scope_to_sites(Subject.objects.all(), user).select_related("site", "screening")


def subject_or_404(user, pk: int) -> Subject:
    """A subject of the user's sites, with its site (what a CRF page and its service read)."""
    return get_object_or_404(scope_to_sites(Subject.objects.select_related("site"), user), pk=pk)


def visit_or_404(user, subject_pk: int, code: str) -> SubjectVisit:
    """A visit of a subject of the user's sites, with its subject (its site and screening) in
    the same query: a 404 if either is not there or not theirs."""
    visits = scope_to_sites(
        SubjectVisit.objects.select_related("subject__site", "subject__screening"),
        user,
        "subject__site",
    )
    return get_object_or_404(visits, subject_id=subject_pk, code=code)


def subject_list(user, *, today: date, status: str = "", overdue: bool = False):
    """Subjects with their overdue-visit flag, filtered, and counts by status and overdue."""
    base = subjects_for(user).annotate(has_overdue=Exists(overdue_visits(today)))
    counts = base.order_by().aggregate(
        total=Count("id"),
        on_study=Count("id", filter=Q(status=Subject.Status.ON_STUDY)),
        completed=Count("id", filter=Q(status=Subject.Status.COMPLETED)),
        withdrawn=Count("id", filter=Q(status=Subject.Status.WITHDRAWN)),
        died=Count("id", filter=Q(status=Subject.Status.DIED)),
        overdue=Count("id", filter=Q(has_overdue=True)),
    )
    rows = base
    if status:
        rows = rows.filter(status=status)
    if overdue:
        rows = rows.filter(has_overdue=True)
    return rows.order_by("subject_number"), counts


def subject_dashboard(user, pk: int) -> Subject:
    """One subject with everything its dashboard shows, in a fixed number of queries, with
    what the apps read with a subject (`core.registry.subject_facts`); its panels share what
    else they read of it (`subject_read`)."""
    open_deviations = (
        EligibilityDeviation.objects.filter(screening=OuterRef("screening"), reviewed_at=None)
        .order_by()
        .values("screening")
        .annotate(n=Count("pk"))
        .values("n")
    )
    subject = (
        subjects_for(user)
        .select_related(
            "enrolled_by",
            "screening__checklist",
            "screening__consent__taken_by",
        )
        .annotate(open_eligibility_deviations=Coalesce(Subquery(open_deviations), 0))
    )
    for fact in subject_facts:
        subject = subject.annotate(**fact.annotations())
    subject = subject.get(pk=pk)
    subject._reads = {}
    return subject


def subject_read(subject: Subject, key: str, compute):
    """`compute()` once for a subject read by `subject_dashboard` (its panels read its doses,
    vital signs and blood gases once between them); for any other subject object, each
    time."""
    reads = getattr(subject, "_reads", None)
    if reads is None:
        return compute()
    if key not in reads:
        reads[key] = compute()
    return reads[key]


def failure_label(failure: dict) -> str:
    """The same label for every failure of one criterion (age messages carry the age)."""
    if failure["code"] == "date_of_birth":
        s = study()
        return _("Age outside %(min)d–%(max)d years at consent") % {
            "min": s.age_min,
            "max": s.age_max,
        }
    return criterion_failure_text(failure["code"]) or failure["text"]


@dataclass
class ConsortFlow:
    screened: int
    in_screening: int
    eligible_waiting: int
    screen_failures: int
    failures_by_criterion: list[tuple[str, int]]
    withdrawn_before_treatment: int
    enrolled: int
    on_study: int
    completed: int
    withdrawn: int
    died: int


def consort_flow(user) -> ConsortFlow:
    """Screening to enrolment in the shape of a CONSORT diagram; 3 queries."""
    screenings = screenings_for(user).order_by()
    by_status = dict(screenings.values_list("status").annotate(n=Count("id")))
    failed = screenings.filter(status=Screening.Status.SCREEN_FAILURE).values_list(
        "failed_criteria", flat=True
    )
    by_criterion: dict[str, int] = {}
    for criteria in failed:
        for failure in criteria:
            label = failure_label(failure)
            by_criterion[label] = by_criterion.get(label, 0) + 1
    subjects = subjects_for(user).order_by()
    by_subject_status = dict(subjects.values_list("status").annotate(n=Count("id")))
    s = Screening.Status
    return ConsortFlow(
        screened=sum(by_status.values()),
        in_screening=by_status.get(s.IN_SCREENING, 0),
        eligible_waiting=by_status.get(s.ELIGIBLE, 0),
        screen_failures=by_status.get(s.SCREEN_FAILURE, 0),
        failures_by_criterion=sorted(by_criterion.items(), key=lambda kv: (-kv[1], kv[0])),
        withdrawn_before_treatment=by_status.get(s.WITHDRAWN, 0),
        enrolled=by_status.get(s.ENROLLED, 0),
        on_study=by_subject_status.get(Subject.Status.ON_STUDY, 0),
        completed=by_subject_status.get(Subject.Status.COMPLETED, 0),
        withdrawn=by_subject_status.get(Subject.Status.WITHDRAWN, 0),
        died=by_subject_status.get(Subject.Status.DIED, 0),
    )
