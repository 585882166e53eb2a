"""What dosing plugs into the base (called from DosingConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from trial_edc.core import registry


def _missing_doses(user) -> int:
    """From the subjects the home page reads once (`subjects_of`, with `dose_facts`)."""
    from dosing.selectors import missing_doses_of
    from enrollment.schedule.selectors import subjects_of

    return len(missing_doses_of(subjects_of(user)))


def _export(model) -> dict:
    """CDASH names of the exports (EC exposure, CM concomitant medication; issue 15)."""
    return {
        "DoseAdministration": {
            "cdash": {
                "study_day": "ECSTDY",
                "date": "ECSTDAT",
                "status": "ECSTAT",
                "start_time": "ECSTTIM",
                "stop_time": "ECENTIM",
                "volume_ml": "ECDOSE",
                "lot": "ECLOT",
                "reason_not_completed": "ECREASOC",
            },
            "date_field": "date",
        },
        "ConcomitantMedication": {
            "cdash": {
                "category": "CMCAT",
                "drug": "CMTRT",
                "indication": "CMINDC",
                "dose": "CMDSTXT",
                "unit": "CMDOSU",
                "route": "CMROUTE",
                "frequency": "CMDOSFRQ",
                "start_date": "CMSTDAT",
                "stop_date": "CMENDAT",
                "ongoing": "CMONGO",
            },
            "date_field": "start_date",
        },
    }.get(model.__name__, {})


def register() -> None:
    from dosing import panels, reminders, selectors
    from dosing.models import ConcomitantMedication, DoseAdministration

    for model in (DoseAdministration, ConcomitantMedication):
        registry.crf_models.register(registry.CrfModel(model, order=20, **_export(model)))
    registry.reminder_sources.register(reminders.SOURCE)
    registry.treatment_sources.register(
        registry.TreatmentSource("dosing", selectors.treatment_facts)
    )
    registry.home_tasks.register(
        registry.HomeTask(
            "missing_doses",
            _("Subjects with missing dose records"),
            _missing_doses,
            "dosing:missing_doses",
            "dosing.add_doseadministration",
            order=30,
        )
    )
    registry.subject_facts.register(registry.SubjectFact("doses", selectors.dose_facts))
    panels.register()
    from dosing import worklists

    registry.worklists.register(
        registry.Worklist(
            "doses_today",
            _("Today's doses to record"),
            worklists.doses_today,
            "dosing.add_doseadministration",
            order=20,
        )
    )
