from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from trial_edc.notifications.models import OPTIONAL_KINDS, NotificationPreference


class PreferenceForm(forms.Form):
    """Which reminders come by e-mail; safety alerts always do and are not listed."""

    email_kinds = forms.MultipleChoiceField(
        label=_("Send me these by e-mail"),
        choices=[(k.value, k.label) for k in OPTIONAL_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Safety alerts (new SAEs, SAE reminders and escalations, audit trail failures) "
            "are always e-mailed."
        ),
    )
    daily_digest = forms.BooleanField(
        label=capfirst(NotificationPreference._meta.get_field("daily_digest").verbose_name),
        help_text=NotificationPreference._meta.get_field("daily_digest").help_text,
        required=False,
    )

    @classmethod
    def for_preference(cls, pref: NotificationPreference, data=None):
        initial = {
            "email_kinds": [k.value for k in OPTIONAL_KINDS if k not in pref.email_off],
            "daily_digest": pref.daily_digest,
        }
        return cls(data, initial=initial)

    def email_off(self) -> list[str]:
        wanted = set(self.cleaned_data["email_kinds"])
        return [k.value for k in OPTIONAL_KINDS if k.value not in wanted]
