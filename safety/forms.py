from django import forms
from django.utils.translation import gettext_lazy as _

from safety import rules
from safety.models import (
    AdverseEvent,
    AdverseEventFollowUp,
    AdverseEventSignature,
    CtcaeTerm,
    VitalSigns,
)
from safety.selectors import current_state, facts_of, follow_up_facts, outcome_label
from trial_edc.accounts.forms import SignatureCredentialsForm
from trial_edc.audit.forms import ReasonForChangeMixin
from trial_edc.core.forms import (
    DATE,
    DATETIME,
    YES_NO,
    BoundedDatesMixin,
    SectionsMixin,
    SubmitOnceMixin,
    add_problems,
)


class VitalSignsForm(
    SectionsMixin, BoundedDatesMixin, SubmitOnceMixin, ReasonForChangeMixin, forms.ModelForm
):
    sections = (
        (_("When"), ("measured_at",)),
        (_("Vital signs"), (("temp", "hr", "resp"), ("sysbp", "diabp", "oxysat"))),
        (_("Oxygen"), (("oxygen_support", "flow", "fio2"),)),
    )

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

    def clean(self):
        cleaned = super().clean()
        add_problems(self, rules.vital_problems({f: cleaned.get(f) for f in self.Meta.fields}))
        return cleaned


