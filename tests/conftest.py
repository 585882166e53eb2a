"""Fixtures shared by every app's tests: the test database (made by the owner role, used as
the runtime role), roles, logged-in clients, a real Celery worker, and headless Chromium. A
service a test needs that is missing fails the test when CI is set, and skips it on a
laptop."""

import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.urls import reverse

from tests.factories import DEMO_TEST_PASSWORD, SiteFactory, totp_code, user_with_role
from trial_edc.accounts.roles import Role, roles_sync

CHROMIUM = "/usr/bin/chromium"
PROJECT_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker):
    """The test database is created and migrated by the owner role ("owner" connection);
    the tests, the live server and the real worker use it as the runtime role ("default")."""
    from django.conf import settings
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    from trial_edc.audit.grants import owner_database

    owner = owner_database()
    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        db_cfg = setup_databases(
            verbosity=verbosity, interactive=False, aliases={owner}, serialized_aliases=set()
        )
        name = connections[owner].settings_dict["NAME"]
        for alias in settings.DATABASES:
            connections[alias].close()
            settings.DATABASES[alias]["NAME"] = name
            connections[alias].settings_dict["NAME"] = name
    yield
    with django_db_blocker.unblock():
        connections.close_all()
        teardown_databases(db_cfg, verbosity=verbosity)


@contextmanager
def owner_cursor():
    """A cursor as the owner role, on a connection of its own (autocommit): what someone
    with the owner's rights could do to committed data. Tests using it need
    `django_db(transaction=True)`, since the owner does not see a test's transaction."""
    from trial_edc.audit.grants import owner_connection_private

    owner = owner_connection_private(connection.settings_dict["NAME"])
    try:
        with owner.cursor() as cursor:
            yield cursor
    finally:
        owner.close()


