"""Personal API tokens (issue 15, point 5): knox's token (only a SHA-512 digest of the token
is stored, with its first characters to find it) plus a name and the time of its last use."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken


class ApiToken(AbstractAuthToken):
    """A personal token of the read API (settings.KNOX_TOKEN_MODEL). Revoking deletes it (the
    access log keeps its creation and revocation); an expired one is refused, then deleted."""

    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the statistician's R script."),
    )
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"
