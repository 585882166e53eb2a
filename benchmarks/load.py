"""50 site coordinators at once against gunicorn in production settings (issue 18, point 3).

Its own database (created and migrated as the owner role, served as the runtime role), the
demo study plus enrolled subjects up to 100, and `--users` more coordinators of site 01
(password only, no second factor, like the demo coordinator). gunicorn runs
trial_edc.settings.production on 127.0.0.1 (plain HTTP on the loopback: SECURE_SSL_REDIRECT
off, no proxy in front; static files by whitenoise after collectstatic). locust, run as a
library, signs each coordinator in once (the login page for the CSRF token, then the POST) and
then loops, with a think time between requests: the home page, their subject's dashboard,
treatment day 1, the subject list, the AE list, the vital-signs form and its save (a valid POST,
a new time each time). Prints p50/p95/p99 and errors of the pages and of the saves, apart, and
the request rate, beside the target (p95 < 250 ms, 0 errors), measured for --seconds from
--warmup seconds after the last sign-in (the sign-ins, one password hash each, apart), and each
kind of request's p50/p95. The load generator shares the machine's cores with gunicorn and
PostgreSQL. --env NAME=VALUE adds to gunicorn's environment (e.g. CONN_MAX_AGE=60).

python benchmarks/load.py --users 50 --seconds 60 --workers 3
"""

# locust patches the standard library with gevent: before anything else is imported
from locust import FastHttpUser, events, task  # isort: skip
from locust.env import Environment  # isort: skip

import argparse
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from http.cookiejar import DefaultCookiePolicy
from itertools import count
from pathlib import Path
from urllib.parse import quote

import gevent
from _setup import VITALS, benchmark_database

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 250
SUBJECTS = 100
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION = re.compile(r'name="submission" value="([0-9a-f]{32})"')


