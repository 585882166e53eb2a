from django import forms
from django.utils.translation import gettext_lazy as _


class LockChangeForm(forms.Form):
    """The confirmation of a freeze, lock, unfreeze or unlock: a reason (required to unfreeze
    and unlock) and, to unlock, a current code of the authenticator app."""

    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = action.needs_reason
        if not action.needs_code:
            del self.fields["code"]
        else:
            self.fields["code"].required = True
