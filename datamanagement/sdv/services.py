"""Verifying data against source (monitors) and signing a subject's casebook (investigators)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from datamanagement.models import CasebookSignature, SourceVerification
from datamanagement.sdv import selectors
from datamanagement.sdv.items import crf_info
from trial_edc.accounts import signing
from trial_edc.accounts.permissions import require
from trial_edc.audit.chain import audit_chain_seal
from trial_edc.audit.models import AuditChainHead
from trial_edc.audit.services import audit_context

VERIFY = "datamanagement.verify_source"
SIGN = "datamanagement.sign_casebook"


class ChangedMeanwhile(ValidationError):
    pass


def _site_and_subject(info, record):
    lookups = [info.site_lookup]
    if info.subject_lookup is not None:
        lookups.append(info.subject_lookup)
    values = info.model.objects.filter(pk=record.pk).values_list(*lookups).get()
    return values[0], (values[1] if len(values) > 1 else None)


def record_verify(*, user, record, seen_seq: int) -> int:
    """Verify every item of a saved CRF record (one verification row per item), pointing at
    the history entry the monitor saw. Refused if the record changed since (`seen_seq` is no
    longer its latest history entry). Returns the number of items verified."""
    info = crf_info(type(record))
    if info is None:
        raise ValidationError(_("This record is not a case report form."))
    site_id, subject_id = _site_and_subject(info, record)
    from trial_edc.accounts.models import Site

    require(user, VERIFY, Site.objects.get(pk=site_id))
    with transaction.atomic():
        locked = info.model.objects.select_for_update().get(pk=record.pk)
        seq = selectors.latest_seq(locked)
        if seq != int(seen_seq):
            raise ChangedMeanwhile(
                _(
                    "%(form)s was changed by someone else after you opened it: look at the "
                    "new values and verify again. Nothing was verified."
                )
                % {"form": str(capfirst(info.model._meta.verbose_name))}
            )
        now = timezone.now()
        rows = [
            SourceVerification(
                site_id=site_id,
                subject_id=subject_id,
                model_label=info.label,
                record_table=info.table,
                record_id=record.pk,
                field=name,
                column=info.field(name).column,
                history_seq=seq,
                verified_by=user,
                verified_at=now,
                changed_at=None,
                change_operation="",
            )
            for name in info.items
        ]
        with audit_context(user=user, reason="verified against source"):
            SourceVerification.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["record_table", "record_id", "field"],
                update_fields=[
                    "history_seq",
                    "verified_by",
                    "verified_at",
                    "changed_at",
                    "change_operation",
                    "subject",
                    "site",
                ],
            )
    return len(rows)


def visit_verify(*, user, visit, seen: dict[tuple[str, int], int]) -> int:
    """Verify every record of a visit in one action; `seen` maps (form label, record id) to
    the history entry the monitor saw. Refused as a whole if any record changed, appeared or
    went since. Returns the number of items verified."""
    require(user, VERIFY, visit.subject.site)
    with transaction.atomic():
        records = selectors.visit_records(visit)
        now_seen = {}
        for rec in records:
            record = rec.info.model.objects.select_for_update().get(pk=rec.record_id)
            now_seen[(rec.info.label, rec.record_id)] = (record, selectors.latest_seq(record))
        if {k: v[1] for k, v in now_seen.items()} != {k: int(v) for k, v in seen.items()}:
            raise ChangedMeanwhile(
                _(
                    "A form of this visit was changed by someone else after you opened it: "
                    "look at the new values and verify again. Nothing was verified."
                )
            )
        return sum(
            record_verify(user=user, record=record, seen_seq=seq)
            for record, seq in now_seen.values()
        )


def casebook_sign(
    *, subject, signer, password: str, request, username: str | None = None
) -> CasebookSignature:
    """The investigator signs the subject's casebook (21 CFR 11.50, 11.200: printed name,
    date and time, meaning; username and password at the first signing of the session, the
    password after). The credentials are checked outside the transaction, so that a failure
    is recorded (access log, lockout count) even though nothing is signed."""
    require(signer, SIGN, subject.site)
    signing.reauthenticate(request, signer, username=username, password=password)
    with transaction.atomic():
        type(subject).objects.select_for_update().get(pk=subject.pk)
        if CasebookSignature.objects.filter(subject=subject, voided_at__isnull=True).exists():
            raise ValidationError(
                _("The casebook of %(subject)s is already signed.") % {"subject": subject}
            )
        audit_chain_seal()  # the head is the last entry written, this transaction's included
        head = AuditChainHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
        with audit_context(user=signer, reason="casebook signed"):
            signature = CasebookSignature.objects.create(
                subject=subject,
                signer=signer,
                printed_name=signer.printed_name,
                signed_at=timezone.now(),
                meaning=CasebookSignature.MEANING,
                record_version=head,
            )
    signing.signer_identified_remember(request, signer)
    return signature
