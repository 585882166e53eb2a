"""Forms of verification (the history entry the monitor saw) and casebook sign-off."""

from django import forms
from django.utils.translation import gettext_lazy as _

from datamanagement.models import CasebookSignature


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


class CasebookSignForm(forms.Form):
    """Username and password to sign (the password only after a first signature in the same
    session); the meaning is stated on the form."""

    username = forms.CharField(
        label=_("Your username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
        help_text=_("Asked at the first signature of each session."),
    )
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput,
        help_text=_("Signing with your password means: %(meaning)s.")
        % {"meaning": CasebookSignature.MEANING},
    )

    def __init__(self, *args, ask_username: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not ask_username:
            del self.fields["username"]
