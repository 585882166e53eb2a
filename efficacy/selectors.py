"""What the visit pages, the dashboard's visit schedule and the change-from-baseline tables
show, each in a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404

from efficacy import outcomes, rules, visit_rules
from efficacy.charts import visit_lines_svg
from efficacy.models import FollowUpStatus, LabResult, VitalStatus
from efficacy.visit_forms import VISIT_FORMS, saved_forms, with_saved_forms
from enrollment import selectors as enrollment_selectors
from enrollment.models import Subject, SubjectVisit
from enrollment.services import site_date
from trial_edc.accounts.selectors import scope_to_sites
from trial_edc.study import study


@dataclass
class FormStatus:
    key: str
    label: str
    url_name: str
    saved: bool
    missing: bool


@dataclass
class VisitRow:
    visit: SubjectVisit
    status: str  # upcoming, due, overdue, done, missed, not_applicable
    forms: list[FormStatus]

    @property
    def label(self) -> str:
        return str(enrollment_selectors.VISIT_STATUS_LABELS[self.status])

    @property
    def missing(self) -> list[FormStatus]:
        return [f for f in self.forms if f.missing]


def _row(visit: SubjectVisit, today, required: tuple[str, ...]) -> VisitRow:
    status = enrollment_selectors.visit_status(visit, today)
    saved = saved_forms(visit)
    missing = set(
        visit_rules.missing_forms(
            required=required, saved=saved, timing=status, outcome=visit.outcome
        )
    )
    forms = [
        FormStatus(
            key,
            str(VISIT_FORMS[key].label),
            VISIT_FORMS[key].url_name,
            key in saved,
            key in missing,
        )
        for key in required
    ]
    return VisitRow(visit, status, forms)


def _required(visit: SubjectVisit) -> tuple[str, ...]:
    configured = study().visit(visit.code).forms
    return visit_rules.required_forms(configured, code=visit.code, died=visit.died)


def _with_forms_and_death(visits):
    dead = FollowUpStatus.objects.filter(visit=OuterRef("pk"), vital_status=VitalStatus.DEAD)
    return with_saved_forms(visits).annotate(died=Exists(dead))


def visit_rows(subject: Subject) -> list[VisitRow]:
    """The subject's schedule with, per visit, which required forms are saved or missing."""
    visits = _with_forms_and_death(subject.visits.order_by("order"))
    today = site_date(subject.site)
    return [_row(v, today, _required(v)) for v in visits]


def visit_page(subject: Subject, code: str) -> dict:
    visit = (
        _with_forms_and_death(SubjectVisit.objects.filter(subject=subject, code=code))
        .select_related("pft", "hrct", "follow_up", "lab_panel")
        .prefetch_related(
            Prefetch("lab_panel__results", queryset=LabResult.objects.order_by("test_code")),
            "blood_gases",
        )
        .first()
    )
    if visit is None:
        raise Http404
    row = _row(visit, site_date(subject.site), _required(visit))
    labs = {t.code: t for t in study().labs}
    panel = getattr(visit, "lab_panel", None)
    return {
        "visit": visit,
        "row": row,
        "pft": getattr(visit, "pft", None),
        "hrct": getattr(visit, "hrct", None),
        "follow_up": getattr(visit, "follow_up", None),
        "lab_panel": panel,
        "lab_results": [(labs[r.test_code], r) for r in panel.results.all()] if panel else [],
        "gases": sorted(visit.blood_gases.all(), key=lambda g: g.sampled_at),
        "hrct_zones": list(rules.hrct_zone_scores(visit.hrct.zone_scores()).items())
        if getattr(visit, "hrct", None)
        else [],
    }


def subject_change_table(subject: Subject) -> list[outcomes.SubjectRow]:
    values = outcomes.collect_values([subject.pk])
    return outcomes.subject_table(values.get(subject.pk, {}))


def study_summary(user) -> dict:
    """The study-level change-from-baseline tables and charts of the subjects the user sees."""
    subjects = enrollment_selectors.subjects_for(user)
    numbers = dict(subjects.values_list("pk", "subject_number"))
    values = outcomes.collect_values(list(numbers))
    visits = [(v.code, v.name.split(" (")[0]) for v in outcomes.efficacy_visits()]
    return {
        "summaries": outcomes.study_table(values),
        "visits": outcomes.efficacy_visits(),
        "subject_count": len(numbers),
        "charts": [
            visit_lines_svg(
                "PaO2/FiO2 (mmHg) by visit",
                outcomes.series_by_subject(values, numbers, "PF_RATIO"),
                visits,
            ),
            visit_lines_svg(
                "HRCT total score by visit",
                outcomes.series_by_subject(values, numbers, "HRCT_TOTAL"),
                visits,
            ),
        ],
    }


def deviations(user):
    """Out-of-window visits of the user's sites (the protocol deviation log)."""
    return (
        scope_to_sites(
            SubjectVisit.objects.filter(out_of_window=True), user, site_path="subject__site"
        )
        .select_related("subject__site")
        .order_by("subject__subject_number", "order")
    )
