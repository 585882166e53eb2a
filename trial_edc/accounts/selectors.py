"""Reads about users and sites. Every read of study data is scoped through `site_ids_of`."""

from collections.abc import Callable

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from trial_edc.accounts.models import AccessEvent, Site, SiteMembership, User
from trial_edc.accounts.roles import GROUP_NAMES, Role


def site_ids_of(user) -> list[int] | Subquery:
    """The ids of the user's sites, with no query of its own: the request's copy when
    AccessMiddleware gave the user one (`accounts.access`, as current as the permissions the
    request is checked with), else a subquery."""
    copied = getattr(user, "_trial_edc_site_ids", None)
    if copied is not None:
        return sorted(copied)
    return Subquery(SiteMembership.objects.filter(user_id=user.pk).values("site_id"))


def scope_to_sites(queryset: QuerySet, user, site_path: str = "site") -> QuerySet:
    """Only the rows of the user's sites; a row of another site is then a 404."""
    if not user.is_authenticated:
        return queryset.none()
    return queryset.filter(**{f"{site_path}__in": site_ids_of(user)})


def sites_for(user) -> QuerySet[Site]:
    return scope_to_sites(Site.objects.all(), user, site_path="pk")


# Counts per site on the site overview, registered by the trial apps (AppConfig.ready):
# name -> a function returning the rows (with a `site`) to count.
SITE_COUNTS: dict[str, Callable[[], QuerySet]] = {}


def site_count_register(name: str, rows: Callable[[], QuerySet]) -> None:
    SITE_COUNTS[name] = rows


def _per_site_count(queryset) -> Subquery:
    counted = queryset.filter(site=OuterRef("pk")).order_by().values("site")
    return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")), 0)


def site_overview(user) -> QuerySet[Site]:
    """The user's sites with staff by role and the registered site counts (screenings,
    subjects...), in one query."""
    counts = {
        f"{role.value}_count": Count(
            "memberships",
            filter=Q(memberships__user__groups__name=GROUP_NAMES[role])
            & Q(memberships__user__is_active=True),
            distinct=True,
        )
        for role in Role
    }
    return (
        sites_for(user)
        .annotate(**counts)
        .annotate(**{name: _per_site_count(rows()) for name, rows in SITE_COUNTS.items()})
        .order_by("code")
    )


def users_for(user) -> QuerySet[User]:
    """Users a data manager administers (sees, edits, resets).

    A user is theirs when every site of the user is one of the data manager's sites: a user
    with any site outside them is not. A user with no site (yet, or any more) is theirs only
    if they created the account (the access log says so), so that no data manager can take
    over another's site-less user by giving them a site. Superusers are nobody's."""
    mine = site_ids_of(user)
    outside = SiteMembership.objects.filter(user_id=OuterRef("pk")).exclude(site_id__in=mine)
    created_by_them = AccessEvent.objects.filter(
        user_id=OuterRef("pk"), kind=AccessEvent.Kind.USER_CREATED, actor_id=user.pk
    )
    return (
        User.objects.filter(
            Q(Exists(SiteMembership.objects.filter(user_id=OuterRef("pk"))))
            | Q(Exists(created_by_them))
        )
        .exclude(Exists(outside))
        .exclude(is_superuser=True)
        .prefetch_related("groups", "memberships__site")
        .order_by("username")
    )


def users_managed_by(user) -> QuerySet[User]:
    """The users whose roles, sites and password a data manager may change: theirs, but never
    themselves (nobody changes their own roles or sites)."""
    return users_for(user).exclude(pk=user.pk)


def user_is_managed_by(actor, user) -> bool:
    return users_managed_by(actor).filter(pk=user.pk).exists()


def access_events_for(user) -> QuerySet[AccessEvent]:
    """Access events about the user's sites and their people, and failed sign-ins of
    unknown usernames (which belong to no site)."""
    mine = site_ids_of(user)
    return (
        AccessEvent.objects.filter(
            Q(site__in=mine)
            | Q(user__memberships__site__in=mine)
            | Q(user__isnull=True, site__isnull=True)
        )
        .distinct()
        .select_related("user", "actor", "site")
    )


def languages_of(user_ids) -> dict[int, str]:
    """Each user's language (theirs, else their first site's, else the installation's), in
    one query: the language an e-mail to them is written in."""
    first_site = (
        Site.objects.filter(memberships__user_id=OuterRef("pk")).order_by("code").values("language")
    )
    rows = User.objects.filter(pk__in=list(user_ids)).annotate(
        site_language=Subquery(first_site[:1])
    )
    return {
        pk: own or site or settings.LANGUAGE_CODE
        for pk, own, site in rows.values_list("pk", "language", "site_language")
    }
