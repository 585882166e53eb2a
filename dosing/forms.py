from django import forms
from django.utils.translation import gettext_lazy as _

from dosing import rules
from dosing.models import ConcomitantMedication, DoseAdministration
from dosing.services import dose_record_of, treatment_context
from trial_edc.audit.forms import ReasonForChangeMixin
from trial_edc.core.forms import (
    DATE,
    BoundedDatesMixin,
    SectionsMixin,
    SubmitOnceMixin,
    add_problems,
)

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class DoseForm(
    SectionsMixin, BoundedDatesMixin, SubmitOnceMixin, ReasonForChangeMixin, forms.ModelForm
):
    sections = (
        (_("Administration"), ("status", ("start_time", "stop_time"), "reason_not_completed")),
        (_("Product"), (("volume_ml", "particles"), ("device", "lot"))),
        (
            _("Tolerability"),
            (
                ("spo2_pre", "spo2_post"),
                ("cough", "bronchospasm", "desaturation"),
                "other_tolerability",
            ),
        ),
    )

    class Meta:
        model = DoseAdministration
        fields = [
            "status",
            "start_time",
            "stop_time",
            "volume_ml",
            "particles",
            "device",
            "lot",
            "reason_not_completed",
            "spo2_pre",
            "spo2_post",
            "cough",
            "bronchospasm",
            "desaturation",
            "other_tolerability",
        ]
        widgets = {
            "start_time": TIME,
            "stop_time": TIME,
            "reason_not_completed": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            probe = DoseAdministration(
                **{
                    "subject": self.instance.subject,
                    "study_day": self.instance.study_day,
                    "date": self.instance.date,
                    **{f: cleaned.get(f) for f in self.Meta.fields},
                }
            )
            probe.reason_not_completed = cleaned.get("reason_not_completed") or ""
            add_problems(
                self, rules.dose_problems(dose_record_of(probe), treatment_context(probe.subject))
            )
        return cleaned


class ConMedForm(
    SectionsMixin, BoundedDatesMixin, SubmitOnceMixin, ReasonForChangeMixin, forms.ModelForm
):
    sections = (
        (_("Medication"), (("category", "drug"), "indication")),
        (_("Dose"), (("dose", "unit"), ("route", "frequency"))),
        (_("Dates"), (("start_date", "stop_date", "ongoing"),)),
    )

    class Meta:
        model = ConcomitantMedication
        fields = [
            "category",
            "drug",
            "indication",
            "dose",
            "unit",
            "route",
            "frequency",
            "start_date",
            "stop_date",
            "ongoing",
        ]
        widgets = {"start_date": DATE, "stop_date": DATE}

    def clean(self):
        cleaned = super().clean()
        add_problems(self, rules.conmed_dose_problems(cleaned.get("dose")))
        if cleaned.get("start_date"):
            add_problems(
                self,
                rules.conmed_problems(
                    start=cleaned["start_date"],
                    stop=cleaned.get("stop_date"),
                    ongoing=cleaned.get("ongoing", False),
                ),
            )
        return cleaned


class PriorTreatmentForm(ConMedForm):
    """A prior treatment of the baseline: a concomitant medication entry started before day 1
    (the same record and list; only the start date's rule is added)."""

    def clean(self):
        cleaned = super().clean()
        add_problems(
            self,
            rules.prior_treatment_problems(
                start=cleaned.get("start_date"), day1=self.instance.subject.day1
            ),
        )
        return cleaned
