"""What an unlock does to verification and sign-off (a `registry.UnlockEffect` each): the
reopened data may change, so the casebook signatures of its subjects are voided and its
verified items are marked changed since verified — listed in the unlock's audited entry."""

from django.utils import timezone
from django.utils.translation import gettext as _

from datamanagement.models.sdv import CasebookSignature, SourceVerification
from datamanagement.sdv.selectors import records_sdv


def casebook_signatures_void(scope) -> list[str]:
    signatures = CasebookSignature.objects.filter(voided_at__isnull=True)
    if scope["subject_ids"] is not None:
        signatures = signatures.filter(subject_id__in=scope["subject_ids"])
    voided = list(signatures.select_related("subject").order_by("subject_id"))
    if not voided:
        return []
    now = timezone.now()
    CasebookSignature.objects.filter(pk__in=[s.pk for s in voided]).update(
        voided_at=now, void_reason=f"unlocked on {now:%Y-%m-%d %H:%M} UTC"
    )
    return [_("Casebook signature of %(subject)s voided") % {"subject": s.subject} for s in voided]


def verification_made_stale(scope) -> list[str]:
    rows = SourceVerification.objects.filter(changed_at__isnull=True)
    level = scope["level"]
    if level == "record":
        label, pk = scope["record"]
        rows = rows.filter(model_label=label, record_id=pk)
    elif scope["subject_ids"] is not None:
        rows = rows.filter(subject_id__in=scope["subject_ids"])
    if level == "visit":
        of_visit = [
            (r.info.label, r.record_id)
            for r in records_sdv(subject_ids=scope["subject_ids"])
            if r.visit_id == scope["visit_id"]
        ]
        if not of_visit:
            return []
        keep = rows.none()
        for label, pk in of_visit:
            keep = keep | rows.filter(model_label=label, record_id=pk)
        rows = keep
    count = rows.update(changed_at=timezone.now(), change_operation="unlock")
    if not count:
        return []
    return [_("%(n)d verified item(s) marked changed since verified") % {"n": count}]
