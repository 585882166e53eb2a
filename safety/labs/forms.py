from django import forms
from django.utils.translation import gettext_lazy as _

from safety.labs.rules import lab_result_problems
from safety.models import LabReferenceRange, LabSignal, SafetyLabPanel
from trial_edc.audit.forms import ReasonForChangeMixin
from trial_edc.core.forms import DATE, DATETIME, BoundedDatesMixin, SubmitOnceMixin, add_problems
from trial_edc.study import study

PARTS = ("value", "unit", "low", "high")


def _number(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=12,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "any"}),
    )


class SafetyLabPanelForm(BoundedDatesMixin, SubmitOnceMixin, ReasonForChangeMixin, forms.ModelForm):
    """One row per safety laboratory test (haematology, then chemistry): value, unit and the
    reporting lab's LLN and ULN in that unit, pre-filled from the site's reference ranges
    (`ranges`: test code -> LabReferenceRange) and editable. A test left empty is not
    reported."""

    class Meta:
        model = SafetyLabPanel
        fields = ["specimen_at", "unscheduled"]
        widgets = {"specimen_at": DATETIME}

    def __init__(self, *args, ranges=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specimen_at"].input_formats = ["%Y-%m-%dT%H:%M"]
        ranges = ranges or {}
        existing = {r.test_code: r for r in self.instance.results.all()} if self.instance.pk else {}
        for test in study().safety_labs:
            code, result = test.code, existing.get(test.code)
            self.fields[f"{code}_value"] = _number(test.name)
            self.fields[f"{code}_unit"] = forms.ChoiceField(
                label=_("unit"),
                choices=[(u, u) for u in test.units],
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[f"{code}_low"] = _number(_("LLN"))
            self.fields[f"{code}_high"] = _number(_("ULN"))
            if result:
                values = (result.value, result.unit, result.lln, result.uln)
            elif code in ranges:
                r = ranges[code]
                values = (None, r.unit, r.lln, r.uln)
            else:
                values = (None, test.unit, None, None)
            self.initial.update({f"{code}_{p}": v for p, v in zip(PARTS, values, strict=True)})

    def sections(self):
        """(title, [(test, [value, unit, LLN, ULN fields])]) for haematology and chemistry."""
        s = study()
        for test in s.safety_labs:
            for part in PARTS[1:]:
                field = self.fields[f"{test.code}_{part}"]
                field.widget.attrs["aria-label"] = f"{test.name}: {field.label}"
        return [
            (
                title,
                [(s.safety_lab(code), [self[f"{code}_{p}"] for p in PARTS]) for code in codes],
            )
            for title, codes in ((_("Haematology"), s.haematology), (_("Chemistry"), s.chemistry))
        ]

    def results(self) -> dict:
        """test code -> (value, unit, LLN, ULN); a test without a value keeps no limits."""
        out = {}
        for test in study().safety_labs:
            c = test.code
            value = self.cleaned_data.get(f"{c}_value")
            unit = self.cleaned_data.get(f"{c}_unit") or test.unit
            low, high = self.cleaned_data.get(f"{c}_low"), self.cleaned_data.get(f"{c}_high")
            if value is None:
                low = high = None  # the pre-filled range of a test not done
            out[c] = (value, unit, low, high)
        return out

    def clean(self):
        cleaned = super().clean()
        problems, results = [], self.results()
        for test in study().safety_labs:
            if any(f"{test.code}_{k}" in self.errors for k in PARTS):
                continue
            value, unit, low, high = results[test.code]
            problems += lab_result_problems(test, value=value, unit=unit, low=low, high=high)
        if all(v[0] is None for v in results.values()) and not self.errors:
            self.add_error(None, _("Enter at least one result (a panel with none is empty)."))
        add_problems(self, problems)
        return cleaned


class LabReferenceRangeForm(
    BoundedDatesMixin, SubmitOnceMixin, ReasonForChangeMixin, forms.ModelForm
):
    may_be_future = ("effective_from",)

    class Meta:
        model = LabReferenceRange
        fields = ["site", "test_code", "unit", "lln", "uln", "effective_from"]
        widgets = {"effective_from": DATE}

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sites is not None:
            self.fields["site"].queryset = sites
        tests = study().safety_labs
        self.fields["test_code"] = forms.ChoiceField(
            label=_("test"), choices=[(t.code, t.name) for t in tests]
        )
        self.fields["unit"] = forms.ChoiceField(
            label=_("unit"),
            choices=sorted({(u, u) for t in tests for u in t.units}),
            help_text=_("The unit the laboratory reports the test in."),
        )


class NotAnAeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this value not an adverse event?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )


def proposal_initial(signal: LabSignal) -> dict:
    """The AE form pre-filled from a proposal: CTCAE term, onset = specimen date, grade."""
    initial = {"aestdtc": signal.specimen_on, "aetoxgr": min(signal.grade, 5)}
    if signal.ctcae_term_id:
        initial |= {"ctcae_term": signal.ctcae_term_id, "aeterm": signal.ctcae_term.term}
    return initial
