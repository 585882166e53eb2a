"""Administration of users and sites by data managers; every change is in the access log."""

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from trial_edc.accounts.access_log import access_event_record
from trial_edc.accounts.models import AccessEvent, Site, SiteMembership, User
from trial_edc.accounts.permissions import require
from trial_edc.accounts.roles import GROUP_NAMES, Role, role_group, user_roles
from trial_edc.audit.services import audit_context, audited_save


class SiteNotYours(PermissionError):
    """A data manager tried to grant access to a site they do not belong to."""


def _check_sites_are_actors(actor: User, sites) -> None:
    own = set(SiteMembership.objects.filter(user=actor).values_list("site_id", flat=True))
    if any(site.pk not in own for site in sites):
        raise SiteNotYours("You can only give access to your own sites.")


def user_create(
    *,
    actor: User,
    username: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    roles: list[str],
    sites: list[Site],
    request=None,
) -> User:
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    validate_password(password, user)
    require(actor, "accounts.add_user")
    _check_sites_are_actors(actor, sites)
    with transaction.atomic(), audit_context(user=actor, reason="user created"):
        user.set_password(password)
        user.is_staff = False
        user.save()
        access_event_record(
            kind=AccessEvent.Kind.USER_CREATED, request=request, user=user, actor=actor
        )
        _roles_apply(actor=actor, user=user, roles=roles, request=request)
        _sites_apply(actor=actor, user=user, sites=sites, request=request)
    return user


def user_access_set(
    *, actor: User, user: User, roles: list[str], sites: list[Site], is_active: bool, request=None
) -> None:
    """Set a user's roles, sites and active flag; each difference is logged."""
    require(actor, "accounts.change_user")
    _check_sites_are_actors(actor, sites)
    with transaction.atomic(), audit_context(user=actor, reason="access changed"):
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active != is_active:
            user.is_active = is_active
            user.save(update_fields=["is_active"])
            kind = (
                AccessEvent.Kind.USER_REACTIVATED
                if is_active
                else AccessEvent.Kind.USER_DEACTIVATED
            )
            access_event_record(kind=kind, request=request, user=user, actor=actor)
        _roles_apply(actor=actor, user=user, roles=roles, request=request)
        # Sites the actor does not manage are left as they are.
        own = SiteMembership.objects.filter(user=actor).values_list("site_id", flat=True)
        keep = list(Site.objects.filter(memberships__user=user).exclude(pk__in=own))
        _sites_apply(actor=actor, user=user, sites=[*sites, *keep], request=request)


def _roles_apply(*, actor, user, roles, request) -> None:
    wanted = {Role(r) for r in roles}
    current = set(user_roles(user))
    for role in sorted(wanted - current):
        user.groups.add(role_group(role))
        access_event_record(
            kind=AccessEvent.Kind.ROLE_GRANTED,
            request=request,
            user=user,
            actor=actor,
            detail=GROUP_NAMES[role],
        )
    for role in sorted(current - wanted):
        user.groups.remove(role_group(role))
        access_event_record(
            kind=AccessEvent.Kind.ROLE_REVOKED,
            request=request,
            user=user,
            actor=actor,
            detail=GROUP_NAMES[role],
        )


def _sites_apply(*, actor, user, sites, request) -> None:
    wanted = {s.pk: s for s in sites}
    current = {
        m.site_id: m for m in SiteMembership.objects.filter(user=user).select_related("site")
    }
    for site_id in wanted.keys() - current.keys():
        SiteMembership.objects.create(user=user, site=wanted[site_id])
        access_event_record(
            kind=AccessEvent.Kind.MEMBERSHIP_ADDED,
            request=request,
            user=user,
            actor=actor,
            site=wanted[site_id],
        )
    for site_id in current.keys() - wanted.keys():
        membership = current[site_id]
        membership.delete()
        access_event_record(
            kind=AccessEvent.Kind.MEMBERSHIP_REMOVED,
            request=request,
            user=user,
            actor=actor,
            site=membership.site,
        )


def site_create(*, actor: User, code: str, name: str, time_zone: str) -> Site:
    """A new site; its creator becomes a member so they can administer it."""
    require(actor, "accounts.add_site")
    with transaction.atomic():
        site = Site(code=code, name=name, time_zone=time_zone)
        audited_save(instance=site, user=actor)
        with audit_context(user=actor, reason="site created"):
            SiteMembership.objects.create(user=actor, site=site)
        access_event_record(
            kind=AccessEvent.Kind.MEMBERSHIP_ADDED, user=actor, actor=actor, site=site
        )
    return site


def site_update(*, actor: User, site: Site, reason: str) -> Site:
    """Save a corrected site (name, time zone) with the reason for change."""
    require(actor, "accounts.change_site", site)
    audited_save(instance=site, user=actor, reason=reason)
    return site
