from trial_edc.accounts.roles import user_roles


def navigation(request):
    """The signed-in user's roles, for the navigation bar and home page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": []}
    roles = getattr(request, "trial_edc_roles", None)  # read by AccountGateMiddleware
    return {"user_roles": user_roles(user) if roles is None else roles}
