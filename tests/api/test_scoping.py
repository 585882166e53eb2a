"""A token of a site-01 user never returns a site-02 record, on any endpoint of the URL conf
(listed page by page, and one by one), whatever the role; the database holds records of both
sites for every endpoint."""

import pytest
from django.db.models import F

from datamanagement.api import selectors
from tests.api.conftest import auth, endpoint_of, url_conf_endpoints
from trial_edc.accounts.roles import Role

pytestmark = pytest.mark.django_db

ENDPOINTS = url_conf_endpoints()


def _all_pages(client, url, token):
    rows = []
    while url:
        response = client.get(url, **auth(token))
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        url = body["next"]
    return rows


def test_every_endpoint_of_the_registry_is_in_the_url_conf():
    assert sorted(ENDPOINTS) == sorted(e.path for e in selectors.endpoints())
    assert {"subjects", "visits", "adverse-events", "queries", "sdv"} <= set(ENDPOINTS)
    assert "forms/safety.vitalsigns" in ENDPOINTS


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_site_01_token_never_returns_a_site_02_record(client, site_01_tokens, path):
    model = endpoint_of(path).model
    sites = model.objects.values_list(F(f"{model.site_path}__code"), flat=True)
    assert "02" in set(sites), f"no site-02 record of {path}: the fixture must hold both sites"
    site_02_pks = set(
        model.objects.filter(**{f"{model.site_path}__code": "02"}).values_list("pk", flat=True)
    )
    site_01_pks = set(
        model.objects.filter(**{f"{model.site_path}__code": "01"}).values_list("pk", flat=True)
    )
    for role, token in site_01_tokens.items():
        rows = _all_pages(client, f"/api/v1/{path}/?page_size=7", token)
        returned = {row["id"] for row in rows}
        assert not returned & site_02_pks, (role, path)
        assert {row["site_code"] for row in rows} <= {"01"}
        assert returned == site_01_pks, (role, path)  # every role reads every CRF of its site
        for pk in list(site_02_pks)[:3]:
            response = client.get(f"/api/v1/{path}/{pk}/", **auth(token))
            assert response.status_code == 404, (role, path, pk)


def test_a_user_of_both_sites_reads_both(client, study_data):
    from tests.api.conftest import make_token
    from trial_edc.accounts.models import User

    token = make_token(User.objects.get(username="monitor"))
    rows = _all_pages(client, "/api/v1/subjects/", token)
    assert {row["site_code"] for row in rows} == {"01", "02"}


def test_identifiers_follow_the_pages_permission(client, site_01_tokens):
    from trial_edc.accounts.roles import role_group

    rows = _all_pages(client, "/api/v1/forms/enrollment.screening/", site_01_tokens[Role.MONITOR])
    assert all(row["initials"] and row["date_of_birth"] for row in rows)
    # a role without the screening pages would get neither
    role_group(Role.MONITOR).permissions.remove(
        *role_group(Role.MONITOR).permissions.filter(codename="view_screening")
    )
    subjects = _all_pages(client, "/api/v1/subjects/", site_01_tokens[Role.MONITOR])
    assert subjects
    response = client.get(
        "/api/v1/forms/enrollment.screening/", **auth(site_01_tokens[Role.MONITOR])
    )
    assert response.status_code == 403
