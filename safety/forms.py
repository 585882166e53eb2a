from django import forms

from enrollment.forms import DATETIME
from safety import rules
from safety.models import VitalSigns
from trial_edc.audit.forms import ReasonForChangeMixin
from trial_edc.forms import add_problems


class VitalSignsForm(ReasonForChangeMixin, forms.ModelForm):
    class Meta:
        model = VitalSigns
        fields = [
            "measured_at",
            "temp",
            "hr",
            "resp",
            "sysbp",
            "diabp",
            "oxysat",
            "oxygen_support",
            "flow",
            "fio2",
        ]
        widgets = {"measured_at": DATETIME}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measured_at"].input_formats = ["%Y-%m-%dT%H:%M"]

    def clean(self):
        cleaned = super().clean()
        add_problems(self, rules.vital_problems({f: cleaned.get(f) for f in self.Meta.fields}))
        return cleaned
