from trial_edc.accounts.roles import user_roles
from trial_edc.accounts.rules import account_ready


def navigation(request):
    """The signed-in user's roles, for the navigation bar and home page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": [], "account_gate_open": False}
    roles = getattr(request, "trial_edc_roles", None)  # read by AccountGateMiddleware
    roles = user_roles(user) if roles is None else roles
    return {
        "user_roles": roles,
        # False on the password-change and second-factor steps: no menu leads anywhere yet
        "account_gate_open": account_ready(user, roles),
    }
