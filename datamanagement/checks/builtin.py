"""The study's edit checks. Each reads its CRF through the CRF registry (never a CRF model by
name) in one or two SQL queries whatever the subjects."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from datamanagement.checks.rules import Check, Finding, checks
from enrollment.models import SubjectVisit
from enrollment.schedule import selectors as schedule
from trial_edc.core import registry
from trial_edc.core.clock import site_today
from trial_edc.study import study


def _model(label: str):
    crf = registry.crf_models.get(label)
    return crf.model if crf is not None else None


def _subjects(rows, path: str, subject_ids):
    return rows if subject_ids is None else rows.filter(**{f"{path}__in": list(subject_ids)})


# --- a required form missing after its visit window closed ------------------------------


def required_form_missing(subject_ids) -> list[Finding]:
    """Visits whose window has closed (by the site's clock) with a required form not saved
    (the visit date among them); missed and not applicable visits miss nothing. One query."""
    latest_today = timezone.localdate() + timedelta(days=1)  # no site's date is later
    visits = schedule.with_saved_forms(
        _subjects(
            SubjectVisit.objects.filter(window_end__lt=latest_today).select_related(
                "subject__site"
            ),
            "subject_id",
            subject_ids,
        ).order_by("subject_id", "order")
    )
    found, todays = [], {}
    for visit in visits:
        site = visit.subject.site
        today = todays.setdefault(site.pk, site_today(site))
        if visit.window_end >= today:
            continue
        for form in schedule.visit_row(visit, today).missing:
            found.append(
                Finding(
                    label="enrollment.subjectvisit",
                    record_id=visit.pk,
                    field=form.key,
                    site_id=site.pk,
                    subject_id=visit.subject_id,
                    visit_id=visit.pk,
                    text=_(
                        "The required form '%(form)s' of %(visit)s is missing: the visit "
                        "window closed on %(end)s. Enter it, or mark the visit missed."
                    )
                    % {"form": form.label, "visit": visit.display_name, "end": visit.window_end},
                )
            )
    return found


# --- a laboratory value outside the plausible range with no comment --------------------

LAB = "efficacy.labresult"


def lab_value_implausible(subject_ids) -> list[Finding]:
    """Laboratory results whose value in the study unit lies outside the test's plausible
    range (study().labs) with no comment explaining it. The lab form refuses such values;
    they arrive by other paths (an import, a correction in SQL, a range narrowed later).
    The result model has no comment field today: a `comment` field, once added, silences
    the check for a commented value. One query."""
    model = _model(LAB)
    if model is None:
        return []
    outside = Q()
    for test in study().labs:
        outside |= Q(test_code=test.code) & (
            Q(value_standard__lt=test.plausible.low) | Q(value_standard__gt=test.plausible.high)
        )
    if not outside:
        return []
    subject_path = registry.crf_models[LAB].subject_path
    visit_path = subject_path.removesuffix("__subject")
    rows = _subjects(model.objects.filter(outside), subject_path, subject_ids)
    if any(f.name == "comment" for f in model._meta.concrete_fields):
        rows = rows.filter(comment="")
    plausible = {t.code: t for t in study().labs}
    found = []
    for pk, code, value, unit, subject_id, visit_id, site_id in rows.order_by("pk").values_list(
        "pk", "test_code", "value", "unit", subject_path, visit_path, model.site_path
    ):
        test = plausible[code]
        found.append(
            Finding(
                label=LAB,
                record_id=pk,
                field="value",
                site_id=site_id,
                subject_id=subject_id,
                visit_id=visit_id,
                text=_(
                    "%(test)s %(value)s %(unit)s lies outside the plausible range "
                    "%(low)s–%(high)s %(std)s and has no comment. Check the value and its unit."
                )
                % {
                    "test": test.name,
                    "value": value,
                    "unit": unit,
                    "low": test.plausible.low,
                    "high": test.plausible.high,
                    "std": test.unit,
                },
            )
        )
    return found


# --- an adverse event recovered with no end date -----------------------------------------

AE = "safety.adverseevent"
RECOVERED = "RECOVERED/RESOLVED"  # CDISC OUT, as safety stores it


def ae_recovered_without_end(subject_ids) -> list[Finding]:
    """Adverse events whose outcome is "recovered" but that have no end date. One query."""
    model = _model(AE)
    if model is None:
        return []
    subject_path = registry.crf_models[AE].subject_path
    rows = _subjects(
        model.objects.filter(aeout=RECOVERED, aeendtc__isnull=True), subject_path, subject_ids
    )
    return [
        Finding(
            label=AE,
            record_id=pk,
            field="aeendtc",
            site_id=site_id,
            subject_id=subject_id,
            visit_id=None,
            text=_(
                "The adverse event '%(term)s' is recovered but has no end date. Enter the end "
                "date, or correct the outcome."
            )
            % {"term": term},
        )
        for pk, term, subject_id, site_id in rows.order_by("pk").values_list(
            "pk", "aeterm", subject_path, model.site_path
        )
    ]


def _visit_forms() -> set[str]:
    """What `required_form_missing` reads: the visit and its registered forms."""
    return {"enrollment.subjectvisit"} | {
        f.model._meta.label_lower for f in registry.visit_forms if f.model is not None
    }


def register() -> None:
    for check in (
        Check(
            "required_form_missing",
            1,
            gettext_lazy("A required form is missing after its visit window closed"),
            "enrollment.subjectvisit",
            required_form_missing,
            order=10,
            reads=_visit_forms,
        ),
        Check(
            "lab_value_implausible",
            1,
            gettext_lazy("A laboratory value lies outside the plausible range, with no comment"),
            LAB,
            lab_value_implausible,
            order=20,
            reads=("efficacy.labpanel",),
        ),
        Check(
            "ae_recovered_without_end",
            1,
            gettext_lazy("An adverse event is recovered but has no end date"),
            AE,
            ae_recovered_without_end,
            order=30,
        ),
    ):
        checks.register(check)
