"""Data managers administer users and sites; every role or membership change is logged."""

from django.urls import reverse

from trial_edc.accounts.models import AccessEvent, Site, SiteMembership, User
from trial_edc.accounts.roles import Role, user_roles


def _kinds(user):
    return list(AccessEvent.objects.filter(user=user).order_by("id").values_list("kind", "detail"))


def test_data_manager_creates_a_coordinator_for_their_site(data_manager_client, data_manager, site):
    response = data_manager_client.post(
        reverse("accounts:user_create"),
        {
            "username": "li.na",
            "first_name": "Li",
            "last_name": "Na",
            "email": "li.na@example.org",
            "password": "nebuliser-morning-shift-7",
            "roles": ["site_coordinator"],
            "sites": [site.pk],
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="li.na")
    assert user_roles(user) == [Role.SITE_COORDINATOR]
    assert list(user.memberships.values_list("site__code", flat=True)) == ["01"]
    assert user.check_password("nebuliser-morning-shift-7")
    assert _kinds(user) == [
        ("user_created", ""),
        ("role_granted", "Site coordinator"),
        ("membership_added", ""),
    ]
    assert AccessEvent.objects.filter(user=user).exclude(actor=data_manager).count() == 0


def test_role_and_site_changes_are_logged_with_who_did_them(
    data_manager_client, data_manager, coordinator, site, other_site
):
    SiteMembership.objects.create(user=data_manager, site=other_site)
    response = data_manager_client.post(
        reverse("accounts:user_access", args=[coordinator.pk]),
        {"roles": ["investigator"], "sites": [other_site.pk], "is_active": "on"},
    )
    assert response.status_code == 302
    assert user_roles(coordinator) == [Role.INVESTIGATOR]
    assert set(coordinator.memberships.values_list("site__code", flat=True)) == {"02"}
    kinds = {k for k, _ in _kinds(coordinator)}
    assert {"role_granted", "role_revoked", "membership_added", "membership_removed"} <= kinds
    assert set(
        AccessEvent.objects.filter(kind__in=["role_granted", "role_revoked"]).values_list(
            "actor__username", flat=True
        )
    ) == {"datamanager"}


def test_deactivated_user_cannot_sign_in(data_manager_client, coordinator, site, client):
    data_manager_client.post(
        reverse("accounts:user_access", args=[coordinator.pk]),
        {"roles": ["site_coordinator"], "sites": [site.pk]},
    )
    coordinator.refresh_from_db()
    assert not coordinator.is_active
    assert ("user_deactivated", "") in _kinds(coordinator)
    response = client.post(
        reverse("accounts:login"),
        {"username": "coordinator", "password": "correct-horse-battery-42"},
    )
    assert response.status_code == 200


def test_a_user_with_a_site_outside_the_data_managers_is_not_theirs(
    data_manager_client, make_user, site, other_site
):
    both = make_user(Role.MONITOR, [site, other_site], username="roaming")
    response = data_manager_client.post(
        reverse("accounts:user_access", args=[both.pk]),
        {"roles": ["monitor"], "sites": [], "is_active": "on"},
    )
    assert response.status_code == 404
    assert list(both.memberships.values_list("site__code", flat=True)) == ["01", "02"]


def test_site_created_by_a_data_manager_is_theirs(data_manager_client, data_manager):
    response = data_manager_client.post(
        reverse("accounts:site_create"),
        {"code": "03", "name": "Shenzhen", "time_zone": "Asia/Shanghai"},
    )
    assert response.status_code == 302
    site = Site.objects.get(code="03")
    assert SiteMembership.objects.filter(user=data_manager, site=site).exists()
    assert site.events.get().pgh_context["user"] == data_manager.pk


def test_site_code_must_be_digits(data_manager_client):
    response = data_manager_client.post(
        reverse("accounts:site_create"), {"code": "GZ", "name": "Bad", "time_zone": "Asia/Shanghai"}
    )
    assert "Use exactly 2 digits 0-9" in response.context["form"].errors["code"][0]


def test_access_log_lists_events_of_own_sites_only(
    data_manager_client, make_user, other_site, coordinator
):
    stranger = make_user(Role.SITE_COORDINATOR, [other_site], username="stranger")
    AccessEvent.objects.create(kind="login", user=stranger, username="stranger")
    AccessEvent.objects.create(kind="login", user=coordinator, username="coordinator")
    rows = list(data_manager_client.get(reverse("accounts:access_log")).context["page"])
    usernames = {e.username for e in rows}
    assert "coordinator" in usernames
    assert "stranger" not in usernames


def test_access_log_page_runs_a_constant_number_of_queries(
    data_manager_client, coordinator, django_assert_max_num_queries
):
    for _ in range(60):
        AccessEvent.objects.create(kind="login", user=coordinator, username="coordinator")
    with django_assert_max_num_queries(12):
        assert data_manager_client.get(reverse("accounts:access_log")).status_code == 200


def test_dates_are_stored_in_utc_and_shown_in_the_site_time_zone(data_manager_client, coordinator):
    from datetime import UTC, datetime

    import time_machine

    with time_machine.travel(datetime(2026, 3, 1, 23, 30, tzinfo=UTC), tick=False):
        event = AccessEvent.objects.create(kind="login", user=coordinator, username="coordinator")
    assert event.at == datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    html = data_manager_client.get(reverse("accounts:access_log")).content.decode()
    assert "2026-03-02 07:30" in html  # Asia/Shanghai, UTC+8
    assert "2026-03-01 23:30" not in html


def test_no_role_may_write_service_records_directly(role_users):
    from trial_edc.accounts.roles import SYSTEM_MODELS

    for user in role_users.values():
        for model in SYSTEM_MODELS:
            assert not user.has_perm(f"safety.add_{model}"), (user, model)
            assert not user.has_perm(f"safety.change_{model}"), (user, model)
    assert role_users[Role.MONITOR].has_perm("safety.view_adverseeventsignature")


def test_each_role_home_shows_what_waits_for_it(
    investigator_client, coordinator_client, monitor_client
):
    def labels(client):
        return [label for label, _, _ in client.get(reverse("portal:home")).context["tasks"]]

    def worklists(client):
        return [key for key, _, _ in client.get(reverse("portal:home")).context["worklists"]]

    assert "adverse_events_to_sign" in worklists(investigator_client)
    assert "adverse_events_to_sign" not in worklists(coordinator_client)
    assert "doses_today" in worklists(coordinator_client)
    assert "doses_today" not in worklists(monitor_client)
    assert "Subjects with missing dose records" in labels(coordinator_client)
    assert "Subjects with missing dose records" not in labels(monitor_client)
