"""The people who act at a site: active staff with an e-mail address, by role."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet

from trial_edc.accounts.models import SiteMembership, User
from trial_edc.accounts.roles import GROUP_NAMES, Role


def staff(*roles: Role, site_id: int | None = None) -> QuerySet[User]:
    """Active users with an e-mail address in any of `roles` (of one site, or of any)."""
    users = User.objects.filter(
        groups__name__in=[GROUP_NAMES[r] for r in roles], is_active=True
    ).exclude(email="")
    if site_id is not None:
        users = users.filter(memberships__site_id=site_id)
    return users.order_by("email").distinct()


@dataclass
class StaffBySite:
    """Active staff with an e-mail address, by site and role: {site_id: {role: [user_id]}},
    read for many sites in one query (`staff_by_site`)."""

    by_site: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))

    def of(self, site_id: int, *roles: str) -> list[int]:
        ids = [u for role in roles for u in self.by_site[site_id][role]]
        return sorted(set(ids))


def staff_by_site(sites) -> StaffBySite:
    roles = {GROUP_NAMES[r]: r for r in Role}
    found = StaffBySite()
    rows = (
        SiteMembership.objects.filter(
            site__in=sites, user__is_active=True, user__groups__name__in=list(roles)
        )
        .exclude(user__email="")
        .values_list("site_id", "user_id", "user__groups__name")
    )
    for site_id, user_id, group in rows:
        found.by_site[site_id][roles[group]].append(user_id)
    return found
