"""What enrollment plugs into the base (called from EnrollmentConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from trial_edc.accounts.selectors import site_count_register
from trial_edc.core import registry


def _export(model) -> dict:
    """What the exports need beyond the fields: CDASH names where they differ from the field
    name, the fields identifying a person, the record's date (issue 15)."""
    return {
        "Screening": {
            "cdash": {"date_of_birth": "BRTHDTC", "screening_date": "SCRNDAT"},
            "identifying": ("initials", "date_of_birth"),
            "date_field": "screening_date",
        },
        "EligibilityChecklist": {"cdash": {"anti_mda5_date": "IEDAT"}},
        "Consent": {"cdash": {"signed_at": "DSSTDTC", "version": "DSREFID"}},
        "Subject": {
            "cdash": {"day1": "RFXSTDTC", "ended_on": "RFPENDTC", "end_reason": "DSTERM"},
            "date_field": "day1",
        },
        "SubjectVisit": {
            "cdash": {"code": "VISITCD", "name": "VISITNAM", "visit_date": "VISDAT"},
            "date_field": "visit_date",
        },
    }.get(model.__name__, {})


def register() -> None:
    from enrollment.models import (
        Consent,
        Demographics,
        DiseaseHistory,
        EligibilityChecklist,
        MedicalHistory,
        Screening,
        Subject,
        SubjectVisit,
    )
    from enrollment.schedule import panels, reminders
    from enrollment.schedule.rules import VISIT_DATE

    registry.visit_forms.register(
        registry.VisitForm(VISIT_DATE, _("Visit date"), "efficacy:visit_date_edit", None, order=0)
    )
    for order, (model, path, api_name) in enumerate(
        (
            (Screening, None, ""),
            (EligibilityChecklist, None, ""),
            (Consent, None, ""),
            (Subject, "", "subjects"),
            (SubjectVisit, "subject", "visits"),
            # the baseline CRFs of screening (screening-time forms, like the checklist)
            (Demographics, None, ""),
            (MedicalHistory, None, ""),
            (DiseaseHistory, None, ""),
        )
    ):
        registry.crf_models.register(
            registry.CrfModel(
                model, subject_path=path, order=order, api_name=api_name, **_export(model)
            )
        )
    registry.reminder_sources.register(reminders.SOURCE)
    site_count_register("screening_count", Screening.objects.all)
    site_count_register("subject_count", Subject.objects.all)
    site_count_register(
        "on_study_count", lambda: Subject.objects.filter(status=Subject.Status.ON_STUDY)
    )
    panels.register()
    from enrollment import worklists

    registry.worklists.register(
        registry.Worklist(
            "visits_open",
            _("Visits whose window is open"),
            worklists.visits_open,
            "enrollment.change_subjectvisit",
            order=30,
        )
    )
    registry.worklists.register(
        registry.Worklist(
            "eligibility_to_confirm",
            _("Eligibility to confirm"),
            worklists.eligibility_to_confirm,
            "enrollment.confirm_eligibility",
            order=10,
        )
    )