def _seed(users: int, password: str) -> list[dict]:
    """The demo, subjects up to SUBJECTS, `users` coordinators of site 01; for each one the
    subject they work on and its pages."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.core.management import call_command
    from django.db import transaction
    from django.urls import reverse
    from django.utils import timezone

    from enrollment.models import Subject
    from portal.demo.enrollment import enrollment_bulk_seed
    from trial_edc.accounts.models import Site, SiteMembership, User
    from trial_edc.accounts.roles import Role, role_group
    from trial_edc.audit.services import audit_context

    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    site = Site.objects.get(code="01")
    missing = SUBJECTS - Subject.objects.count()
    if missing > 0:
        # day 1 yesterday or earlier, so that every time of a subject's day 1 is in the past
        enrollment_bulk_seed(missing, timezone.localdate() - timedelta(days=1))
    subjects = list(
        Subject.objects.filter(site=site, status=Subject.Status.ON_STUDY).order_by("pk")
    )
    # production's hasher (the benchmark settings hash with MD5), one hash for every account
    encoded = PBKDF2PasswordHasher().encode(password, PBKDF2PasswordHasher().salt())
    group = role_group(Role.SITE_COORDINATOR)
    people = []
    with transaction.atomic(), audit_context(user=None, reason="load benchmark seed"):
        for i in range(users):
            user = User.objects.create(
                username=f"load{i:03d}",
                first_name="Load",
                last_name=f"{i:03d}",
                email=f"load{i:03d}@trial-edc.local",
                password=encoded,
            )
            user.groups.add(group)
            SiteMembership.objects.create(user=user, site=site)
            subject = subjects[i % len(subjects)]
            people.append(
                {
                    "username": user.username,
                    "day1": subject.day1,
                    "pages": {
                        "home": reverse("portal:home"),
                        "subject dashboard": reverse("portal:subject_dashboard", args=[subject.pk]),
                        "treatment day": reverse("portal:treatment_day", args=[subject.pk, 1]),
                        "subject list": reverse("enrollment:subject_list"),
                        "AE list": reverse("safety:adverse_event_list"),
                    },
                    "vitals": reverse("safety:vitals_create", args=[subject.pk]),
                }
            )
    return people


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _production_env() -> dict:
    from django.db import connection

    s = connection.settings_dict
    password = f":{quote(s['PASSWORD'], safe='')}" if s["PASSWORD"] else ""
    # the runtime role only, as the compose web service
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_OWNER_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="trial_edc.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT']}/{s['NAME']}",
        ALLOWED_HOSTS="127.0.0.1",
        # the loopback: plain HTTP, no proxy in front of gunicorn
        SECURE_SSL_REDIRECT="false",
        TRUSTED_PROXY_COUNT="0",
    )
    return env


def _gunicorn(env: dict, port: int, workers: int, log) -> subprocess.Popen:
    python = Path(sys.executable)
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    server = subprocess.Popen(
        [
            python.parent / "gunicorn",
            "trial_edc.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                raise RuntimeError("gunicorn stopped; see its log above") from None
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within 60 s")


class Samples:
    """Every request's time in ms and its errors, by kind (sign-in, page, save)."""

    def __init__(self):
        # pages and saves count from here on (set once the warm-up is over); sign-ins always
        self.since = float("inf")
        self.times = {"sign-in": [], "page": [], "save": []}
        self.errors = {"sign-in": 0, "page": 0, "save": 0}
        self.messages: dict[str, int] = {}
        self.by_name: dict[str, list[float]] = {}
        self.saves_answered_302 = 0  # warm-up included, to check against the rows saved

    def record(self, request_type, name, response_time, response_length, exception=None, **kw):
        kind = name.split(":")[0]
        if kind == "save" and exception is None:
            self.saves_answered_302 += 1
        if kind != "sign-in" and time.monotonic() < self.since:
            return
        self.times[kind].append(response_time)
        self.by_name.setdefault(name, []).append(response_time)
        if exception is not None:
            self.errors[kind] += 1
            message = f"{name}: {exception}"[:160]
            self.messages[message] = self.messages.get(message, 0) + 1


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _coordinator_class(people: list[dict], password: str, think: float):
    numbers = count()

    class Coordinator(FastHttpUser):
        def wait_time(self):
            return random.uniform(0.5 * think, 1.5 * think)

        def on_start(self):
            me = people[next(numbers) % len(people)]
            self.me = me
            self.saves = count()
            # gunicorn speaks plain HTTP on the loopback, the cookies are Secure (production):
            # send them anyway, as the browser does to the HTTPS proxy
            self.client.cookiejar.set_policy(
                DefaultCookiePolicy(secure_protocols=("https", "wss", "http"))
            )
            login = "/accounts/login/"
            page = self.client.get(login, name="sign-in: login page")
            token = CSRF.search(page.text).group(1)
            with self.client.post(
                login,
                data={
                    "username": me["username"],
                    "password": password,
                    "csrfmiddlewaretoken": token,
                },
                name="sign-in: POST",
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code != 302:
                    response.failure(f"status {response.status_code}, not signed in")

        def _page(self, name: str, url: str):
            with self.client.get(url, name=f"page: {name}", catch_response=True) as response:
                if response.status_code != 200:
                    response.failure(f"status {response.status_code}")
                return response

        @task
        def round_of_pages_and_a_save(self):
            for name, url in self.me["pages"].items():
                self._page(name, url)
                gevent.sleep(self.wait_time())
            url = self.me["vitals"]
            form = self._page("vitals form", url)
            csrf, key = CSRF.search(form.text or ""), SUBMISSION.search(form.text or "")
            if not (csrf and key):
                return
            gevent.sleep(self.wait_time())
            # a new time on the subject's day 1 each time (day 1 is yesterday or earlier)
            at = datetime.combine(self.me["day1"], datetime.min.time()) + timedelta(
                minutes=next(self.saves) % 1440
            )
            data = VITALS | {
                "measured_at": at.strftime("%Y-%m-%dT%H:%M"),
                "csrfmiddlewaretoken": csrf.group(1),
                "submission": key.group(1),
            }
            with self.client.post(
                url, data=data, name="save: vitals", allow_redirects=False, catch_response=True
            ) as response:
                if response.status_code != 302:
                    response.failure(f"status {response.status_code} (a refused form is 200)")

    return Coordinator


def _report(
    samples: Samples, seconds: float, users: int, workers: int, think: float, warmup: int
) -> None:
    total = sum(len(v) for k, v in samples.times.items() if k != "sign-in")
    print(
        f"\nLoad: {users} coordinators, {workers} gunicorn workers, {seconds:.0f} s measured from "
        f"{warmup} s after the last sign-in (the sign-ins: all of them), think time "
        f"{0.5 * think:.1f}–{1.5 * think:.1f} s; load generator, gunicorn and PostgreSQL on "
        f"this machine's {os.cpu_count()} cores (shared)"
    )
    print(f"{'':<10} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind, times in samples.times.items():
        if not times:
            print(f"{kind:<10} {0:>9} {samples.errors[kind]:>7}")
            continue
        print(
            f"{kind:<10} {len(times):>9} {samples.errors[kind]:>7} "
            f"{_percentile(times, 50):>8.0f} {_percentile(times, 95):>8.0f} "
            f"{_percentile(times, 99):>8.0f}"
        )
    print(f"request rate (pages and saves): {total / seconds:.1f} per second")
    for kind in ("page", "save"):
        times = samples.times[kind]
        p95 = _percentile(times, 95) if times else float("nan")
        met = times and p95 < TARGET_P95_MS and samples.errors[kind] == 0
        print(
            f"target {kind}s: p95 < {TARGET_P95_MS} ms and 0 errors: "
            f"{'met' if met else 'NOT met'} (p95 {p95:.0f} ms, {samples.errors[kind]} errors)"
        )
    print(f"\n{'each kind of request':<26} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8}")
    for name, times in samples.by_name.items():
        print(
            f"{name:<26} {len(times):>9} {_percentile(times, 50):>8.0f} "
            f"{_percentile(times, 95):>8.0f}"
        )
    for message, n in sorted(samples.messages.items(), key=lambda m: -m[1])[:10]:
        print(f"  {n:>5} × {message}")


def _cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU seconds used so far by gunicorn (master and workers), PostgreSQL's processes and
    this process (the load generator), from psutil (a dependency of locust)."""
    import psutil

    def used(process) -> float:
        try:
            times = process.cpu_times()
        except psutil.Error:
            return 0.0
        return times.user + times.system

    master = psutil.Process(server_pid)
    postgres = [p for p in psutil.process_iter(["name"]) if p.info["name"] == "postgres"]
    # per process: one that ends between two readings (the benchmark's own set-up connection)
    # must not take its earlier seconds off the total
    return {
        "gunicorn": {p.pid: used(p) for p in [master, *master.children(recursive=True)]},
        "PostgreSQL": {p.pid: used(p) for p in postgres},
        "load generator": {0: used(psutil.Process())},
    }


def _report_cpu(before: dict, after: dict, seconds: float) -> None:
    """Cores busy: the seconds each process used between the readings (a process started
    since counts all of its own), over the seconds measured."""
    spent = {
        name: sum(cpu - before[name].get(pid, 0.0) for pid, cpu in after[name].items())
        for name in before
    }
    parts = ", ".join(f"{name} {spent[name] / seconds:.2f}" for name in spent)
    total = sum(spent.values()) / seconds
    print(
        f"cores busy during the measured seconds: {parts} (together {total:.2f} of "
        f"{os.cpu_count()}; PostgreSQL's processes include any other client's)"
    )


def main(
    users: int, seconds: int, workers: int, think: float, warmup: int, extra_env: list[str]
) -> None:
    password = secrets.token_urlsafe(16)
    with benchmark_database("load"), tempfile.TemporaryFile("w+") as log:
        started = time.perf_counter()
        people = _seed(users, password)
        print(
            f"seeded {SUBJECTS} subjects and {users} coordinators in "
            f"{time.perf_counter() - started:.0f} s"
        )
        from django.db import connections

        connections.close_all()  # gunicorn's workers are the database's clients now
        port = _free_port()
        env = _production_env() | dict(item.split("=", 1) for item in extra_env)
        server = _gunicorn(env, port, workers, log)
        try:
            samples = Samples()
            events.request.add_listener(samples.record)
            environment = Environment(
                user_classes=[_coordinator_class(people, password, think)],
                host=f"http://127.0.0.1:{port}",
                events=events,
            )
            runner = environment.create_local_runner()
            runner.start(users, spawn_rate=max(1, users / 5))
            # measured once every coordinator has signed in (50 password hashes at once) and
            # every worker has compiled its templates on a first page of each kind
            deadline = time.monotonic() + 300
            while len(samples.by_name.get("sign-in: POST", [])) < users:
                if time.monotonic() > deadline:
                    raise RuntimeError("the coordinators did not all sign in within 300 s")
                gevent.sleep(0.2)
            gevent.sleep(warmup)
            samples.since = time.monotonic()
            cpu_before = _cpu_seconds(server.pid)
            gevent.spawn_later(seconds, runner.quit)
            runner.greenlet.join()
            cpu_after = _cpu_seconds(server.pid)
            _report(samples, seconds, users, workers, think, warmup)
            _report_cpu(cpu_before, cpu_after, time.monotonic() - samples.since)
            from safety.models import VitalSigns

            saved = VitalSigns.objects.filter(recorded_by__username__startswith="load").count()
            print(
                f"vital signs rows saved by the coordinators: {saved}, saves answered with a "
                f"redirect: {samples.saves_answered_302} (warm-up included)"
            )
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
            log.seek(0)
            errors = [line for line in log if "ERROR" in line or "Traceback" in line]
            if errors:
                print(f"\ngunicorn logged {len(errors)} error lines; the first:")
                print("".join(errors[:5]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument(
        "--warmup",
        type=int,
        default=10,
        help="seconds of load, once everybody has signed in, before the measured ones",
    )
    parser.add_argument(
        "--think", type=float, default=2.0, help="mean seconds between a user's requests"
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="more environment for gunicorn, e.g. --env CONN_MAX_AGE=60 (repeatable)",
    )
    args = parser.parse_args()
    main(args.users, args.seconds, args.workers, args.think, args.warmup, args.env)
