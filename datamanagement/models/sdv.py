"""Source data verification (per item) and the investigator's casebook sign-off.

Both are kept current by database triggers on every CRF table (datamanagement.sdv.triggers):
a change of a verified value marks its verification "changed since verified", and any change
to a subject's data voids the subject's casebook signature, in the same transaction, whatever
path wrote it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from trial_edc.audit.tracking import audited


@audited(reason_required=False)
class SourceVerification(models.Model):
    """One item (a field of a CRF record) verified against source by a monitor, pointing at
    the history entry of the value verified (the record's latest audit event then).

    Re-verifying the item updates the row (its history keeps every verification)."""

    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(
        "enrollment.Subject", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    model_label = models.CharField(_("form"), max_length=100)  # app_label.modelname
    record_table = models.CharField(max_length=63)  # what the trigger knows (TG_TABLE_NAME)
    record_id = models.BigIntegerField()
    field = models.CharField(_("item"), max_length=63)  # the field's name
    column = models.CharField(max_length=63)  # its column (what the trigger compares)
    history_seq = models.BigIntegerField(_("history entry of the value verified"))
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified at"))
    # set by the database trigger when the value changes (or the record is deleted)
    changed_at = models.DateTimeField(_("changed since verified at"), null=True, blank=True)
    change_operation = models.CharField(max_length=10, blank=True)

    site_path = "site"

    class Meta:
        verbose_name = _("source data verification")
        permissions = [("verify_source", "Verify data against source (monitor)")]
        constraints = [
            models.UniqueConstraint(
                fields=["record_table", "record_id", "field"], name="one_verification_per_item"
            )
        ]
        indexes = [models.Index(fields=["record_table", "record_id"], name="sdv_record")]

    def __str__(self) -> str:
        return f"{self.model_label} {self.record_id} {self.field}"

    @property
    def is_current(self) -> bool:
        return self.changed_at is None


@audited(reason_required=False)
class CasebookSignature(models.Model):
    """An investigator's electronic signature of a subject's whole casebook (21 CFR 11.50,
    11.70, 11.200); voided, never deleted, by any later change to the subject's data."""

    # stored with each signature as signed (English); shown in the reader's language
    MEANING = gettext_noop(
        "I have reviewed the data of this subject and confirm that it is accurate and complete"
    )

    subject = models.ForeignKey(
        "enrollment.Subject", on_delete=models.PROTECT, related_name="casebook_signatures"
    )
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    printed_name = models.CharField(_("printed name"), max_length=300)
    signed_at = models.DateTimeField(_("signed at (UTC)"))
    meaning = models.CharField(_("meaning of the signature"), max_length=200)
    record_version = models.BigIntegerField(_("audit chain head when signed"))
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    void_reason = models.CharField(_("why voided"), max_length=200, blank=True)

    site_path = "subject__site"

    class Meta:
        ordering = ["subject", "signed_at"]
        verbose_name = _("casebook signature")
        permissions = [("sign_casebook", "Sign a subject's casebook (investigator)")]
        constraints = [
            models.UniqueConstraint(
                fields=["subject"],
                condition=models.Q(voided_at__isnull=True),
                name="one_valid_casebook_signature",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} casebook signed by {self.printed_name}"
