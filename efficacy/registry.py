"""What efficacy plugs into the base (called from EfficacyConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from trial_edc.core import registry


def _export(model) -> dict:
    """CDASH names of the exports where they differ from the field names (issue 15)."""
    return {
        "BloodGas": {"cdash": {"sampled_at": "LBDTC", "study_day": "LBDY"}},
        "LabPanel": {"cdash": {"sampled_on": "LBDAT"}},
        "LabResult": {
            "cdash": {
                "test_code": "LBTESTCD",
                "value": "LBORRES",
                "unit": "LBORRESU",
                "reference_low": "LBORNRLO",
                "reference_high": "LBORNRHI",
                "value_standard": "LBSTRESN",
                "flag": "LBNRIND",
            }
        },
        "PulmonaryFunctionTest": {"cdash": {"performed_on": "RESTDAT"}},
        "HrctScore": {"cdash": {"scanned_on": "PRSTDAT"}},
        "FollowUpStatus": {"cdash": {"death_date": "DTHDAT", "vital_status": "DSDECOD"}},
    }.get(model.__name__, {})


def register() -> None:
    from efficacy import panels
    from efficacy.models import (
        BloodGas,
        FollowUpStatus,
        HrctScore,
        LabPanel,
        LabResult,
        PulmonaryFunctionTest,
        VitalStatus,
    )

    for order, (key, label, url_name, model, death) in enumerate(
        (
            (
                "follow_up",
                _("Follow-up status"),
                "efficacy:follow_up_edit",
                FollowUpStatus,
                {"vital_status": VitalStatus.DEAD},
            ),
            (
                "oxygenation",
                _("Oxygenation (blood gas)"),
                "efficacy:visit_blood_gas",
                BloodGas,
                None,
            ),
            ("pft", _("Pulmonary function"), "efficacy:pft_edit", PulmonaryFunctionTest, None),
            ("labs", _("Laboratory / serology"), "efficacy:lab_panel_edit", LabPanel, None),
            ("hrct", _("Chest HRCT score"), "efficacy:hrct_edit", HrctScore, None),
        ),
        start=1,
    ):
        registry.visit_forms.register(
            registry.VisitForm(key, label, url_name, model, order=order, records_death=death)
        )
    for model, path in (
        (BloodGas, "subject"),
        (PulmonaryFunctionTest, "visit__subject"),
        (LabPanel, "visit__subject"),
        (LabResult, "panel__visit__subject"),
        (HrctScore, "visit__subject"),
        (FollowUpStatus, "visit__subject"),
    ):
        registry.crf_models.register(
            registry.CrfModel(model, subject_path=path, order=40, **_export(model))
        )
    panels.register()
