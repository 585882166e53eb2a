"""The endpoints' behaviour: a constant number of queries a page whatever its size,
`modified_since` on the audit trail's time, the view permission as on the pages, the schema
and its docs page (served from the installed sidecar, within the site's CSP)."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.api.conftest import auth, make_token, url_conf_endpoints
from tests.factories import force_login_verified
from trial_edc.accounts.models import User

pytestmark = pytest.mark.django_db

ENDPOINTS = url_conf_endpoints()


def _queries(client, url, token) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **auth(token))
    assert response.status_code == 200
    return len(response.json()["results"]), len(captured)


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_page_costs_the_same_queries_whatever_its_size(client, study_data, path):
    token = make_token(User.objects.get(username="datamanager"))
    client.get("/api/v1/subjects/", **auth(token))  # the last-use time written once
    few_rows, few = _queries(client, f"/api/v1/{path}/?page_size=1", token)
    many_rows, many = _queries(client, f"/api/v1/{path}/?page_size=500", token)
    assert many_rows >= few_rows
    assert few == many, (path, few, many)
    assert many <= 6


def test_modified_since_uses_the_audit_trail(client, study_data):
    token = make_token(User.objects.get(username="datamanager"))
    rows = client.get("/api/v1/visits/?page_size=500", **auth(token)).json()["results"]
    assert rows and all(row["modified"] for row in rows)
    latest = max(row["modified"] for row in rows)
    since = client.get(f"/api/v1/visits/?modified_since={latest}", **auth(token)).json()
    assert since["results"] and all(r["modified"] >= latest for r in since["results"])
    future = client.get("/api/v1/visits/?modified_since=2999-01-01T00:00:00Z", **auth(token))
    assert future.json()["results"] == []
    refused = client.get("/api/v1/visits/?modified_since=last-tuesday", **auth(token))
    assert refused.status_code == 400 and "modified_since" in refused.json()
    naive = client.get(
        "/api/v1/visits/?modified_since=2000-01-01T00:00:00&page_size=500", **auth(token)
    )
    assert len(naive.json()["results"]) == len(rows)


def test_no_view_permission_no_endpoint(client, study_data):
    from trial_edc.accounts.roles import Role, role_group

    user = User.objects.get(username="coordinator")
    token = make_token(user)
    group = role_group(Role.SITE_COORDINATOR)
    group.permissions.remove(*group.permissions.filter(codename="view_vitalsigns"))
    assert client.get("/api/v1/forms/safety.vitalsigns/", **auth(token)).status_code == 403
    assert client.get("/api/v1/subjects/", **auth(token)).status_code == 200


def test_the_schema_needs_a_token_or_a_session(client, coordinator):
    assert client.get("/api/schema/").status_code in (401, 403)
    token = make_token(coordinator)
    response = client.get("/api/schema/?format=json", **auth(token))
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/forms/safety.vitalsigns/" in schema["paths"]
    vitals = schema["components"]["schemas"]["FormsSafetyVitalsigns"]["properties"]
    assert {"oxygen_support", "site_code", "subject_number", "modified"} <= set(vitals)


def test_the_docs_page_is_served_from_the_sidecar_without_inline_script(coordinator):
    from django.contrib.staticfiles import finders

    page = force_login_verified(Client(), coordinator)
    response = page.get(reverse("api:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all("src=" in attrs for attrs in scripts)
    assert "<style" not in html and "cdn" not in html.lower()
    for src in re.findall(r'src="([^"]+)"', html):
        if src.startswith("/static/"):
            assert finders.find(src.removeprefix("/static/")), src
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    script = page.get(reverse("api:docs") + "?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()
    assert Client().get(reverse("api:docs")).status_code == 302  # sign in first
