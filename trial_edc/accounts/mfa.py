"""The second factor: a TOTP authenticator app with one-time recovery codes (django-otp).

Enrolment makes an unconfirmed TOTP device, shows its key as a QR code (inline SVG made on
the server) and confirms it with a first code; recovery codes are then shown once. A wrong
code counts as a failed sign-in for axes (5 lock the username for 15 minutes)."""

import segno
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from trial_edc.accounts.access_log import access_event_record
from trial_edc.accounts.models import AccessEvent, User

DEVICE_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"


def is_enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def totp_persistent_id(user) -> str | None:
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).first()
    return device.persistent_id if device else None


def totp_device_pending(user) -> TOTPDevice:
    """The device being enrolled: one unconfirmed TOTP device, kept until it is confirmed so
    that a reload shows the same key."""
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    """The key as an authenticator app asks for it when typed in."""
    from base64 import b32encode

    return b32encode(device.bin_key).decode()


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code (no external request, CSP allows it)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000")


def code_failed(request, user, reason: str) -> None:
    """A wrong code is a failed sign-in: the access log records it and axes counts it."""
    user_login_failed.send(
        sender=__name__,
        credentials={"username": user.username},
        request=request,
        reason=reason,
    )


def enrolment_confirm(*, user: User, code: str, request) -> tuple[TOTPDevice, list[str]] | None:
    """Confirm the pending device with a code from the app; returns it and the new recovery
    codes (shown once), or None when the code is wrong."""
    code = (code or "").replace(" ", "")
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user_id=user.pk, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None or not device.verify_token(code):
            verified = None
        else:
            verified = device
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user_id=user.pk).exclude(pk=device.pk).delete()
            codes = recovery_codes_replace(user)
            access_event_record(kind=AccessEvent.Kind.MFA_ENROLLED, request=request, user=user)
    if verified is None:
        code_failed(request, user, "wrong code at enrolment")
        return None
    return verified, codes


def recovery_codes_replace(user) -> list[str]:
    StaticDevice.objects.filter(user_id=user.pk).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.MFA_RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


def code_verify(*, user: User, code: str, request):
    """The device that accepts the code (the app's code, or an unused recovery code, which is
    then spent), or None after recording a failed sign-in."""
    code = (code or "").replace(" ", "").lower()
    matched = None
    if code:
        with transaction.atomic():
            for device in devices_for_user(user, confirmed=True, for_verify=True):
                if device.verify_token(code):
                    matched = device
                    break
    if matched is None:
        code_failed(request, user, "wrong code")
        return None
    if isinstance(matched, TOTPDevice):
        access_event_record(kind=AccessEvent.Kind.MFA_VERIFIED, request=request, user=user)
    if isinstance(matched, StaticDevice):
        left = matched.token_set.count()
        access_event_record(
            kind=AccessEvent.Kind.RECOVERY_CODE_USED,
            request=request,
            user=user,
            detail=f"{left} recovery code(s) left",
        )
    return matched


def devices_remove(user) -> int:
    """All of the user's devices and recovery codes (a lost phone); they enrol again."""
    removed, _ = TOTPDevice.objects.filter(user_id=user.pk).delete()
    StaticDevice.objects.filter(user_id=user.pk).delete()
    return removed
