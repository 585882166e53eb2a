"""The account rules of an electronic signature (21 CFR 11.50, 11.200), shared by every
signature of the trial (an adverse event, a subject's casebook).

The first signing of a session takes the identification code (username) and the password;
later signings of the same session the password only. A wrong username or password counts as
a failed sign-in (access log, lockout). A signer whose password was set by someone else must
change it first."""

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from trial_edc.accounts.rules import must_change_password


class WrongPassword(ValidationError):
    pass


# Set in the session after a signature: the signer has identified themselves with username and
# password in this session, so later signings ask only the password (21 CFR 11.200(a)(1)).
SESSION_SIGNER_IDENTIFIED = "trial_edc_signer_identified"


def signer_identified(request, signer) -> bool:
    """Has the signer given username and password for a signature in this session?"""
    session = getattr(request, "session", None)
    return session is not None and session.get(SESSION_SIGNER_IDENTIFIED) == signer.pk


def check_password_is_own(signer) -> None:
    if must_change_password(signer):
        raise PermissionDenied(
            _("Your password was set by someone else: change it before you sign.")
        )


def check_identification(request, signer, username: str | None) -> None:
    """The first signing of a session takes the identification code (username) too; it must
    be the signed-in signer's, else it counts as a failed sign-in (lockout)."""
    if signer_identified(request, signer):
        return
    if (username or "").strip() != signer.username:
        user_login_failed.send(
            sender=__name__,
            credentials={"username": signer.username},
            request=request,
            reason="signature: username is not the signer's",
        )
        raise WrongPassword(
            {"username": _("This is not the username you signed in with; nothing was signed.")}
        )


def check_password(request, signer, password: str) -> None:
    """Re-authentication; a wrong password counts as a failed sign-in (lockout)."""
    user = authenticate(request, username=signer.username, password=password)
    if user is None or user.pk != signer.pk:
        raise WrongPassword({"password": _("The password is not correct; nothing was signed.")})


def reauthenticate(request, signer, *, username: str | None, password: str) -> None:
    """All the account checks of a signature, before anything is written (outside the
    transaction, so a failure is recorded even though nothing is signed)."""
    check_password_is_own(signer)
    check_identification(request, signer, username)
    check_password(request, signer, password)


def signer_identified_remember(request, signer) -> None:
    """After a signature: later signings of this session ask the password only."""
    if getattr(request, "session", None) is not None:
        request.session[SESSION_SIGNER_IDENTIFIED] = signer.pk
