"""What enrollment plugs into the base (called from EnrollmentConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from trial_edc.core import registry


def register() -> None:
    from enrollment.models import Consent, EligibilityChecklist, Screening, Subject, SubjectVisit
    from enrollment.schedule import panels, reminders
    from enrollment.schedule.rules import VISIT_DATE

    registry.visit_forms.register(
        registry.VisitForm(VISIT_DATE, _("Visit date"), "visit_date_edit", None, order=0)
    )
    for order, (model, path) in enumerate(
        (
            (Screening, None),
            (EligibilityChecklist, None),
            (Consent, None),
            (Subject, ""),
            (SubjectVisit, "subject"),
        )
    ):
        registry.crf_models.register(registry.CrfModel(model, subject_path=path, order=order))
    registry.reminder_sources.register(reminders.SOURCE)
    for order, (key, rows) in enumerate(
        (
            ("screening_count", Screening.objects.all),
            ("subject_count", Subject.objects.all),
            ("on_study_count", lambda: Subject.objects.filter(status=Subject.Status.ON_STUDY)),
        )
    ):
        registry.site_counts.register(registry.SiteCount(key, rows, order=order))
    panels.register()
