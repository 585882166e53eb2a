"""Exports (issue 15, point 7): a file of trial data asked for by a person (or an operator on
the command line), made by the worker, kept on disk with its SHA-256, and the log of who asked
for and downloaded what."""

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from trial_edc.audit.models import truncate_guard
from trial_edc.audit.tracking import audited
from trial_edc.core.transitions import Transitions


# progress (done/total) changes many times a run: left out of the history (pghistory writes
# an update entry only when a tracked field changes)
@audited(reason_required=False, exclude=["done", "total"])
class ExportJob(models.Model):
    """One export: its kind (`datamanagement.exports.kinds.EXPORT_KINDS`), the filters it was
    asked with, its status, its progress and, once ready, its file under EXPORT_ROOT."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being made")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("export"), max_length=40)
    # {"sites": ["01"], "form": "safety.vitalsigns", "as_of": "2026-11-30", "subject": "",
    #  "labels": false, "language": "en", "identifying": false}
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    # the name the log shows: the user's printed name, or "command line" for an operator
    requested_by_name = models.CharField(_("requested by"), max_length=150)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    # relative to settings.EXPORT_ROOT
    path = models.CharField(max_length=300, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.BigIntegerField(_("size (bytes)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    # when a run took it up; a second run finds it claimed and leaves it (exports.rules)
    claimed_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        default_permissions = ("view",)
        permissions = [
            ("request_export", _("Can export the data of their sites")),
            ("export_identifying", _("Can export identifying fields (initials, date of birth)")),
            ("view_all_exports", _("Can see and download every export")),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.READY:
            return 100
        return int(100 * self.done / self.total) if self.total else 0


_E = ExportJob.Status
EXPORT_MOVES = Transitions(
    ExportJob.Status,
    {
        _E.QUEUED: {_E.RUNNING},
        # RUNNING -> RUNNING (no move) is a stuck run taken over: exports.rules guards it
        _E.RUNNING: {_E.READY, _E.FAILED},
        _E.FAILED: {_E.RUNNING},  # tried again by the beat task or the operator
        _E.READY: set(),  # a finished file is kept as it is
    },
    noun=_("An export"),
)


class ExportEvent(models.Model):
    """The export log, append-only: who asked for or downloaded which export, when, from
    where, with which filters (a copy: the log reads alone)."""

    class Kind(models.TextChoices):
        REQUESTED = "requested", _("Export requested")
        DOWNLOADED = "downloaded", _("Export downloaded")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    job = models.ForeignKey(ExportJob, on_delete=models.PROTECT, related_name="log")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    who = models.CharField(_("who"), max_length=150)
    export_kind = models.CharField(_("export"), max_length=40)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("export log entry")
        verbose_name_plural = _("export log")
        default_permissions = ("view",)
        triggers = [
            pgtrigger.Protect(
                name="export_log_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
            truncate_guard("export_log_no_truncate"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.export_kind} {self.who}"
