from django import forms
from django.utils.translation import gettext_lazy as _

from efficacy import rules
from efficacy.models import (
    BloodGas,
    FollowUpStatus,
    HrctScore,
    LabPanel,
    PulmonaryFunctionTest,
    hrct_zones,
)
from enrollment.models import SubjectVisit
from trial_edc.audit.forms import ReasonForChangeMixin
from trial_edc.core.forms import (
    DATE,
    DATETIME,
    BoundedDatesMixin,
    SectionsMixin,
    SubmitOnceMixin,
    add_problems,
)
from trial_edc.study import study


class BloodGasForm(
    SectionsMixin, BoundedDatesMixin, SubmitOnceMixin, ReasonForChangeMixin, forms.ModelForm
):
    """PaO2/PaCO2 entered in mmHg or kPa, FiO2 as a fraction or a percentage; stored in
    mmHg and as a fraction."""

    sections = (
        (_("Sample"), ("sampled_at",)),
        (_("Blood gas"), (("pressure_unit", "pao2", "paco2", "ph"),)),
        (_("Oxygen"), (("fio2", "spo2", "oxygen_support"),)),
    )

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
                oxygen_support=cleaned.get("oxygen_support"),
            ),
        )
        return cleaned


DONE_CHOICES = [(True, _("Performed")), (False, _("Not done"))]


def _done_field():
    return forms.TypedChoiceField(
        label=_("Performed?"),
        choices=DONE_CHOICES,
        coerce=lambda v: v in (True, "True"),
        widget=forms.RadioSelect,
    )


class VisitDateForm(BoundedDatesMixin, ReasonForChangeMixin, forms.ModelForm):
    """The date the visit took place; out of its window it needs the deviation's reason."""

    class Meta:
        model = SubjectVisit
        fields = ["visit_date", "deviation_reason"]
        widgets = {"visit_date": DATE, "deviation_reason": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"deviation_reason": _("Only for a visit outside its window.")}

    @property
    def is_change(self) -> bool:
        return self.instance.visit_date is not None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visit_date"].required = True


class PulmonaryFunctionForm(
    BoundedDatesMixin, SubmitOnceMixin, ReasonForChangeMixin, forms.ModelForm
):
    done = _done_field()

    class Meta:
        model = PulmonaryFunctionTest
        fields = [
            "done",
            "performed_on",
            "fvc_litres",
            "fvc_percent_predicted",
            "dlco_percent_predicted",
            "reference_equation",
            "not_done_reason",
            "not_done_detail",
        ]
        widgets = {"performed_on": DATE}

    def clean(self):
        cleaned = super().clean()
        if "done" in cleaned:
            add_problems(
                self,
                rules.pft_problems(
                    done=cleaned["done"],
                    not_done_reason=cleaned.get("not_done_reason", ""),
                    not_done_detail=cleaned.get("not_done_detail", ""),
                    performed_on=cleaned.get("performed_on"),
                    fvc_litres=cleaned.get("fvc_litres"),
                    fvc_percent_predicted=cleaned.get("fvc_percent_predicted"),
                    dlco_percent_predicted=cleaned.get("dlco_percent_predicted"),
                    reference_equation=cleaned.get("reference_equation", ""),
                ),
            )
        return cleaned


ZONES = hrct_zones()


class HrctScoreForm(BoundedDatesMixin, SubmitOnceMixin, ReasonForChangeMixin, forms.ModelForm):
    """Scores per zone; totals are computed on save (efficacy.rules.hrct_totals)."""

    done = _done_field()

    class Meta:
        model = HrctScore
        fields = [
            "done",
            "scanned_on",
            "reader",
            *(f"ggo_{n}" for n in ZONES),
            *(f"fib_{n}" for n in ZONES),
            "not_done_reason",
            "not_done_detail",
        ]
        widgets = {"scanned_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        top = study().hrct_score_max
        for n, zone in enumerate(study().hrct_zones, start=1):
            for kind, label in (("ggo", _("ground-glass")), ("fib", _("fibrosis"))):
                field = self.fields[f"{kind}_{n}"]
                field.label = f"{zone}: {label}"
                # the score table shows no <label>: name each input for screen readers
                field.widget.attrs.update(
                    {"min": 0, "max": top, "class": "form-control", "aria-label": field.label}
                )

    def grid_rows(self):
        """(zone, [ground-glass field, fibrosis field]) for the score table."""
        return [
            (zone, [self[f"ggo_{n}"], self[f"fib_{n}"]])
            for n, zone in enumerate(study().hrct_zones, start=1)
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("done") is True:
            by_number = {n: (cleaned.get(f"ggo_{n}"), cleaned.get(f"fib_{n}")) for n in ZONES}
            problems = rules.hrct_score_problems(rules.hrct_zone_scores(by_number))
            # a field that failed its own validation already has its message
            add_problems(self, [p for p in problems if p.field not in self.errors])
        return cleaned


def _lab_number(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=12,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "any"}),
    )


