"""Electronic signature of adverse events by investigators, and its voiding on change."""

import hashlib
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from safety.models import AdverseEvent, AdverseEventFollowUp, AdverseEventSignature
from trial_edc.accounts.models import SiteMembership
from trial_edc.accounts.signing import (  # noqa: F401 (WrongPassword, signer_identified: used by views)
    WrongPassword,
    check_identification,
    check_password,
    check_password_is_own,
    signer_identified,
    signer_identified_remember,
)
from trial_edc.audit.services import audit_context

SIGNED_FIELDS = [
    f.name
    for f in AdverseEvent._meta.concrete_fields
    if f.name not in ("recorded_by", "created_at")
]
FOLLOW_UP_FIELDS = [
    "assessed_on",
    "aetoxgr",
    "aeout",
    "aeendtc",
    "aeser",
    *AdverseEvent.SERIOUSNESS_CRITERIA,
    "note",
]


def record_version(ae: AdverseEvent) -> int:
    """The audit-chain position of the last change to the AE or its follow-ups."""
    ae_seq = ae.events.aggregate(m=Max("pgh_chain_seq"))["m"] or 0
    fu_event = AdverseEventFollowUp.events.rel.related_model  # the follow-up event model
    fu_seq = (
        fu_event.objects.filter(adverse_event_id=ae.pk).aggregate(m=Max("pgh_chain_seq"))["m"] or 0
    )
    return max(ae_seq, fu_seq)


def signed_content_hash(ae: AdverseEvent, version: int) -> str:
    """SHA-256 of the AE, its follow-ups and the version, as canonical JSON."""
    content = {
        "adverse_event": model_to_dict(ae, fields=SIGNED_FIELDS),
        "follow_ups": [
            model_to_dict(f, fields=FOLLOW_UP_FIELDS)
            for f in ae.follow_ups.order_by("assessed_on", "id")
        ],
        "version": version,
    }
    text = json.dumps(content, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _check_signer(signer, aes) -> None:
    check_password_is_own(signer)
    if not signer.has_perm("safety.sign_adverseevent"):
        raise PermissionDenied(_("Only an investigator can sign adverse events."))
    own = set(SiteMembership.objects.filter(user=signer).values_list("site_id", flat=True))
    if any(ae.subject.site_id not in own for ae in aes):
        raise PermissionDenied(_("You can only sign adverse events of your own sites."))


def adverse_events_sign(
    *, aes: list[AdverseEvent], signer, password: str, request, username: str | None = None
) -> list:
    """Sign each AE individually after one password entry for the batch.

    The first signing of a session asks username and password, later ones the password only
    (signer_identified). The credentials are checked outside the transaction, so that a
    failure is recorded (access log, lockout count) even though nothing is signed."""
    _check_signer(signer, aes)
    check_identification(request, signer, username)
    check_password(request, signer, password)
    with transaction.atomic():
        signatures = _sign_each(aes, signer)
    signer_identified_remember(request, signer)
    return signatures


def _sign_each(aes, signer) -> list:
    now = timezone.now()
    signatures = []
    for ae in AdverseEvent.objects.select_for_update().filter(pk__in=[a.pk for a in aes]):
        if ae.signatures.filter(voided_at__isnull=True).exists():
            raise ValidationError(_("%(ae)s is already signed.") % {"ae": ae})
        version = record_version(ae)
        with audit_context(user=signer, reason="signed"):
            signatures.append(
                AdverseEventSignature.objects.create(
                    adverse_event=ae,
                    signer=signer,
                    printed_name=signer.printed_name,
                    signed_at=now,
                    meaning=AdverseEventSignature.MEANING,
                    content_hash=signed_content_hash(ae, version),
                    record_version=version,
                )
            )
    return signatures


def adverse_event_sign(
    *, ae: AdverseEvent, signer, password: str, request, username: str | None = None
):
    return adverse_events_sign(
        aes=[ae], signer=signer, password=password, request=request, username=username
    )[0]


def signatures_void(ae: AdverseEvent, *, user) -> int:
    """A change to a signed AE voids its signature; it goes back to the to-sign queue."""
    now = timezone.now()
    reason = f"signature voided by change on {now:%Y-%m-%d %H:%M} UTC"
    with audit_context(user=user, reason=reason):
        return ae.signatures.filter(voided_at__isnull=True).update(
            voided_at=now, void_reason=reason
        )


def signature_is_valid(signature: AdverseEventSignature) -> bool:
    """The signed content still hashes to what was signed."""
    ae = signature.adverse_event
    return signature.voided_at is None and signature.content_hash == signed_content_hash(
        ae, signature.record_version
    )


def to_sign(queryset):
    """AEs without a valid signature."""
    return queryset.annotate(
        signed=Exists(
            AdverseEventSignature.objects.filter(adverse_event=OuterRef("pk"), voided_at=None)
        )
    ).filter(signed=False)
