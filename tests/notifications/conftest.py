"""Fixtures of the outbox tests: subjects at chosen days, a moment at a site's clock, a real
SMTP server (aiosmtpd) on a free port, and a Celery worker of their own that sends to it."""

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from datetime import time as clock
from datetime import timedelta
from email import message_from_bytes

import pytest

from enrollment.models import SubjectVisit
from portal.demo.enrollment import enrolled_subject
from tests.conftest import PROJECT_DIR, _worker_database_url, service_missing
from trial_edc.audit.services import audit_context
from trial_edc.core.clock import site_today
from trial_edc.notifications.rules import site_moment


@pytest.fixture
def subject_on_day(site, coordinator, investigator):
    """subject_on_day(n): a subject for whom today (at the site) is study day n, who kept
    every visit so far except `missed` (visit codes left planned)."""

    def make(day: int, missed=("DAY14",), **overrides):
        day1 = site_today(site) - timedelta(days=day - 1)
        subject = enrolled_subject(
            site=site,
            coordinator=coordinator,
            investigator=investigator,
            screening_date=day1 - timedelta(days=2),
            day1=day1,
            **overrides,
        )
        with audit_context(user=coordinator, reason="visit forms complete"):
            subject.visits.filter(window_end__lt=site_today(site)).exclude(code__in=missed).update(
                outcome=SubjectVisit.Outcome.DONE
            )
        return subject

    return make


@pytest.fixture
def at(site):
    """at(hour, minute=0): that time today, on the clock of `site` (or another site)."""

    def moment(hour: int, minute: int = 0, of=None):
        of = of or site
        return site_moment(site_today(of), clock(hour, minute), of.time_zone)

    return moment


# --- a real SMTP server -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """Messages the SMTP server accepted. `hang` makes it stall in DATA (and then refuse
    the message) so that a test can kill the sender mid-send."""

    def __init__(self):
        self.messages = []
        self.hang = False
        self.in_data = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.in_data.set()
        if self.hang:
            await asyncio.sleep(30)
            return "451 4.3.0 Try again later"
        self.messages.append(message_from_bytes(envelope.content))
        return "250 2.0.0 OK"

    def to(self) -> list[str]:
        return [m["To"] for m in self.messages]


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


# --- a Celery worker of these tests, on its own queue, sending to smtp_server ---------------


class Worker:
    def __init__(self, *, queue: str, env: dict, log_path):
        self.queue, self.env, self.log_path = queue, env, log_path
        self.process = None
        self.name = f"outbox-{os.getpid()}@{socket.gethostname()}"

    def start(self):
        from trial_edc.celery import app

        log = open(self.log_path, "a")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "trial_edc",
                "worker",
                "--pool=solo",
                "-Q",
                self.queue,
                "-n",
                self.name,
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            cwd=PROJECT_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"celery worker exited; see {self.log_path}")
            replies = app.control.ping(timeout=1)
            if any(self.name in reply for reply in replies):
                return
        pytest.fail("celery worker did not answer within 60 s")

    def kill(self):
        self.process.kill()  # SIGKILL: no warm shutdown, no clean-up
        self.process.wait(10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def run(self, task, wait: bool = True):
        """Send a task to this worker; with `wait`, return once the worker has done it."""
        from trial_edc.celery import app

        task.apply_async(queue=self.queue)
        if not wait:
            return
        inspect = app.control.inspect(destination=[self.name], timeout=1)
        with app.connection_for_write() as conn:
            deadline, idle = time.monotonic() + 60, 0
            while time.monotonic() < deadline and idle < 2:
                queued = conn.default_channel.client.llen(self.queue)
                busy = (inspect.active() or {}).get(self.name)
                idle = idle + 1 if not queued and not busy else 0
                time.sleep(0.2)
        assert idle >= 2, "the worker did not finish within 60 s"

    def send_due(self, wait: bool = True):
        """What the beat does every minute: have the worker send what is due."""
        from trial_edc.notifications.tasks import outbox_send_due_task

        self.run(outbox_send_due_task, wait)


@pytest.fixture
def outbox_worker(smtp_server, transactional_db, settings, tmp_path):
    """A real worker of these tests (its own queue) whose e-mail goes to smtp_server."""
    import redis

    from trial_edc.celery import app

    try:
        redis.Redis.from_url(settings.TEST_REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        service_missing(f"Redis at {settings.TEST_REDIS_URL}")
    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}_outbox"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "trial_edc.settings.test",
        "DATABASE_URL": _worker_database_url(),
        "REDIS_URL": settings.TEST_REDIS_URL,
        "TEST_WORKER_EMAIL_URL": smtp_server.url,
        "EMAIL_TIMEOUT": "60",
    }
    worker = Worker(queue=queue, env=env, log_path=tmp_path / "worker.log")
    app.conf.task_always_eager = False
    worker.start()
    yield worker
    worker.stop()
    app.conf.task_always_eager = True
