"""Who may act: every service that writes calls `require` before it changes anything, so a
view, a task or a command cannot skip the check (Wagtail's check() then execute())."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from trial_edc.accounts.models import SiteMembership


def is_member(user, site) -> bool:
    # the session's copy of the user's sites (accounts.access), else from the database
    site_ids = getattr(user, "_trial_edc_site_ids", None)
    if site_ids is not None:
        return site.pk in site_ids
    return SiteMembership.objects.filter(user=user, site=site).exists()


def require(user, permission: str, site=None) -> None:
    """Refuse unless `user` holds `permission` ("app_label.codename") and, when a site is
    given, is a member of it. `user=None` is the system itself (a scheduled task acting on
    its own behalf, the demo seed), which is always allowed."""
    if user is None:
        return
    if not user.has_perm(permission):
        raise PermissionDenied(_("Your role does not allow this."))
    if site is not None and not is_member(user, site):
        raise PermissionDenied(_("You are not a member of site %(site)s.") % {"site": site.code})


def require_change(user, instance, site) -> None:
    """The add permission for a new record of the instance's model, change for a saved one."""
    meta = instance._meta
    action = "add" if instance._state.adding else "change"
    require(user, f"{meta.app_label}.{action}_{meta.model_name}", site)
