"""Personal API tokens made and revoked; each is an entry of the access log in the same
transaction. A token is made only by a person who passed their authenticator's code in this
session — every role: a coordinator or monitor, who signs in without one, enrols one first."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from datamanagement.api import rules
from datamanagement.models import ApiToken
from trial_edc.accounts.access_log import access_event_record
from trial_edc.accounts.models import AccessEvent
from trial_edc.accounts.roles import user_roles
from trial_edc.core.problems import Problem, refuse


def token_creation_problems(user) -> list[Problem]:
    """Why `user` may not make a token now ([] if they may)."""
    if not user.is_authenticated or not user_roles(user):
        return [Problem("", _("Your role does not allow this."))]
    is_verified = getattr(user, "is_verified", None)
    if not (is_verified and is_verified()):
        return [
            Problem(
                "",
                _(
                    "A token is made only after your authenticator's code in this session: "
                    "add an authenticator app, or type its code, first."
                ),
            )
        ]
    return []


def api_token_create(*, user, name: str, days: int, request=None) -> tuple[ApiToken, str]:
    """A new personal token of `user` for `days` days; returns it and the token itself (shown
    once: only its digest is kept)."""
    problems = token_creation_problems(user)
    if problems:
        raise PermissionDenied(problems[0].message)
    refuse(rules.token_days_problems(days))
    name = (name or "").strip()
    if not name:
        refuse([Problem("name", _("Give the token a name."))])
    with transaction.atomic():
        token, secret = ApiToken.objects.create(user=user, expiry=timedelta(days=days), name=name)
        access_event_record(
            kind=AccessEvent.Kind.API_TOKEN_CREATED,
            request=request,
            user=user,
            actor=user,
            detail=f"{name} (expires {token.expiry:%Y-%m-%d %H:%M} UTC)",
        )
    return token, secret


def api_token_revoke(*, user, digest: str, request=None) -> ApiToken | None:
    """Revoke one of `user`'s own tokens (deleted: it is refused from now on); None if they
    have no such token."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(user=user, digest=digest).first()
        if token is None:
            return None
        token.delete()
        access_event_record(
            kind=AccessEvent.Kind.API_TOKEN_REVOKED,
            request=request,
            user=user,
            actor=user,
            detail=token.name,
        )
    return token
