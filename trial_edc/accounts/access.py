"""What a signed-in user may do, read once per session instead of on every request.

The session keeps the user's permissions, roles and site ids with the `User.access_version`
they were read at. PostgreSQL triggers raise that version whenever the user's roles, their own
permissions, the permissions of a role they hold or their site memberships change (accounts
migration 0007), and the user's row is read on every request anyway: a change of role or of
site takes effect on the user's next request, whoever made it and however.

`access_load` puts the copy where Django and the project read it: the permission caches of
ModelBackend (`has_perm`, `get_all_permissions`), the roles (`roles.user_roles`) and the site
ids (`permissions.is_member`).
"""

from trial_edc.accounts.models import SiteMembership
from trial_edc.accounts.roles import Role, user_roles

SESSION_ACCESS = "trial_edc_access"
# what the time-zone middleware keeps in the session: read again with the access
_DERIVED = ("trial_edc_time_zone",)


def access_read(user) -> dict:
    """The user's permissions, roles and site ids, with the version they were read at."""
    # through ModelBackend, so that its rules (active users only, superusers) hold as ever
    user_permissions = sorted(user.get_user_permissions())
    group_permissions = sorted(user.get_group_permissions())
    return {
        "user": user.pk,
        "version": user.access_version,
        "user_permissions": user_permissions,
        "group_permissions": group_permissions,
        "roles": [role.value for role in user_roles(user)],
        "site_ids": sorted(
            SiteMembership.objects.filter(user_id=user.pk).values_list("site_id", flat=True)
        ),
    }


def access_apply(user, access: dict) -> None:
    """Give the user object the copy: Django's permission caches, the roles, the sites."""
    user._user_perm_cache = set(access["user_permissions"])
    user._group_perm_cache = set(access["group_permissions"])
    user._perm_cache = user._user_perm_cache | user._group_perm_cache
    user._trial_edc_roles = [Role(value) for value in access["roles"]]
    user._trial_edc_site_ids = frozenset(access["site_ids"])
    user._trial_edc_memo = {}


def request_memo(user, key: str, compute):
    """`compute()` once per request for the request's user (the object AccessMiddleware
    handed on, made afresh for each request); every other user object: computed each time."""
    memo = getattr(user, "_trial_edc_memo", None)
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def access_load(request) -> None:
    """The signed-in user's access from the session, read again if it is missing or stale."""
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return
    session = request.session
    access = session.get(SESSION_ACCESS)
    if (
        not isinstance(access, dict)
        or access.get("user") != user.pk
        or access.get("version") != user.access_version
    ):
        for key in _DERIVED:
            session.pop(key, None)
        access = access_read(user)
        session[SESSION_ACCESS] = access
    access_apply(user, access)


class AccessMiddleware:
    """After AuthenticationMiddleware: the user's permissions, roles and sites from the
    session (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        access_load(request)
        return self.get_response(request)
