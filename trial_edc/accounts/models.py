import zoneinfo

import pgtrigger
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from trial_edc.accounts.rules import validate_site_code
from trial_edc.audit.models import truncate_guard
from trial_edc.audit.tracking import audited

TIME_ZONE_CHOICES = [(tz, tz) for tz in sorted(zoneinfo.available_timezones())]
# the languages of settings.LANGUAGES (English, Simplified Chinese)
LANGUAGE_CHOICES = settings.LANGUAGES


class User(AbstractUser):
    """A person who signs in. Roles are groups (see roles.py); sites come by membership."""

    # A password someone else set (a new account, a reset by a data manager) is known to them:
    # it must be changed at the next sign-in, before anything else and before any signature
    # (21 CFR 11.300; see accounts.rules.must_change_password).
    password_change_required = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("Set when someone else chose the password; cleared when the user changes it."),
    )

    # pages, e-mails and PDFs this person asks for are in this language (UserLanguageMiddleware,
    # notifications.outbox); blank = the language of their first site
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=LANGUAGE_CHOICES,
        blank=True,
        help_text=_("Pages, e-mails and PDFs in this language; blank: the language of the site."),
    )

    # raised by PostgreSQL triggers whenever the user's roles, permissions, the permissions
    # of their roles or their site memberships change (migration 0007): what a session
    # cached of them is stale once this differs (accounts.access)
    access_version = models.PositiveIntegerField(default=0, editable=False)

    @property
    def preferred_language(self) -> str:
        """The user's language, else their first site's, else the installation's."""
        if self.language:
            return self.language
        site = Site.objects.filter(memberships__user_id=self.pk).order_by("code").first()
        return site.language if site else settings.LANGUAGE_CODE

    @property
    def printed_name(self) -> str:
        """The name shown with an electronic signature (21 CFR 11.50)."""
        return self.get_full_name() or self.username


@audited()
class Site(models.Model):
    code = models.CharField(
        _("site code"),
        max_length=4,
        unique=True,
        validators=[validate_site_code],
        help_text=_("Prefixes screening and subject numbers, e.g. 01 gives subject 01-003."),
    )
    name = models.CharField(_("site name"), max_length=200)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        choices=TIME_ZONE_CHOICES,
        default="Asia/Shanghai",
        help_text=_("Dates and times on this site's pages are shown in this time zone."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=LANGUAGE_CHOICES,
        default="en",
        help_text=_("The language of this site's staff, unless a person chooses another."),
    )

    # how a record reaches its site, for scoping (see accounts.selectors.scope_to_sites)
    site_path = "pk"

    class Meta:
        ordering = ["code"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        # ASCII digits whatever writes; the width is checked by accounts.rules.site_code_problems
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]+$"), name="site_code_ascii_digits"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


@audited(reason_required=False)
class SiteMembership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    site_path = "site"

    class Meta:
        ordering = ["site__code"]
        constraints = [
            models.UniqueConstraint(fields=["user", "site"], name="unique_site_membership")
        ]
        verbose_name = _("site membership")

    def __str__(self) -> str:
        return f"{self.user} @ {self.site.code}"


class AccessEvent(models.Model):
    """The access log: sign-ins, sign-outs, failures, lockouts, role and membership changes."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Signed in")
        LOGOUT = "logout", _("Signed out")
        SESSION_EXPIRED = "session_expired", _("Session expired")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        LOCKED_OUT = "locked_out", _("Locked out")
        USER_CREATED = "user_created", _("User created")
        USER_DEACTIVATED = "user_deactivated", _("User deactivated")
        USER_REACTIVATED = "user_reactivated", _("User reactivated")
        ROLE_GRANTED = "role_granted", _("Role granted")
        ROLE_REVOKED = "role_revoked", _("Role revoked")
        MEMBERSHIP_ADDED = "membership_added", _("Site access granted")
        MEMBERSHIP_REMOVED = "membership_removed", _("Site access removed")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        PASSWORD_RESET = "password_reset", _("Temporary password set")
        MFA_ENROLLED = "mfa_enrolled", _("Authenticator enrolled")
        MFA_VERIFIED = "mfa_verified", _("Authenticator code accepted")
        MFA_RESET = "mfa_reset", _("Authenticator reset")
        RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
        # the read API (datamanagement/api): tokens made and revoked, and every call
        API_TOKEN_CREATED = "api_token_created", _("API token created")
        API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")
        API_CALL = "api_call", _("API call")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("event"), max_length=32, choices=Kind.choices)
    username = models.CharField(_("username"), max_length=150, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        # users are deactivated, never deleted: the log keeps pointing at them
        on_delete=models.PROTECT,
        related_name="access_events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed by"),
    )
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("access event")
        default_permissions = ("view",)
        triggers = [
            pgtrigger.Protect(
                name="access_log_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
            truncate_guard("access_log_no_truncate"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"