class LabPanelForm(BoundedDatesMixin, SubmitOnceMixin, ReasonForChangeMixin, forms.ModelForm):
    """One row per configured test: value, unit, reference range (in the unit entered).
    A test left empty is not reported."""

    class Meta:
        model = LabPanel
        fields = ["sampled_on"]
        widgets = {"sampled_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        existing = {r.test_code: r for r in self.instance.results.all()} if self.instance.pk else {}
        for test in study().labs:
            code, result = test.code, existing.get(test.code)
            low, high = test.reference
            self.fields[f"{code}_value"] = _lab_number(test.name)
            self.fields[f"{code}_unit"] = forms.ChoiceField(
                label=_("unit"),
                choices=[(u, u) for u in test.units],
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[f"{code}_low"] = _lab_number(_("reference low"))
            self.fields[f"{code}_high"] = _lab_number(_("reference high"))
            if result:
                self.initial.update(
                    {
                        f"{code}_value": result.value,
                        f"{code}_unit": result.unit,
                        f"{code}_low": result.reference_low,
                        f"{code}_high": result.reference_high,
                    }
                )
            else:
                self.initial.update(
                    {f"{code}_unit": test.unit, f"{code}_low": low, f"{code}_high": high}
                )

    def grid_rows(self):
        for test in study().labs:
            for part in ("unit", "low", "high"):
                field = self.fields[f"{test.code}_{part}"]
                field.widget.attrs["aria-label"] = f"{test.name}: {field.label}"
        return [
            (test, [self[f"{test.code}_{part}"] for part in ("value", "unit", "low", "high")])
            for test in study().labs
        ]

    def results(self) -> dict:
        """test code -> (value, unit, low, high); a test without a value keeps no range."""
        out = {}
        for test in study().labs:
            c = test.code
            value = self.cleaned_data.get(f"{c}_value")
            unit = self.cleaned_data.get(f"{c}_unit", test.unit)
            low, high = self.cleaned_data.get(f"{c}_low"), self.cleaned_data.get(f"{c}_high")
            if (low, high) == test.reference:
                if value is None:
                    low = high = None  # the untouched default range of a test not done
                elif unit != test.unit:
                    # the default range is in the study unit: express it in the unit entered
                    low, high = (rules.lab_range_in_unit(test, x, unit) for x in (low, high))
            out[c] = (value, unit, low, high)
        return out

    def clean(self):
        cleaned = super().clean()
        problems, results = [], self.results()
        for test in study().labs:
            if any(f"{test.code}_{k}" in self.errors for k in ("value", "unit", "low", "high")):
                continue
            value, unit, low, high = results[test.code]
            problems += rules.lab_result_problems(test, value=value, unit=unit, low=low, high=high)
        add_problems(self, problems)
        return cleaned


class FollowUpStatusForm(BoundedDatesMixin, SubmitOnceMixin, ReasonForChangeMixin, forms.ModelForm):
    class Meta:
        model = FollowUpStatus
        fields = [
            "assessed_on",
            "vital_status",
            "death_date",
            "death_cause",
            "hospitalised",
            "home_oxygen",
            "lung_transplant",
            "immunosuppression",
        ]
        widgets = {
            "assessed_on": DATE,
            "death_date": DATE,
            "vital_status": forms.RadioSelect,
        }