def service_missing(what: str):
    """Fail under CI, skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required when CI is set", pytrace=False)
    pytest.skip(f"{what} is not available")


@pytest.fixture(autouse=True)
def _roles(db):
    roles_sync()


@pytest.fixture
def site(db):
    return SiteFactory(code="01", name="Guangzhou", time_zone="Asia/Shanghai")


@pytest.fixture
def other_site(db):
    return SiteFactory(code="02", name="Elsewhere", time_zone="Europe/Amsterdam")


@pytest.fixture
def make_user(db):
    def make(role: str | None, sites=(), **kwargs):
        return user_with_role(role=role, sites=list(sites), **kwargs)

    return make


def login(client, user, password: str = DEMO_TEST_PASSWORD):
    """Sign in through the login page, as a person does, and for a user with an authenticator
    app (investigators, data managers) type its current code on the code page."""
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": password}, follow=False
    )
    assert response.status_code == 302, "login failed"
    if _has_authenticator(user):
        response = client.post(reverse("accounts:mfa_verify"), {"code": totp_code(user)})
        assert response.status_code == 302, "the authenticator code was refused"
    return client


def _has_authenticator(user) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@pytest.fixture
def coordinator(make_user, site):
    return make_user(Role.SITE_COORDINATOR, [site], username="coordinator")


@pytest.fixture
def investigator(make_user, site):
    return make_user(Role.INVESTIGATOR, [site], username="investigator")


@pytest.fixture
def monitor(make_user, site):
    return make_user(Role.MONITOR, [site], username="monitor")


@pytest.fixture
def data_manager(make_user, site):
    return make_user(Role.DATA_MANAGER, [site], username="datamanager")


@pytest.fixture
def role_users(coordinator, investigator, monitor, data_manager):
    return {
        Role.SITE_COORDINATOR: coordinator,
        Role.INVESTIGATOR: investigator,
        Role.MONITOR: monitor,
        Role.DATA_MANAGER: data_manager,
    }


@pytest.fixture
def client_for(client):
    """A fresh logged-in client for a user: client_for(user)."""
    from django.test import Client

    def make(user):
        return login(Client(), user)

    return make


@pytest.fixture
def coordinator_client(client_for, coordinator):
    return client_for(coordinator)


@pytest.fixture
def investigator_client(client_for, investigator):
    return client_for(investigator)


@pytest.fixture
def monitor_client(client_for, monitor):
    return client_for(monitor)


@pytest.fixture
def data_manager_client(client_for, data_manager):
    return client_for(data_manager)


@pytest.fixture
def subject_on_day_6(site, coordinator, investigator):
    """A subject whose day 1 was 5 days ago (today is day 6 at the site)."""
    from portal.demo.enrollment import enrolled_subject
    from trial_edc.core.clock import site_today

    day1 = site_today(site) - timedelta(days=5)
    return enrolled_subject(
        site=site,
        coordinator=coordinator,
        investigator=investigator,
        screening_date=day1 - timedelta(days=2),
        day1=day1,
    )


# --- a real Celery worker on Redis --------------------------------------------------------


def _worker_database_url() -> str:
    s = connection.settings_dict
    user = quote(s["USER"] or "postgres")
    password = f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else ""
    host = s["HOST"] or s.get("OPTIONS", {}).get("host", "")
    if host.startswith("/"):  # a socket directory (the embedded server)
        return f"postgres://{user}{password}@/{s['NAME']}?host={host}"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{s['NAME']}"


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A `celery worker` process on the test database and a test queue in Redis."""
    import redis
    from django.conf import settings

    try:
        redis.Redis.from_url(settings.TEST_REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        service_missing(f"Redis at {settings.TEST_REDIS_URL}")
    with django_db_blocker.unblock():
        database_url = _worker_database_url()
    from trial_edc.celery import app

    app.control.purge()
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_OWNER_URL"},
        "DJANGO_SETTINGS_MODULE": "trial_edc.settings.test",
        # the runtime role, as in production
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.TEST_REDIS_URL,
    }
    log = open(tmp_path_factory.mktemp("celery") / "worker.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "trial_edc",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            settings.CELERY_TASK_DEFAULT_QUEUE,
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ],
        cwd=PROJECT_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"celery worker exited with {process.returncode}; see {log.name}")
        replies = app.control.ping(timeout=1)
        if replies:
            break
    else:
        process.kill()
        pytest.fail("celery worker did not answer within 60 s")
    yield process
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture
def celery_worker(celery_worker_process, settings):
    """Send tasks to the real worker instead of running them in the test process."""
    from trial_edc.celery import app

    app.conf.task_always_eager = False
    yield celery_worker_process
    app.conf.task_always_eager = True


REDIS_SERVER = "/usr/bin/redis-server"


class RedisServer:
    """A private redis-server on a free port, no persistence: a broker a test can stop and
    start again without touching the Redis others use."""

    def __init__(self, port: int, log_path):
        self.port, self.log_path, self.process = port, log_path, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        import redis

        log = open(self.log_path, "a")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--daemonize", "no"),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.RedisError:
                if self.process.poll() is not None:
                    pytest.fail(f"redis-server exited; see {self.log_path}")
                time.sleep(0.05)
        pytest.fail("redis-server did not answer within 10 s")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


@pytest.fixture
def private_redis(tmp_path):
    """A RedisServer of this test, started (stop() and start() it again at will)."""
    import socket

    if not Path(REDIS_SERVER).exists():
        service_missing(f"redis-server at {REDIS_SERVER}")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = RedisServer(port, tmp_path / "redis.log")
    server.start()
    yield server
    server.stop()


def wait_for(condition, timeout: float = 30.0, interval: float = 0.2):
    """Poll until condition() is truthy (a worker's result), or fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout} s")


# --- headless Chromium --------------------------------------------------------------------

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        service_missing(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab that records CSP violations and console errors."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    yield page
    context.close()


def browser_login(page, username: str, password: str = DEMO_TEST_PASSWORD):
    """Sign in through the pages; investigators and data managers then type the code their
    authenticator app shows (computed from the device's key)."""
    from trial_edc.accounts.models import User

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/accounts/mfa/verify/" in page.url:
        page.get_by_label("Code").fill(totp_code(User.objects.get(username=username)))
        page.get_by_role("button", name="Verify").click()
        page.wait_for_load_state()
