"""Writes the access log from Django's and axes' authentication signals.

Signals only record what happened here; no business rule hangs on them.
"""

import ipaddress

from axes.signals import user_locked_out
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from trial_edc.accounts.models import AccessEvent, User
from trial_edc.accounts.rules import mfa_required


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address behind TRUSTED_PROXY_COUNT reverse proxies (also axes' lockout
    address: AXES_CLIENT_IP_CALLABLE).

    Each trusted proxy appends the address it received the request from to X-Forwarded-For,
    so the client's address is the N-th entry from the right. Whatever stands further left
    was sent by the client itself and is ignored: a spoofed header cannot choose the address.
    A header shorter than N (the request did not come through the proxies) gives REMOTE_ADDR.
    """
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < proxies:
        return remote
    return _valid_ip(hops[-proxies]) or remote


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
    if not mfa_required(user):
        # signed in completely: earlier failures no longer count (else after the code step)
        lockout_reset(user)


def lockout_reset(user) -> None:
    axes_reset(username=user.username)


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
