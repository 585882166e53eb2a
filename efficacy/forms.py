from django import forms
from django.utils.translation import gettext_lazy as _

from efficacy import rules
from efficacy.models import BloodGas
from enrollment.forms import DATETIME
from trial_edc.audit.forms import ReasonForChangeMixin
from trial_edc.forms import add_problems


class BloodGasForm(ReasonForChangeMixin, forms.ModelForm):
    """PaO2/PaCO2 entered in mmHg or kPa, FiO2 as a fraction or a percentage; stored in
    mmHg and as a fraction."""

    pressure_unit = forms.ChoiceField(
        label=_("Unit of PaO2 and PaCO2"), choices=[("mmHg", "mmHg"), ("kPa", "kPa")]
    )
    pao2 = forms.DecimalField(label=_("PaO2"), max_digits=6, decimal_places=2)
    paco2 = forms.DecimalField(label=_("PaCO2"), max_digits=6, decimal_places=2, required=False)
    fio2 = forms.DecimalField(
        label=_("FiO2"),
        max_digits=5,
        decimal_places=2,
        help_text=_("A fraction (0.40) or a percentage (40); stored as a fraction."),
    )

    class Meta:
        model = BloodGas
        fields = [
            "sampled_at",
            "pressure_unit",
            "pao2",
            "paco2",
            "ph",
            "fio2",
            "spo2",
            "oxygen_support",
        ]
        widgets = {"sampled_at": DATETIME}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sampled_at"].input_formats = ["%Y-%m-%dT%H:%M"]
        if self.instance.pk:
            self.initial.setdefault("pressure_unit", "mmHg")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("pressure_unit") == "kPa":
            for field in ("pao2", "paco2"):
                if cleaned.get(field) is not None:
                    cleaned[field] = rules.kpa_to_mmhg(cleaned[field])
        if cleaned.get("fio2") is not None:
            cleaned["fio2"] = rules.fio2_fraction(cleaned["fio2"])
        add_problems(
            self,
            rules.blood_gas_problems(
                pao2_mmhg=cleaned.get("pao2"),
                paco2=cleaned.get("paco2"),
                ph=cleaned.get("ph"),
                fio2=cleaned.get("fio2"),
                spo2=cleaned.get("spo2"),
            ),
        )
        return cleaned
