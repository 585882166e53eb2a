"""Forms of verification (the history entry the monitor saw) and casebook sign-off."""

from django import forms
from django.utils.translation import gettext_lazy as _

from datamanagement.models import CasebookSignature
from trial_edc.accounts.forms import SignatureCredentialsForm


class VerifyRecordForm(forms.Form):
    """ "Verify this form": carries the history entry of the values the monitor looked at."""

    seen_seq = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    next = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)


class VerifyVisitForm(forms.Form):
    """ "Verify this visit": each record the monitor saw, as "form label:record id:entry"."""

    seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100_000)

    def clean_seen(self) -> dict[tuple[str, int], int]:
        seen = {}
        for token in filter(None, self.cleaned_data["seen"].split(",")):
            try:
                label, record_id, seq = token.rsplit(":", 2)
                seen[(label, int(record_id))] = int(seq)
            except ValueError:
                raise forms.ValidationError(
                    _("The page was not complete; reload it and verify again.")
                ) from None
        return seen


def seen_token(records) -> str:
    return ",".join(f"{r.info.label}:{r.record_id}:{r.seq}" for r in records)


class CasebookSignForm(SignatureCredentialsForm):
    """The casebook's sign-off: username (first signature of the session) and password."""

    meaning = CasebookSignature.MEANING
