"""Who must do what before using the system; pure rules, used by the gate middleware and by
the services that must refuse too (the signing service)."""

from trial_edc.accounts.roles import MFA_ROLES, user_roles


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
