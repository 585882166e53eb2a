from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from trial_edc.core.forms import SubmitOnceMixin


class ApiTokenForm(SubmitOnceMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the statistician's R script."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the limits are settings: read when the form is made, not at import
        self.fields["days"] = forms.IntegerField(
            label=_("Valid for (days)"),
            min_value=1,
            max_value=settings.API_TOKEN_MAX_DAYS,
            initial=settings.API_TOKEN_DAYS,
            help_text=_("It stops working after this many days; you can revoke it before."),
        )
