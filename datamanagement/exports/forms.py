"""The request form of an export: which kind, which site, which form, as of which day."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from datamanagement.exports.kinds import EXPORT_KINDS
from trial_edc.core import registry

ALL_SITES = ""


class ExportRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Export"))
    site = forms.ChoiceField(label=_("Site"), required=False)
    form = forms.ChoiceField(label=_("Form"), required=False)
    as_of = forms.DateField(
        label=_("Data as of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "The data as they stood at the end of this day (site time), rebuilt from the audit "
            "trail. Empty: the data now."
        ),
    )
    subject = forms.CharField(
        label=_("Subject number"),
        required=False,
        max_length=20,
        help_text=_("E.g. 01-003. Empty: every subject."),
    )
    labels = forms.BooleanField(
        label=_("Coded values as labels"),
        required=False,
        help_text=_("By default coded values are exported as their codes (e.g. F, M)."),
    )

    def __init__(self, *args, user, sites, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.today = today
        self.fields["kind"].choices = [
            (k.key, k.label) for k in EXPORT_KINDS if user.has_perm(k.permission)
        ]
        self.fields["site"].choices = [(ALL_SITES, _("All my sites"))] + [
            (s.code, f"{s.code} {s.name}") for s in sites
        ]
        self.fields["form"].choices = [("", _("Every form"))] + [
            (crf.key, capfirst(crf.model._meta.verbose_name)) for crf in registry.crf_models
        ]

    def clean(self):
        data = super().clean()
        kind = EXPORT_KINDS.get(data.get("kind") or "")
        for name in kind.required if kind is not None else ():
            if name in self.fields and not data.get(name):
                self.add_error(name, _("This export needs it."))
        return data

    def clean_as_of(self):
        as_of = self.cleaned_data.get("as_of")
        if as_of and self.today and as_of > self.today:
            raise forms.ValidationError(_("The date cannot be in the future."))
        return as_of
