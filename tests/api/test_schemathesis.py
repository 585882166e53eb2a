"""Schemathesis against the served schema (/api/schema/, fetched with a real token through
the WSGI application): every operation, generated parameters (cursors, page sizes, dates,
ids), no server error and no response that contradicts the schema. A few examples each
(API_EXAMPLES=50 looks further)."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.api.conftest import make_token
from trial_edc.accounts.models import User

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("API_EXAMPLES", "4"))


@pytest.fixture
def wsgi_app():
    """The project's WSGI application, keeping the test's connection open across requests
    (as Django's test client does: no close_old_connections inside the test transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_no_server_error_and_no_response_against_the_schema(study_data, wsgi_app):
    app = wsgi_app
    headers = {"Authorization": f"Token {make_token(User.objects.get(username='datamanager'))}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app, headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 2 * 18
    failures = []
    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call(headers=headers)
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance]
            )

        try:
            check()
        except Exception as failure:  # collect every operation's, then report them all
            failures.append(f"{operation.label}: {failure}")
    assert not failures, "\n\n".join(failures)
