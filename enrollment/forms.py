from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from enrollment import rules
from enrollment.models import Consent, EligibilityChecklist, Screening, Subject
from enrollment.services import evidence_of
from trial_edc.audit.forms import ReasonForChangeMixin
from trial_edc.core.clock import site_today
from trial_edc.core.forms import (
    DATE,
    DATETIME,
    YES_NO,
    BoundedDatesMixin,
    SubmitOnceMixin,
    add_problems,
    latest_today,
)
from trial_edc.study import study


class ScreeningForm(BoundedDatesMixin, SubmitOnceMixin, ReasonForChangeMixin, forms.ModelForm):
    class Meta:
        model = Screening
        fields = ["initials", "date_of_birth", "sex", "childbearing_potential", "screening_date"]
        widgets = {"date_of_birth": DATE, "screening_date": DATE}

    def clean_initials(self):
        initials = self.cleaned_data["initials"].strip().upper()
        if not (2 <= len(initials) <= 4 and initials.isalpha()):
            raise ValidationError(_("Use 2 to 4 letters, e.g. LWY."))
        return initials

    def clean(self):
        cleaned = super().clean()
        site = cleaned.get("site") or (self.instance.site if self.instance.site_id else None)
        add_problems(
            self,
            rules.demographic_problems(
                sex=cleaned.get("sex", ""),
                childbearing_potential=cleaned.get("childbearing_potential", False),
                date_of_birth=cleaned.get("date_of_birth"),
                screening_date=cleaned.get("screening_date"),
                today=site_today(site) if site else latest_today(),
            ),
        )
        return cleaned


def _criterion_field(model_field) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=model_field.verbose_name,
        choices=YES_NO,
        coerce=lambda v: v in (True, "True"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Answer yes or no.")},
    )


def criterion_names() -> list[str]:
    s = study()
    return [f"inclusion_{c.number}" for c in s.inclusion] + [
        f"exclusion_{c.number}" for c in s.exclusion
    ]


EVIDENCE_FIELDS = [
    "anti_mda5_result",
    "anti_mda5_method",
    "anti_mda5_titre",
    "anti_mda5_date",
    "symptom_onset_date",
    "hrct_date",
    "hrct_finding",
    "worst_pf_ratio",
    "pregnancy_test_date",
    "pregnancy_test_result",
    "onset_confirmed_by_investigator",
]


class ChecklistForm(BoundedDatesMixin, SubmitOnceMixin, ReasonForChangeMixin, forms.ModelForm):
    """Both inclusion and all exclusion criteria, word for word, with their evidence."""

    class Meta:
        model = EligibilityChecklist
        fields = [*criterion_names(), *EVIDENCE_FIELDS]
        widgets = {
            "anti_mda5_date": DATE,
            "symptom_onset_date": DATE,
            "hrct_date": DATE,
            "pregnancy_test_date": DATE,
            "hrct_finding": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, screening: Screening, can_confirm_onset: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.screening = screening
        for name in criterion_names():
            self.fields[name] = _criterion_field(EligibilityChecklist._meta.get_field(name))
        if not can_confirm_onset:
            self.fields["onset_confirmed_by_investigator"].disabled = True
            self.fields["onset_confirmed_by_investigator"].help_text = _(
                "Only an investigator can tick this."
            )

    def clean(self):
        cleaned = super().clean()
        model_fields = {f.name for f in EligibilityChecklist._meta.fields}
        probe = EligibilityChecklist(
            screening=self.screening, **{k: v for k, v in cleaned.items() if k in model_fields}
        )
        for problem in rules.checklist_problems(evidence_of(self.screening, probe)):
            if problem.field in self.fields:
                self.add_error(problem.field, problem.message)
        if cleaned.get("pregnancy_test_result") and not cleaned.get("pregnancy_test_date"):
            self.add_error("pregnancy_test_date", _("Give the date of the pregnancy test."))
        return cleaned


class ConsentForm(BoundedDatesMixin, SubmitOnceMixin, ReasonForChangeMixin, forms.ModelForm):
    class Meta:
        model = Consent
        fields = ["version", "signed_at", "taken_by"]
        widgets = {"signed_at": DATETIME}

    def __init__(self, *args, staff_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["taken_by"].queryset = staff_queryset


class EnrollForm(BoundedDatesMixin, SubmitOnceMixin, forms.Form):
    may_be_future = ("first_dose_date",)

    enrolled_on = forms.DateField(
        label=_("Enrolment date"),
        widget=DATE,
        help_text=_("Today, unless you record an enrolment made earlier."),
    )
    first_dose_date = forms.DateField(label=_("Day 1: planned first dose date"), widget=DATE)
    confirm = forms.BooleanField(
        label=_(
            "I confirm this candidate meets every inclusion criterion and no exclusion criterion."
        ),
        required=True,
    )


class ScreeningWithdrawForm(BoundedDatesMixin, forms.Form):
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class SubjectEndForm(BoundedDatesMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("How the subject leaves the study"),
        choices=[
            (Subject.Status.WITHDRAWN, _("Withdrawn")),
            (Subject.Status.COMPLETED, _("Completed")),
        ],
    )
    on = forms.DateField(label=_("Date"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    decided_by = forms.CharField(
        label=_("Decided by"), max_length=100, help_text=_("E.g. the subject, the investigator.")
    )


class DeviationReviewForm(forms.Form):
    review_note = forms.CharField(
        label=_("Investigator's assessment"),
        help_text=_("What the deviation means for the subject and what was done about it."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class VisitMissedForm(forms.Form):
    reason = forms.CharField(
        label=_("Why was the visit missed?"),
        help_text=_("E.g. the subject could not travel; kept in the audit trail."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class Day1MoveForm(BoundedDatesMixin, forms.Form):
    may_be_future = ("day1",)

    day1 = forms.DateField(
        label=_("New day 1 (first dose date)"),
        widget=DATE,
        help_text=_("The visits not yet done are planned again from it."),
    )
    reason = forms.CharField(
        label=_("Why does day 1 move?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
