"""Writes the access log from Django's and axes' authentication signals.

Signals only record what happened here; no business rule hangs on them.
"""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from trial_edc.accounts.models import AccessEvent, User


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def access_event_record(
    *, kind, request=None, user=None, username="", actor=None, site=None, detail=""
) -> AccessEvent:
    return AccessEvent.objects.create(
        kind=kind,
        user=user,
        username=username or (user.username if user else ""),
        actor=actor,
        site=site,
        ip_address=client_ip(request),
        detail=detail[:300],
    )


def _logged_in(sender, request, user, **kwargs):
    access_event_record(kind=AccessEvent.Kind.LOGIN, request=request, user=user)


def _logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    expired = getattr(request, "session_expired_reason", "")
    kind = AccessEvent.Kind.SESSION_EXPIRED if expired else AccessEvent.Kind.LOGOUT
    access_event_record(kind=kind, request=request, user=user, detail=expired)


def _login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "")
    user = User.objects.filter(username=username).first() if username else None
    detail = kwargs.get("reason", "") or ("wrong password" if user else "unknown username")
    access_event_record(
        kind=AccessEvent.Kind.LOGIN_FAILED,
        request=request,
        user=user,
        username=username,
        detail=detail,
    )


def _locked_out(sender, request, username, ip_address, **kwargs):
    user = User.objects.filter(username=username).first() if username else None
    access_event_record(
        kind=AccessEvent.Kind.LOCKED_OUT, request=request, user=user, username=username or ""
    )


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="trial_edc_access_login")
    user_logged_out.connect(_logged_out, dispatch_uid="trial_edc_access_logout")
    user_login_failed.connect(_login_failed, dispatch_uid="trial_edc_access_failed")
    user_locked_out.connect(_locked_out, dispatch_uid="trial_edc_access_locked")
