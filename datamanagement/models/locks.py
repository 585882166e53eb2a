"""Freeze and lock (issue 14, points 7-9): the state of a record, a visit, a subject or the
whole study, and the certificate of the database lock."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from enrollment.models import Subject, SubjectVisit
from trial_edc.audit.tracking import audited
from trial_edc.core.transitions import Transitions


class Level(models.TextChoices):
    STUDY = "study", _("Study")
    SUBJECT = "subject", _("Subject")
    VISIT = "visit", _("Visit")
    RECORD = "record", _("Form record")


class LockState(models.TextChoices):
    OPEN = "open", _("Open")
    FROZEN = "frozen", _("Frozen")
    LOCKED = "locked", _("Locked")


STRENGTH = {LockState.OPEN: 0, LockState.FROZEN: 1, LockState.LOCKED: 2}


@audited(reason_required=False)
class DataLock(models.Model):
    """The freeze or lock of one target. `target` is what the database trigger looks up:
    "study", "subject:<id>", "visit:<id>" or "record:<app_label.model>:<pk>". A row is never
    deleted: an unfreeze or unlock sets it back to open (its history keeps every move)."""

    target = models.CharField(max_length=120, unique=True)
    level = models.CharField(max_length=10, choices=Level.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=LockState.choices, default=LockState.OPEN
    )
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    visit = models.ForeignKey(
        SubjectVisit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    record_model = models.CharField(max_length=100, blank=True)
    record_id = models.BigIntegerField(null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    changed_at = models.DateTimeField()
    reason = models.TextField(blank=True)
    # what the last unlock reopened, voided and made stale (texts), in its audited entry
    effects = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("freeze or lock")
        verbose_name_plural = _("freezes and locks")
        permissions = [
            ("freeze_data", _("Can freeze data")),
            ("unfreeze_data", _("Can unfreeze data")),
            ("lock_data", _("Can lock data")),
            ("unlock_data", _("Can unlock data")),
            ("lock_database", _("Can lock the database")),
        ]
        indexes = [models.Index(fields=["subject", "state"])]

    def __str__(self) -> str:
        return f"{self.target}: {self.state}"


# open -> frozen -> locked; locked -> open (unlock); frozen -> open (unfreeze); open -> locked
LOCK_MOVES = Transitions(
    LockState,
    {
        LockState.OPEN: {LockState.FROZEN, LockState.LOCKED},
        LockState.FROZEN: {LockState.OPEN, LockState.LOCKED},
        LockState.LOCKED: {LockState.OPEN},
    },
    field="state",
    noun=_("A freeze or lock"),
)


@audited(reason_required=False)
class LockCertificate(models.Model):
    """The certificate of the database lock: who, when, the SHA-256 of the locked data (a
    canonical dump of every CRF table) and of the audit-chain head, as JSON and as PDF."""

    locked_at = models.DateTimeField()
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    data_sha256 = models.CharField(max_length=64)
    chain_seq = models.BigIntegerField()
    chain_hash = models.CharField(max_length=64)
    chain_sha256 = models.CharField(max_length=64)
    certificate_json = models.TextField()
    certificate_pdf = models.BinaryField()

    class Meta:
        verbose_name = _("database lock certificate")
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"lock certificate {self.locked_at:%Y-%m-%d %H:%M}"