class AdverseEventForm(
    SectionsMixin, BoundedDatesMixin, SubmitOnceMixin, ReasonForChangeMixin, forms.ModelForm
):
    sections = (
        (_("The event"), ("ctcae_term", "aeterm", ("aestdtc", "aeendtc", "ongoing"))),
        (_("Severity and seriousness"), (("aetoxgr", "aeser"), AdverseEvent.SERIOUSNESS_CRITERIA)),
        (_("Causality and action"), (("aerel", "expected"), ("aeacn", "aeout"))),
        (_("Treatment and narrative"), ("treatment_given", "narrative")),
    )

    class Meta:
        model = AdverseEvent
        fields = [
            "ctcae_term",
            "aeterm",
            "aestdtc",
            "aeendtc",
            "ongoing",
            "aetoxgr",
            "aeser",
            *AdverseEvent.SERIOUSNESS_CRITERIA,
            "aerel",
            "expected",
            "aeacn",
            "aeout",
            "treatment_given",
            "narrative",
        ]
        widgets = {
            "aestdtc": DATE,
            "aeendtc": DATE,
            "treatment_given": forms.Textarea(attrs={"rows": 2}),
            "narrative": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ctcae_term"].choices = ctcae_choices()
        self.fields["ctcae_term"].widget.attrs.update(
            {"data-searchable": "", "data-search-placeholder": _("Search CTCAE terms or SOC")}
        )
        self.fields["aeterm"].help_text = _(
            "As the investigator describes it; defaults to the CTCAE term."
        )
        self.fields["aeterm"].required = False

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("aeterm") and cleaned.get("ctcae_term"):
            cleaned["aeterm"] = cleaned["ctcae_term"].term
        if not cleaned.get("aeterm"):
            self.add_error("aeterm", _("Name the event, or pick a CTCAE term."))
        if cleaned.get("aestdtc") and cleaned.get("aetoxgr") and cleaned.get("aeout"):
            probe = AdverseEvent(
                pk=self.instance.pk,  # an edit is checked with the follow-ups it has
                subject=self.instance.subject,
                **{f: cleaned.get(f) for f in self.Meta.fields},
            )
            add_problems(self, rules.adverse_event_problems(facts_of(probe)))
        return cleaned


def ctcae_choices():
    """CTCAE terms grouped by system organ class, for a pick-list a browser can search."""
    groups: dict[str, list] = {}
    for code, term, soc in CtcaeTerm.objects.order_by("soc", "term").values_list(
        "meddra_code", "term", "soc"
    ):
        groups.setdefault(soc, []).append((code, term))
    return [("", "---------"), *groups.items()]


class FollowUpForm(BoundedDatesMixin, SubmitOnceMixin, forms.ModelForm):
    """Grade, outcome and end date as assessed on a day; at grade 4 of an event not yet
    serious, the seriousness assessment (serious now? by which criteria)."""

    class Meta:
        model = AdverseEventFollowUp
        fields = [
            "assessed_on",
            "aetoxgr",
            "aeout",
            "aeendtc",
            "aeser",
            *AdverseEvent.SERIOUSNESS_CRITERIA,
            "note",
        ]
        widgets = {
            "assessed_on": DATE,
            "aeendtc": DATE,
            "aeser": forms.Select(choices=[("", "---------"), *YES_NO]),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("assessed_on") and cleaned.get("aetoxgr") and cleaned.get("aeout"):
            probe = AdverseEventFollowUp(
                adverse_event=self.instance.adverse_event,
                **{f: cleaned.get(f) for f in self.Meta.fields},
            )
            add_problems(self, rules.follow_up_problems(follow_up_facts(probe)))
        return cleaned


class SaeReportedForm(BoundedDatesMixin, forms.Form):
    reported_at = forms.DateTimeField(label=_("Reported to the sponsor at"), widget=DATETIME)
    reason = forms.CharField(
        label=_("Reason for change"),
        required=False,
        max_length=500,
        help_text=_("Needed only to change a reported time already recorded."),
    )


class SignatureForm(SignatureCredentialsForm):
    """The adverse events to sign, each signed on its own after one entry of username (first
    signature of the session) and password; the meaning is stated on the form."""

    meaning = AdverseEventSignature.MEANING
    field_order = ["adverse_events", "username", "password"]

    adverse_events = forms.ModelMultipleChoiceField(
        queryset=AdverseEvent.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Adverse events to sign"),
        error_messages={"required": _("Tick at least one adverse event.")},
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["adverse_events"].queryset = queryset
        self.fields["adverse_events"].label_from_instance = _signing_label


def _signing_label(ae) -> str:
    """The AE as it stands now: worst grade and current outcome after its follow-ups."""
    state = current_state(ae)
    worst = _("worst grade")
    return (
        f"{ae.subject.subject_number} · {ae.aeterm} · {worst} {state.worst_grade}"
        f" · {outcome_label(state.outcome)}{' · SAE' if ae.aeser else ''}"
        f" · {ae.aestdtc:%Y-%m-%d}"
    )


class ListingFilterForm(BoundedDatesMixin, forms.Form):
    may_be_future = ("onset_from", "onset_to")

    site = forms.ChoiceField(label=_("Site"), required=False)
    subject = forms.CharField(label=_("Subject number"), required=False, max_length=20)
    onset_from = forms.DateField(label=_("Onset from"), required=False, widget=DATE)
    onset_to = forms.DateField(label=_("Onset to"), required=False, widget=DATE)
    serious_only = forms.BooleanField(label=_("Serious only"), required=False)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", _("All my sites"))] + [(s.code, str(s)) for s in sites]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("onset_from"), cleaned.get("onset_to")
        if start and end and end < start:
            self.add_error("onset_to", _("The end of the range is before its start."))
        return cleaned

    def listing_filter(self):
        from safety.listings import ListingFilter

        data = self.cleaned_data
        return ListingFilter(
            site_codes=(data["site"],) if data.get("site") else (),
            subject_number=data.get("subject", "").strip(),
            onset_from=data.get("onset_from"),
            onset_to=data.get("onset_to"),
            serious_only=data.get("serious_only", False),
        )


class DeathForm(BoundedDatesMixin, forms.Form):
    """A death, on the day it is learnt of: its date, cause and the fatal adverse event."""

    died_on = forms.DateField(label=_("Date of death"), widget=DATE)
    cause = forms.CharField(
        label=_("Cause of death"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    adverse_event = forms.ModelChoiceField(
        label=_("The fatal adverse event"),
        queryset=AdverseEvent.objects.none(),
        help_text=_(
            "Record the death as an adverse event with a fatal outcome (grade 5) first, or "
            "as the fatal follow-up of an existing one."
        ),
    )

    def __init__(self, *args, fatal_events=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["adverse_event"].queryset = AdverseEvent.objects.filter(
            pk__in=[ae.pk for ae in fatal_events]
        )
        self.fields["adverse_event"].label_from_instance = lambda ae: (
            f"{ae.aeterm} ({ae.aestdtc:%Y-%m-%d})"
        )
