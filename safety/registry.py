"""What safety plugs into the base (called from SafetyConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from trial_edc.core import registry


def _unsigned_aes() -> list[tuple[str, str]]:
    """What blocks the database lock from safety: every AE without a valid signature."""
    from django.urls import reverse

    from safety.models import AdverseEvent
    from safety.services.signatures import to_sign

    rows = to_sign(AdverseEvent.objects.select_related("subject")).order_by("subject_id", "pk")
    return [
        (f"{ae.subject} — {ae.aeterm}", reverse("safety:adverse_event_detail", args=[ae.pk]))
        for ae in rows
    ]


def _unlock_voids(scope) -> list[str]:
    """An unlock of data management voids the AE signatures of what it reopens (the
    subject's AEs, the whole study's, or the one AE / follow-up record); a visit has none.
    Runs in the unlock's transaction and audit context; returns what it voided."""
    from django.utils import timezone

    from safety.models import AdverseEventSignature

    signatures = AdverseEventSignature.objects.filter(voided_at__isnull=True)
    label, pk = scope["record"]
    if scope["level"] == "visit":
        return []
    if scope["level"] == "record":
        if label == "safety.adverseevent":
            signatures = signatures.filter(adverse_event_id=pk)
        elif label == "safety.adverseeventfollowup":
            signatures = signatures.filter(adverse_event__follow_ups__pk=pk)
        else:
            return []
    elif scope["subject_ids"] is not None:
        signatures = signatures.filter(adverse_event__subject_id__in=scope["subject_ids"])
    voided = list(signatures.select_related("adverse_event__subject").order_by("pk"))
    if not voided:
        return []
    now = timezone.now()
    AdverseEventSignature.objects.filter(pk__in=[s.pk for s in voided]).update(
        voided_at=now, void_reason=f"signature voided by unlock on {now:%Y-%m-%d %H:%M} UTC"
    )
    return [
        str(
            _("Signature of adverse event %(ae)s of %(subject)s voided")
            % {"ae": s.adverse_event.aeterm, "subject": s.adverse_event.subject}
        )
        for s in voided
    ]


def _export(model) -> dict:
    """For the exports (issue 15): the fields are named by their CDASH variables already;
    the vital signs' ranges come from the study configuration."""
    from trial_edc.study import study

    if model.__name__ == "VitalSigns":
        return {
            "cdash": {"measured_at": "VSDTC", "study_day": "VSDY"},
            "date_field": "measured_at",
            "ranges": {
                v.code.lower(): (
                    f"{v.plausible.low}..{v.plausible.high} {v.plausible.unit}"
                    f" (normal {v.normal.low}..{v.normal.high})"
                )
                for v in study().vitals
            },
        }
    if model.__name__ == "AdverseEvent":
        return {"cdash": {"ongoing": "AEONGO"}, "date_field": "aestdtc"}
    if model.__name__ == "AdverseEventFollowUp":
        return {"cdash": {"adverse_event": "AESPID"}, "date_field": "assessed_on"}
    return {}


def register() -> None:
    from safety import panels, reminders
    from safety.labs import checks as lab_checks
    from safety.models import (
        AdverseEvent,
        AdverseEventFollowUp,
        AdverseEventSignature,
        SafetyLabPanel,
        SafetyLabResult,
        VitalSigns,
    )
    from safety.services.death import death_problems

    registry.crf_models.register(registry.CrfModel(VitalSigns, order=30, **_export(VitalSigns)))
    registry.crf_models.register(
        registry.CrfModel(
            AdverseEvent, order=30, api_name="adverse-events", **_export(AdverseEvent)
        )
    )
    registry.crf_models.register(registry.CrfModel(SafetyLabPanel, order=30))
    registry.crf_models.register(
        registry.CrfModel(SafetyLabResult, subject_path="panel__subject", order=30)
    )
    registry.edit_checks.register(
        registry.EditCheck(
            "lab_ae_proposal_open",
            1,
            _("A laboratory value proposed as an adverse event is not decided"),
            "safety.safetylabresult",
            lab_checks.proposals_open,
            order=40,
            # a panel's save proposes, an AE's confirms a proposal
            reads=("safety.safetylabpanel", "safety.adverseevent"),
        )
    )
    registry.crf_models.register(
        registry.CrfModel(
            AdverseEventFollowUp,
            subject_path="adverse_event__subject",
            order=30,
            **_export(AdverseEventFollowUp),
        )
    )
    registry.death_checks.register(registry.DeathCheck("fatal_adverse_event", death_problems))
    registry.signature_sources.register(
        registry.SignatureSource(
            "AE", AdverseEventSignature, "adverse_event__subject", "adverse_event", order=30
        )
    )
    registry.reminder_sources.register(reminders.VITALS)
    registry.reminder_sources.register(reminders.SAES)
    registry.lock_blockers.register(
        registry.LockBlocker(
            "unsigned_aes", _("Adverse events not signed"), _unsigned_aes, order=30
        )
    )
    registry.unlock_effects.register(registry.UnlockEffect("ae_signatures", _unlock_voids))
    from safety.selectors import report_facts, vitals_facts

    registry.subject_facts.register(registry.SubjectFact("vitals", vitals_facts))
    registry.subject_facts.register(
        registry.SubjectFact("safety_reports", report_facts, worklists=False)
    )
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
        (
            "lab_ae_proposals",
            _("Laboratory values proposed as adverse events"),
            worklists.lab_ae_proposals,
            "safety.decide_labsignal",
            13,
        ),
    ):
        registry.worklists.register(registry.Worklist(key, label, items, permission, order))
