"""What safety plugs into the base (called from SafetyConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from trial_edc.core import registry


def register() -> None:
    from safety import panels, reminders
    from safety.models import AdverseEvent, AdverseEventFollowUp, VitalSigns
    from safety.services.death import death_problems

    for model in (VitalSigns, AdverseEvent):
        registry.crf_models.register(registry.CrfModel(model, order=30))
    registry.crf_models.register(
        registry.CrfModel(AdverseEventFollowUp, subject_path="adverse_event__subject", order=30)
    )
    registry.death_checks.register(registry.DeathCheck("fatal_adverse_event", death_problems))
    registry.reminder_sources.register(reminders.VITALS)
    registry.reminder_sources.register(reminders.SAES)
    panels.register()
    from safety import worklists

    for key, label, items, permission, order in (
        (
            "vitals_today",
            _("Today's vital signs to enter"),
            worklists.vitals_today,
            "safety.add_vitalsigns",
            21,
        ),
        (
            "adverse_events_to_sign",
            _("Adverse events to sign"),
            worklists.adverse_events_to_sign,
            "safety.sign_adverseevent",
            11,
        ),
        (
            "sae_clocks",
            _("SAE clocks running"),
            worklists.sae_clocks,
            "safety.report_sae",
            12,
        ),
    ):
        registry.worklists.register(registry.Worklist(key, label, items, permission, order))
