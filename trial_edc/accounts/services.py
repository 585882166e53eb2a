"""Administration of users and sites by data managers; every change is in the access log."""

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from trial_edc.accounts import mfa, rules
from trial_edc.accounts.access_log import access_event_record
from trial_edc.accounts.models import AccessEvent, Site, SiteMembership, User
from trial_edc.accounts.permissions import require
from trial_edc.accounts.roles import GROUP_NAMES, Role, role_group, user_roles
from trial_edc.accounts.selectors import user_is_managed_by
from trial_edc.audit.services import audit_context, audited_save


class SiteNotYours(PermissionError):
    """A data manager tried to grant access to a site they do not belong to."""


def _check_sites_are_actors(actor: User, sites) -> None:
    own = set(SiteMembership.objects.filter(user=actor).values_list("site_id", flat=True))
    if any(site.pk not in own for site in sites):
        raise SiteNotYours("You can only give access to your own sites.")


def _check_manages(actor: User, user: User) -> None:
    """Nobody changes their own access; a data manager manages only users all of whose sites
    are theirs (accounts.selectors.users_for)."""
    if actor.pk == user.pk:
        raise PermissionDenied(_("Nobody can change their own roles, sites or password here."))
    if not user_is_managed_by(actor, user):
        raise PermissionDenied(_("This user has a site that is not yours."))


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
        # the data manager knows this password: the user changes it at first sign-in
        user.password_change_required = True
        user.is_staff = False
        user.is_superuser = False
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
    _check_manages(actor, user)
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


def site_create(*, actor: User, code: str, name: str, time_zone: str, language: str = "en") -> Site:
    """A new site; its creator becomes a member so they can administer it."""
    require(actor, "accounts.add_site")
    rules.site_code_refuse(code)
    with transaction.atomic():
        site = Site(code=code, name=name, time_zone=time_zone, language=language)
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
    rules.site_code_refuse(site.code)
    try:
        with transaction.atomic():
            audited_save(instance=site, user=actor, reason=reason)
    except DatabaseError as exc:
        if not rules.site_code_changed_in_use(exc):
            raise
        raise ValidationError(
            {
                "code": _(
                    "Screenings and subjects of this site are numbered with its code: "
                    "the code can no longer change."
                )
            }
        ) from exc
    return site


def user_password_reset(*, actor: User, user: User, password: str, request=None) -> None:
    """A data manager sets a temporary password, which the user must change at next sign-in."""
    require(actor, "accounts.change_user")
    _check_manages(actor, user)
    validate_password(password, user)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.set_password(password)
        user.password_change_required = True
        user.save(update_fields=["password", "password_change_required"])
        access_event_record(
            kind=AccessEvent.Kind.PASSWORD_RESET, request=request, user=user, actor=actor
        )


def password_change(*, user: User, password: str, request=None) -> None:
    """A user sets their own password (it was checked against the validators by the form);
    a temporary password is then no longer in force."""
    validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.password_change_required = False
        user.save(update_fields=["password", "password_change_required"])
        access_event_record(kind=AccessEvent.Kind.PASSWORD_CHANGED, request=request, user=user)


def user_mfa_reset(*, actor: User, user: User, request=None) -> int:
    """A lost authenticator: the user's devices and recovery codes go; they enrol again at
    their next sign-in. Returns the number of devices removed."""
    require(actor, "accounts.change_user")
    _check_manages(actor, user)
    with transaction.atomic():
        removed = mfa.devices_remove(user)
        access_event_record(
            kind=AccessEvent.Kind.MFA_RESET,
            request=request,
            user=user,
            actor=actor,
            detail=f"{removed} device(s) removed",
        )
    return removed


class DataManagerExists(Exception):
    """There is already an active data manager: new users come from the Users page."""


def first_data_manager_create(
    *,
    username: str,
    password: str,
    site_code: str,
    site_name: str = "",
    time_zone: str = "",
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """The way in on a new installation (manage.py create_data_manager): an ordinary account
    (not superuser, not staff) with the data manager role and a site, created from options
    if it does not exist. Refused once an active data manager exists."""
    data_managers = User.objects.filter(groups=role_group(Role.DATA_MANAGER), is_active=True)
    if data_managers.exists():
        raise DataManagerExists(
            _("An active data manager exists already: they add users on the Users page.")
        )
    if User.objects.filter(username__iexact=username).exists():
        raise ValueError(_("This username is taken; choose another."))
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    validate_password(password, user)
    with transaction.atomic(), audit_context(user=None, reason="first data manager"):
        site = Site.objects.filter(code=site_code).first()
        if site is None:
            if not site_name:
                raise ValueError(
                    _("Site %(code)s does not exist: give its name.") % {"code": site_code}
                )
            site = Site(code=site_code, name=site_name, time_zone=time_zone or "Asia/Shanghai")
            site.full_clean()
            site.save()
        user.set_password(password)
        user.is_staff = user.is_superuser = False
        user.password_change_required = False  # they typed it themselves
        user.save()
        access_event_record(
            kind=AccessEvent.Kind.USER_CREATED, user=user, detail="manage.py create_data_manager"
        )
        _roles_apply(actor=None, user=user, roles=[Role.DATA_MANAGER], request=None)
        _sites_apply(actor=None, user=user, sites=[site], request=None)
    return user


def user_language_set(*, user: User, language: str) -> User:
    """A person chooses the language of their pages, e-mails and PDFs (their own setting:
    anyone signed in may change it for themselves, no one for someone else)."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user
