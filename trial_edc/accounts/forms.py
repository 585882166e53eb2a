from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.password_validation import (
    password_validators_help_text_html,
    validate_password,
)
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
        fields = ["code", "name", "time_zone", "language", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].required = False  # not sent: the site keeps its language

    def clean_language(self):
        return self.cleaned_data.get("language") or (
            self.instance.language if self.instance.pk else "en"
        )


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


class OwnPasswordChangeForm(PasswordChangeForm):
    """The user's own password; it may not be the one it replaces (a temporary one)."""

    def clean(self):
        cleaned = super().clean()
        new = cleaned.get("new_password2")
        if new and new == cleaned.get("old_password") and "new_password2" not in self.errors:
            self.add_error("new_password2", _("Choose a new password, not the one you have now."))
        return cleaned


class TemporaryPasswordForm(forms.Form):
    """A data manager sets a temporary password; the user must change it at next sign-in."""

    password = forms.CharField(
        label=_("Temporary password"),
        widget=forms.PasswordInput(render_value=False),
        help_text=password_validators_help_text_html(),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        validate_password(password, self.user)
        return password


class OtpCodeForm(forms.Form):
    """The code from the authenticator app, or one of the recovery codes."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
        help_text=_(
            "The 6-digit code your authenticator app shows now, or one of your recovery codes. "
            "After 5 wrong codes or passwords the account is locked for 15 minutes."
        ),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].replace(" ", "")
        if not code.isalnum():
            raise ValidationError(_("Type the code as shown: digits or letters only."))
        return code


class OtpEnrolForm(OtpCodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _(
            "Scan the QR code (or type the key) in an authenticator app, then type the 6-digit "
            "code it shows."
        )


class SignatureCredentialsForm(forms.Form):
    """Username and password to sign an electronic signature (accounts.signing): the username
    at the first signature of a session only; the meaning (`meaning`, set by the signature's
    form) is stated with the password."""

    meaning = ""

    username = forms.CharField(
        label=_("Your username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
        help_text=_("Asked at the first signature of each session."),
    )
    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput)

    def __init__(self, *args, ask_username: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = _("Signing with your password means: %(meaning)s.") % {
            "meaning": _(self.meaning) if self.meaning else ""
        }
        if not ask_username:
            del self.fields["username"]
