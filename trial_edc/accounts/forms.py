from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from trial_edc.accounts.models import Site, User
from trial_edc.accounts.roles import Role
from trial_edc.audit.forms import ReasonForChangeMixin


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "That username and password do not match. After 5 failed attempts the account "
            "is locked for 15 minutes."
        ),
    }


class SiteForm(ReasonForChangeMixin, forms.ModelForm):
    class Meta:
        model = Site
        fields = ["code", "name", "time_zone", "is_active"]


class _AccessFields(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites"),
        queryset=Site.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, sites_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sites"].queryset = sites_queryset


class UserCreateForm(_AccessFields):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"))
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(render_value=False),
        help_text=password_validators_help_text_html(),
    )
    field_order = ["username", "first_name", "last_name", "email", "password", "roles", "sites"]

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This username is taken; choose another."))
        return username

    def clean(self):
        cleaned = super().clean()
        from django.contrib.auth.password_validation import validate_password

        if cleaned.get("password") and cleaned.get("username"):
            probe = User(
                username=cleaned["username"],
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                validate_password(cleaned["password"], probe)
            except ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class UserAccessForm(_AccessFields):
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("An inactive user cannot sign in; their records and history stay."),
    )
