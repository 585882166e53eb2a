"""Who must do what before using the system; pure rules, used by the gate middleware and by
the services that must refuse too (the signing service)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from trial_edc.accounts.roles import MFA_ROLES, user_roles
from trial_edc.study import Study, study

# The refusal of a changed site code once records use it comes from PostgreSQL (a trigger
# that enrollment installs on the site table, enrollment/triggers.py), with this SQLSTATE.
SITE_CODE_IN_USE_SQLSTATE = "ES001"

# ASCII digits only: `\d` and str.isdigit() accept full-width and other scripts' digits
_DIGITS = re.compile(r"[0-9]+")


def must_change_password(user) -> bool:
    """A password someone else set must be changed before anything else (21 CFR 11.300)."""
    return bool(getattr(user, "password_change_required", False))


def mfa_required(user, roles=None) -> bool:
    """Those who sign and lock (investigators, data managers) use a second factor. `roles`:
    the user's roles when the caller has them already (one query less)."""
    if not user.is_authenticated:
        return False
    roles = user_roles(user) if roles is None else roles
    return user.is_superuser or any(role in MFA_ROLES for role in roles)


def account_ready(user, roles=None) -> bool:
    """Every step before the first page is done: own password, and the second factor for those
    who need one (AccountGateMiddleware sends the user to the step that is missing)."""
    if must_change_password(user):
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (mfa_required(user, roles) and not (is_verified and is_verified()))


def site_code_problems(code: str, s: Study | None = None) -> list[str]:
    """A site code is exactly `study().site_code_digits` ASCII digits (01, not 1, 001 or １２).
    Messages for the code field (accounts sits below trial_edc.core.problems)."""
    s = s or study()
    width = s.site_code_digits
    if _DIGITS.fullmatch(code or "") and len(code) == width:
        return []
    example = "1".zfill(width)
    return [_("Use exactly %(n)d digits 0-9, e.g. %(example)s.") % {"n": width, "example": example}]


def validate_site_code(value: str) -> None:
    """The model field's validator (forms show it next to the field)."""
    problems = site_code_problems(value)
    if problems:
        raise ValidationError(problems)


def site_code_refuse(code: str) -> None:
    """The services' check: the code's problems as an error on the code field."""
    problems = site_code_problems(code)
    if problems:
        raise ValidationError({"code": problems})


def site_code_changed_in_use(exc: BaseException) -> bool:
    """True if `exc` is the database's refusal to change a site code that records use."""
    cause = getattr(exc, "__cause__", None) or exc
    return getattr(cause, "pgcode", None) == SITE_CODE_IN_USE_SQLSTATE
