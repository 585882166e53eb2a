"""Issue 13, point 10: /health/ answers without signing in, 200 while the database, the
Celery broker (Redis) and the file storage answer, 503 when one does not."""

import socket

import pytest
from django.urls import reverse

from tests.conftest import service_missing


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def redis_up(settings):
    import redis

    try:
        redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        service_missing(f"Redis at {settings.CELERY_BROKER_URL}")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


def test_health_is_200_with_every_service_up_and_needs_no_login(client, redis_up, media):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "OK", "broker": "OK", "storage": "OK"},
    }
    assert "no-cache" in response["Cache-Control"]
    # the storage probe wrote and removed its file
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_health_is_503_with_redis_stopped(client, settings, media):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response = client.get(reverse("health"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["checks"]["database"] == "OK"
    assert body["checks"]["storage"] == "OK"
    assert body["checks"]["broker"].startswith("Unavailable: Unable to connect to Redis")


def test_health_is_503_when_the_media_folder_cannot_be_written(client, settings, redis_up, media):
    media.parent.joinpath("a-file").write_text("not a folder")
    settings.MEDIA_ROOT = str(media.parent / "a-file")
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] != "OK"


def test_without_a_broker_tasks_run_in_process_and_health_checks_no_redis(client, settings, media):
    settings.CELERY_BROKER_URL = "memory://"
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert set(response.json()["checks"]) == {"database", "storage"}
