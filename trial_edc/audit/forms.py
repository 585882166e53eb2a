from django import forms
from django.contrib import messages
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

REASON_FIELD = "reason_for_change"


class ReasonForChangeMixin:
    """Adds a required "reason for change" to a ModelForm once the record exists."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_change:
            self.fields[REASON_FIELD] = forms.CharField(
                label=_("Reason for change"),
                help_text=_("Why the saved value is being changed; kept in the audit trail."),
                required=False,
                max_length=500,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @property
    def is_change(self) -> bool:
        return self.instance.pk is not None

    def has_data_changes(self) -> bool:
        return any(name != REASON_FIELD for name in self.changed_data)

    @property
    def reason_for_change(self) -> str:
        return self.cleaned_data.get(REASON_FIELD, "") if self.is_change else ""

    def clean(self):
        cleaned = super().clean()
        if self.is_change and self.has_data_changes() and not cleaned.get(REASON_FIELD, "").strip():
            self.add_error(
                REASON_FIELD,
                _("Say why you are changing this record; the reason is kept in the audit trail."),
            )
        return cleaned


def unchanged(request, form) -> bool:
    """A saved record sent back without a change (a reason typed alone is none): say so, and
        let the view write nothing (no history row, no signature voided). The one check of every
        edit page (`trial_edc.core.forms.unchanged` is this function); a form of a new record or
    one without a reason for change is never unchanged."""
    if getattr(form, "is_change", False) and not form.has_data_changes():
        messages.info(request, gettext_now("Nothing changed."))
        return True
    return False
