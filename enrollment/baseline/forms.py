"""The baseline CRF forms, in sections (crispy Fieldsets); cross-field messages from the
rules, next to their fields."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from enrollment.baseline import rules
from enrollment.baseline.services import latest_diagnosis_date
from enrollment.models import (
    OTHER_CONDITION,
    Demographics,
    DiseaseHistory,
    MedicalHistory,
    NoYesUnknown,
)
from trial_edc.audit.forms import REASON_FIELD, ReasonForChangeMixin
from trial_edc.core.clock import site_today
from trial_edc.core.forms import DATE, BoundedDatesMixin, SubmitOnceMixin, add_problems


class _Sections(BoundedDatesMixin, SubmitOnceMixin, ReasonForChangeMixin, forms.ModelForm):
    """A CRF form laid out in `sections` ((legend, field names), ...); the page renders it
    with crispy's layout inside its own <form> tag."""

    sections: tuple = ()

    def __init__(self, *args, screening, **kwargs):
        super().__init__(*args, **kwargs)
        self.screening = screening
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        extra = [f for f in self.fields if f not in self.Meta.fields and f != REASON_FIELD]
        layout = [Fieldset(legend, *names) for legend, names in self.sections]
        self.helper.layout = Layout(
            *layout, *extra, *([REASON_FIELD] if REASON_FIELD in self.fields else [])
        )


class DemographicsForm(_Sections):
    sections = (
        (_("Demographics"), ("ethnic",)),
        (_("Height and weight"), ("height", "weight")),
        (_("Tobacco"), ("suncf",)),
    )

    class Meta:
        model = Demographics
        fields = ["ethnic", "height", "weight", "suncf"]

    def clean(self):
        cleaned = super().clean()
        add_problems(
            self,
            rules.demographics_problems(height=cleaned.get("height"), weight=cleaned.get("weight")),
        )
        return cleaned


class MedicalHistoryForm(_Sections):
    sections = (
        (_("Condition"), ("condition", "mhterm")),
        (_("Dates"), ("mhstdtc", "mhongo", "mhendtc")),
    )

    class Meta:
        model = MedicalHistory
        fields = ["condition", "mhterm", "mhstdtc", "mhongo", "mhendtc"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.condition != OTHER_CONDITION:
            # a picked condition's term is the list's (written by the service): the box is
            # for Other only, so it starts empty and an empty box is no change
            self.initial["mhterm"] = ""

    def clean(self):
        cleaned = super().clean()
        if "condition" in cleaned:
            add_problems(
                self,
                rules.history_problems(
                    condition=cleaned["condition"],
                    term=cleaned.get("mhterm", ""),
                    start=cleaned.get("mhstdtc", ""),
                    end=cleaned.get("mhendtc", ""),
                    ongoing=cleaned.get("mhongo", False),
                    today=site_today(self.screening.site),
                    born=self.screening.date_of_birth,
                ),
            )
        return cleaned


SIGNS = ("gottron", "heliotrope", "mechanics_hands", "skin_ulcers", "muscle_weakness")


class DiseaseHistoryForm(_Sections):
    sections = (
        (_("Diagnoses"), ("dm_diagnosed_on", "ild_diagnosed_on")),
        (_("Signs"), SIGNS),
        (_("Creatine kinase at diagnosis"), ("ck_at_diagnosis", "ck_unit")),
    )

    class Meta:
        model = DiseaseHistory
        fields = [
            "dm_diagnosed_on",
            "ild_diagnosed_on",
            "gottron",
            "heliotrope",
            "mechanics_hands",
            "skin_ulcers",
            "muscle_weakness",
            "ck_at_diagnosis",
            "ck_unit",
        ]
        widgets = {
            "dm_diagnosed_on": DATE,
            "ild_diagnosed_on": DATE,
            **dict.fromkeys(SIGNS, forms.RadioSelect),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SIGNS:  # yes / no / unknown as radio buttons, without an empty one
            self.fields[name].choices = NoYesUnknown.choices

    def clean(self):
        cleaned = super().clean()
        latest, _today = latest_diagnosis_date(self.screening)
        add_problems(
            self,
            rules.disease_history_problems(
                dm_on=cleaned.get("dm_diagnosed_on"),
                ild_on=cleaned.get("ild_diagnosed_on"),
                born=self.screening.date_of_birth,
                latest=latest,
                ck=cleaned.get("ck_at_diagnosis"),
                ck_unit=cleaned.get("ck_unit", ""),
            ),
        )
        return cleaned
