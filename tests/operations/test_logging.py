"""Issue 13, point 11: one log line per request (method, path, status, duration, user id,
request id) and one per Celery task (name, id, state, duration, user id or '-'), the request
id carried from a request into the tasks it sends; Sentry only when SENTRY_DSN is set."""

import logging
import sys
import uuid

import pytest
from django.urls import reverse

from trial_edc.core import logs
from trial_edc.notifications.tasks import outbox_send_due_task

REQUEST_ID = "X-Request-ID"


def lines(caplog, logger: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == logger]


def test_a_request_logs_one_line_with_its_user_id_and_request_id(
    coordinator_client, coordinator, caplog
):
    caplog.set_level(logging.INFO, logger="trial_edc.requests")
    response = coordinator_client.get(reverse("portal:home"))
    assert response.status_code == 200
    request_id = response[REQUEST_ID]
    [line] = lines(caplog, "trial_edc.requests")
    method, path, status, duration, user, request = line.split()
    assert (method, path, status) == ("GET", reverse("portal:home"), "200")
    assert duration.endswith("ms") and duration[:-2].isdigit()
    assert user == f"user={coordinator.pk}"
    assert request == f"request={request_id}"


def test_an_anonymous_request_is_logged_with_no_user_and_keeps_the_proxy_request_id(client, caplog):
    caplog.set_level(logging.INFO, logger="trial_edc.requests")
    given = str(uuid.uuid4())
    response = client.get(reverse("portal:home"), headers={REQUEST_ID: given})
    assert response.status_code == 302  # to the login page
    assert response[REQUEST_ID] == given
    [line] = lines(caplog, "trial_edc.requests")
    assert line.startswith(f"GET {reverse('portal:home')} 302 ")
    assert line.endswith(f" user=- request={given}")


def test_every_line_logged_during_a_request_carries_its_ids(coordinator_client, coordinator):
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Keep()
    handler.addFilter(logs.RequestContext())
    request_logger = logging.getLogger("trial_edc.requests")
    request_logger.addHandler(handler)
    request_logger.setLevel(logging.INFO)
    try:
        response = coordinator_client.get(reverse("portal:home"))
    finally:
        request_logger.removeHandler(handler)
        request_logger.setLevel(logging.NOTSET)
    [record] = records
    assert (record.request_id, record.user_id) == (response[REQUEST_ID], str(coordinator.pk))


def test_a_task_logs_one_line_with_its_id_state_and_duration(db, caplog):
    caplog.set_level(logging.INFO, logger="trial_edc.tasks")
    result = outbox_send_due_task.delay()
    [line] = lines(caplog, "trial_edc.tasks")
    words = line.split()
    assert words[:4] == ["task", "notifications.outbox_send_due", f"id={result.id}", "SUCCESS"]
    assert words[4].endswith("ms")
    assert words[5] == "user=-"  # a beat task runs for nobody
    assert words[6].startswith("request=") and words[6] != "request=-"


def test_a_task_sent_from_a_request_carries_the_request_id_and_user_id(db, caplog):
    """What a worker gets: the ids the sender's before_task_publish put in the headers."""

    class User:
        pk, is_authenticated = 7, True

    class Request:
        user = User()

    headers: dict = {}
    request_id = uuid.uuid4().hex
    guid_token = logs.guid.set(request_id)
    request_token = logs._request.set(Request())
    try:
        logs.task_publish(headers=headers)
    finally:
        logs._request.reset(request_token)
        logs.guid.reset(guid_token)
    assert headers == {"request_id": request_id, "user_id": "7"}

    caplog.set_level(logging.INFO, logger="trial_edc.tasks")
    result = outbox_send_due_task.apply(headers=headers)
    [line] = lines(caplog, "trial_edc.tasks")
    assert line.endswith(f"id={result.id} SUCCESS {line.split()[4]} user=7 request={request_id}")
    assert logs.guid.get() is None  # the task's ids do not outlive it


def test_a_failed_task_is_logged_with_its_state(db, caplog, monkeypatch, settings):
    from trial_edc.notifications import services

    def broken():
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr(services, "outbox_send_due", broken)
    caplog.set_level(logging.INFO, logger="trial_edc.tasks")
    result = outbox_send_due_task.apply(throw=False)
    assert result.failed()
    [line] = lines(caplog, "trial_edc.tasks")
    assert f"id={result.id} FAILURE " in line


def test_a_set_sentry_dsn_without_sentry_sdk_is_said_clearly_and_nothing_breaks(
    monkeypatch, caplog
):
    monkeypatch.setitem(sys.modules, "sentry_sdk", None)  # as if not installed
    from trial_edc.core.sentry import sentry_init

    assert sentry_init("https://key@sentry.invalid/1", environment="test") is False
    [record] = [r for r in caplog.records if r.name == "trial_edc.sentry"]
    assert record.levelno == logging.ERROR
    assert "SENTRY_DSN is set but sentry-sdk is not installed" in record.getMessage()


def test_sentry_is_started_when_sentry_dsn_is_set_and_sends_no_personal_data():
    from tests.operations.test_production_settings import run
    from tests.test_project import PRODUCTION_ENV

    pytest.importorskip("sentry_sdk")
    probe = (
        "import django; django.setup(); import sentry_sdk; c = sentry_sdk.get_client(); "
        "print(c.is_active(), c.options['send_default_pii'], c.options['max_request_body_size'])"
    )
    result = run(
        [sys.executable, "-c", probe],
        {**PRODUCTION_ENV, "SENTRY_DSN": "https://key@127.0.0.1:9/1"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False", "never"]
