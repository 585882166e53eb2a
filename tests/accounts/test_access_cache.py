"""Permissions, roles and sites are read once per session and read again on the next request
after any change to them (User.access_version, raised by PostgreSQL triggers)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trial_edc.accounts.models import SiteMembership, User
from trial_edc.accounts.roles import Role, role_group


@pytest.fixture
def subject(subject_on_day_6):
    return subject_on_day_6


def _version(user) -> int:
    return User.objects.values_list("access_version", flat=True).get(pk=user.pk)


def test_permissions_roles_and_sites_are_read_once_per_session(coordinator_client, subject):
    url = reverse("safety:vitals_create", args=[subject.pk])
    assert coordinator_client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert coordinator_client.get(url).status_code == 200
    # the tables each statement reads first (a subquery scoping rows to the sites is no read)
    tables = {q["sql"].split(" FROM ", 1)[-1].split()[0] for q in queries.captured_queries}
    assert not tables & {'"auth_permission"', '"auth_group"', '"accounts_sitemembership"'}


def test_a_role_taken_away_holds_from_the_next_request(coordinator, coordinator_client, subject):
    url = reverse("safety:vitals_create", args=[subject.pk])
    assert coordinator_client.get(url).status_code == 200
    before = _version(coordinator)
    coordinator.groups.remove(role_group(Role.SITE_COORDINATOR))
    assert _version(coordinator) > before
    assert coordinator_client.get(url).status_code == 403


def test_a_role_given_holds_from_the_next_request(make_user, site, client_for, subject):
    late = make_user(None, [site], username="late")
    client = client_for(late)
    url = reverse("safety:vitals_create", args=[subject.pk])
    assert client.get(url).status_code == 403
    late.groups.add(role_group(Role.SITE_COORDINATOR))
    assert client.get(url).status_code == 200


def test_a_site_taken_away_holds_from_the_next_request(coordinator, coordinator_client, subject):
    import pghistory

    url = reverse("portal:subject_dashboard", args=[subject.pk])
    assert coordinator_client.get(url).status_code == 200
    with pghistory.context(reason="test: access removed"):
        SiteMembership.objects.filter(user=coordinator).delete()
    assert coordinator_client.get(url).status_code == 404


def test_a_permission_taken_from_a_role_raises_its_members_versions(coordinator, monitor):
    """In raw SQL, as any path would: the trigger, not the ORM, raises the version."""
    group = role_group(Role.SITE_COORDINATOR)
    coordinator_before, monitor_before = _version(coordinator), _version(monitor)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM auth_group_permissions WHERE id = "
            "(SELECT min(id) FROM auth_group_permissions WHERE group_id = %s)",
            [group.pk],
        )
    assert _version(coordinator) == coordinator_before + 1
    assert _version(monitor) == monitor_before


def test_a_user_permission_and_a_membership_raise_the_version(coordinator, other_site):
    import pghistory
    from django.contrib.auth.models import Permission

    before = _version(coordinator)
    coordinator.user_permissions.add(Permission.objects.get(codename="view_site"))
    assert _version(coordinator) == before + 1
    with pghistory.context(reason="test: access added"):
        SiteMembership.objects.create(user=coordinator, site=other_site)
    assert _version(coordinator) == before + 2
