"""A user of site 01 cannot reach a record of site 02, by URL or by form POST."""

from django.urls import reverse

from trial_edc.accounts.models import Site, SiteMembership, User
from trial_edc.accounts.roles import Role


def test_site_of_another_site_is_404_by_url(data_manager_client, other_site):
    assert (
        data_manager_client.get(reverse("accounts:site_edit", args=[other_site.pk])).status_code
        == 404
    )
    audit_url = reverse("portal:record_audit", args=["accounts", "site", other_site.pk])
    assert data_manager_client.get(audit_url).status_code == 404


def test_site_of_another_site_is_404_by_post_and_unchanged(data_manager_client, other_site):
    response = data_manager_client.post(
        reverse("accounts:site_edit", args=[other_site.pk]),
        {
            "code": "02",
            "name": "Hijacked",
            "time_zone": "UTC",
            "is_active": "on",
            "reason_for_change": "x",
        },
    )
    assert response.status_code == 404
    other_site.refresh_from_db()
    assert other_site.name == "Elsewhere"


def test_site_list_shows_only_own_sites(monitor_client, site, other_site):
    content = monitor_client.get(reverse("accounts:site_list")).content.decode()
    assert site.name in content
    assert other_site.name not in content


def test_user_of_another_site_is_404(data_manager_client, make_user, other_site):
    stranger = make_user(Role.SITE_COORDINATOR, [other_site], username="stranger")
    assert (
        data_manager_client.get(reverse("accounts:user_access", args=[stranger.pk])).status_code
        == 404
    )
    response = data_manager_client.post(
        reverse("accounts:user_access", args=[stranger.pk]),
        {"roles": ["monitor"], "is_active": "on"},
    )
    assert response.status_code == 404
    assert not stranger.groups.filter(name="Monitor").exists()


def test_data_manager_cannot_grant_access_to_a_site_not_theirs(
    data_manager_client, other_site, site
):
    response = data_manager_client.post(
        reverse("accounts:user_create"),
        {
            "username": "newbie",
            "first_name": "New",
            "last_name": "Person",
            "email": "newbie@example.org",
            "password": "a-long-enough-passphrase-77",
            "roles": ["site_coordinator"],
            "sites": [other_site.pk],
        },
    )
    assert response.status_code == 200
    assert "sites" in response.context["form"].errors
    assert not User.objects.filter(username="newbie").exists()


def test_audit_view_of_unaudited_or_unknown_model_is_404(data_manager_client, site):
    assert (
        data_manager_client.get(
            reverse("portal:record_audit", args=["accounts", "accessevent", 1])
        ).status_code
        == 404
    )
    assert (
        data_manager_client.get(
            reverse("portal:record_audit", args=["nope", "nothing", 1])
        ).status_code
        == 404
    )


def test_home_counts_only_own_sites(coordinator_client, site, other_site, make_user):
    make_user(Role.INVESTIGATOR, [other_site], username="far_investigator")
    response = coordinator_client.get(reverse("portal:home"))
    sites = list(response.context["sites"])
    assert [s.code for s in sites] == ["01"]
    assert sites[0].site_coordinator_count == 1
    assert Site.objects.count() == 2
    assert SiteMembership.objects.filter(site=other_site).count() == 1
