"""The notification outbox: every message the system sends is first a row here.

A row is one message to one person on one channel. Its key (kind, object, date, recipient,
channel) is unique, so a reminder queued by two runs at once is one row (INSERT ... ON
CONFLICT DO NOTHING); the worker moves it from pending to sent, failed or cancelled.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trial_edc.accounts.models import Site
from trial_edc.core.transitions import Transitions


class Kind(models.TextChoices):
    VISIT_WINDOW_OPENS = "visit_window_opens", _("Visit window opens soon")
    VISIT_OVERDUE = "visit_overdue", _("Visit overdue")
    DOSE_TODAY = "dose_today", _("Today's dose")
    DOSE_MISSING = "dose_missing", _("Dose not recorded at the end of the day")
    VITALS_MISSING = "vitals_missing", _("Vital signs not recorded at the end of the day")
    SAE_ALERT = "sae_alert", _("New serious adverse event")
    SAE_REMINDER = "sae_reminder", _("SAE not yet reported (reminder)")
    SAE_ESCALATION = "sae_escalation", _("SAE not reported within the deadline (escalation)")
    SAFETY_REPORT = "safety_report", _("30-day safety report ready")
    AUDIT_CHAIN_BROKEN = "audit_chain_broken", _("Audit trail failed verification")
    DIGEST = "digest", _("Daily digest")
    QUERIES_UNANSWERED = "queries_unanswered", _("Queries waiting for an answer")


# Safety messages always go out one by one, by e-mail: no preference turns them off.
MANDATORY_KINDS = frozenset(
    {
        Kind.SAE_ALERT,
        Kind.SAE_REMINDER,
        Kind.SAE_ESCALATION,
        Kind.AUDIT_CHAIN_BROKEN,
        Kind.DIGEST,
    }
)
OPTIONAL_KINDS = [k for k in Kind if k not in MANDATORY_KINDS]


class Notification(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("message"))
    # what it is about: a visit, a subject, an SAE report...
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    about = GenericForeignKey("content_type", "object_id")
    for_date = models.DateField(_("for date"), help_text=_("The site's day it is for."))
    # for scoping the outbox to a data manager's sites (none: study-wide messages)
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    send_after = models.DateTimeField(_("send after"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    cancelled_reason = models.CharField(_("why cancelled"), max_length=200, blank=True)
    # the digest that carried this message, for users who chose one mail a day
    digest = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="items"
    )

    site_path = "site"

    class Meta:
        ordering = ["-send_after", "-id"]
        verbose_name = _("notification")
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id", "for_date", "recipient", "channel"],
                name="notification_once",
            )
        ]
        indexes = [
            models.Index(
                fields=["send_after"],
                condition=models.Q(status="pending"),
                name="notification_pending",
            ),
            models.Index(fields=["recipient", "-send_after"], name="notification_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient} for {self.for_date}"


class NotificationPreference(models.Model):
    """What a person wants by e-mail; safety messages are not theirs to turn off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_off = ArrayField(
        models.CharField(max_length=30, choices=Kind.choices),
        default=list,
        blank=True,
        verbose_name=_("kinds not sent by e-mail"),
    )
    daily_digest = models.BooleanField(
        _("one daily digest instead of single e-mails"),
        default=False,
        help_text=_("Reminders come together at the end of the day; safety alerts still at once."),
    )

    class Meta:
        verbose_name = _("notification preference")
        default_permissions = ()

    def __str__(self) -> str:
        return f"preferences of {self.user}"


# --- allowed status moves (core.transitions) ----------------------------------------------

_N = Notification.Status
NOTIFICATION_MOVES = Transitions(
    Notification.Status,
    {
        _N.PENDING: {_N.SENT, _N.FAILED, _N.CANCELLED},
        _N.SENT: set(),
        _N.FAILED: set(),
        _N.CANCELLED: set(),
    },
    noun=_("A notification"),
)
