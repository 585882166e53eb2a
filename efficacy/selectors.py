"""What the visit pages, the dashboard's visit schedule and the change-from-baseline tables
show, each in a fixed number of queries."""

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _

from dosing.selectors import treatments_at_baseline
from efficacy import endpoints, rules
from efficacy import table_one as t1
from efficacy.models import LabResult
from enrollment import selectors as enrollment_selectors
from enrollment.models import Subject, SubjectVisit
from enrollment.schedule import selectors as schedule
from trial_edc.core.charts import visit_lines_svg
from trial_edc.core.clock import site_today
from trial_edc.study import study


def visit_page(subject: Subject, code: str) -> dict:
    visit = (
        schedule.with_saved_forms(SubjectVisit.objects.filter(subject=subject, code=code))
        .select_related("pft", "hrct", "follow_up", "lab_panel")
        .prefetch_related(
            Prefetch("lab_panel__results", queryset=LabResult.objects.order_by("test_code")),
            "blood_gases",
        )
        .first()
    )
    if visit is None:
        raise Http404
    row = schedule.visit_row(visit, site_today(subject.site))
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


def subject_change_table(subject: Subject) -> list[endpoints.SubjectRow]:
    values = endpoints.collect_values([subject.pk])
    return endpoints.subject_table(values.get(subject.pk, {}))


def study_summary(user) -> dict:
    """The study-level change-from-baseline tables and charts of the subjects the user sees."""
    subjects = enrollment_selectors.subjects_for(user)
    numbers = dict(subjects.values_list("pk", "subject_number"))
    values = endpoints.collect_values(list(numbers))
    visits = [(v.code, v.name.split(" (")[0]) for v in endpoints.efficacy_visits()]
    return {
        "summaries": endpoints.study_table(values),
        "visits": endpoints.efficacy_visits(),
        "subject_count": len(numbers),
        "charts": [
            visit_lines_svg(
                _("PaO2/FiO2 (mmHg) by visit"),
                endpoints.series_by_subject(values, numbers, "PF_RATIO"),
                visits,
            ),
            visit_lines_svg(
                _("HRCT total score by visit"),
                endpoints.series_by_subject(values, numbers, "HRCT_TOTAL"),
                visits,
            ),
        ],
    }


def table_one(user) -> dict:
    """Table 1 of the enrolled subjects the user sees: six queries whatever their number (the
    subjects with their screening forms, the four efficacy sources, the con-med list)."""
    subjects = list(
        enrollment_selectors.subjects_for(user)
        .select_related(
            "screening__consent", "screening__demographics", "screening__disease_history"
        )
        .order_by("subject_number")
    )
    ids = [s.pk for s in subjects]
    values = endpoints.collect_values(ids)
    treatments = treatments_at_baseline(ids)

    def consent_date(subject):
        consent = getattr(subject.screening, "consent", None)
        return site_today(subject.site, consent.signed_at) if consent else None

    facts = [
        t1.facts_of(s, values.get(s.pk, {}), treatments.get(s.pk, set()), consent_date(s))
        for s in subjects
    ]
    return {"rows": t1.build(facts), "subject_count": len(subjects)}
