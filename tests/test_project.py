"""Project-wide promises: production settings, no CDN, the study configuration, the demo."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from trial_edc.accounts.models import Site, User
from trial_edc.accounts.roles import Role, user_roles
from trial_edc.study import study

PROJECT_DIR = Path(__file__).resolve().parent.parent
PROTOCOL = PROJECT_DIR.parent / "shared" / "PROTOCOL.md"

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "trial_edc.settings.production",
    "SECRET_KEY": "x" * 20 + "production-secret-key-for-the-check-0123456789",
    "ALLOWED_HOSTS": "edc.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/trial_edc",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp://mail.example.org:25",
}


def test_production_settings_pass_check_deploy_without_warnings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_DIR,
        env={**os.environ, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


EXTERNAL_ASSET = re.compile(
    r"""<(?:script|link)[^>]+(?:src|href)\s*=\s*["'](?:https?:)?//""", re.IGNORECASE
)


def test_no_template_loads_css_or_js_from_another_host():
    templates = list((PROJECT_DIR / "templates").rglob("*.html"))
    assert templates
    offenders = [str(t) for t in templates if EXTERNAL_ASSET.search(t.read_text())]
    assert offenders == []


def test_no_inline_scripts_in_templates():
    """The CSP forbids inline scripts, so a template with one would silently break."""
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
    offenders = [
        str(t) for t in (PROJECT_DIR / "templates").rglob("*.html") if inline.search(t.read_text())
    ]
    assert offenders == []


def _protocol_criteria(heading: str) -> list[str]:
    text = PROTOCOL.read_text()
    block = text.split(heading, 1)[1].split("\n- **", 1)[0]
    items = re.findall(r"^\s+\d+\.\s+(.*?)(?=^\s+\d+\.|\Z)", block, re.S | re.M)
    return [" ".join(item.split()) for item in items]


@pytest.mark.skipif(
    not PROTOCOL.exists() and not os.environ.get("CI"), reason="../shared is not beside this clone"
)
def test_criteria_are_word_for_word_those_of_the_protocol():
    inclusion = _protocol_criteria("Inclusion — all must hold:")
    exclusion = _protocol_criteria("Exclusion — any one excludes:")
    assert len(inclusion) == 2
    assert len(exclusion) == 13
    configured = study()
    # the protocol sets the consensus title in italics (*...*)
    assert [c.text for c in configured.inclusion] == [t.replace("*", "") for t in inclusion]
    assert [c.text for c in configured.exclusion] == exclusion


def test_visit_schedule_follows_the_protocol_table():
    s = study()
    windows = {v.code: (v.target_day, v.window_before, v.window_after) for v in s.visits}
    assert windows["DAY14"] == (14, 1, 1)
    assert windows["DAY28"] == (28, 3, 3)
    assert windows["MONTH3"] == (90, 14, 14)
    assert windows["MONTH12"] == (365, 30, 30)
    assert s.visit("SAFETY_CLOSE").after_last_dose
    assert (s.age_min, s.age_max, s.treatment_days) == (18, 75, 14)


def test_seed_demo_creates_one_user_per_role_and_is_idempotent(db, capsys):
    call_command("seed_demo")
    call_command("seed_demo", "--if-empty")
    out = capsys.readouterr().out
    assert "Demo password for every demo user" in out
    assert Site.objects.filter(code="01").count() == 1
    expected = {
        "coordinator": Role.SITE_COORDINATOR,
        "investigator": Role.INVESTIGATOR,
        "monitor": Role.MONITOR,
        "datamanager": Role.DATA_MANAGER,
    }
    for username, role in expected.items():
        assert user_roles(User.objects.get(username=username)) == [role]
    from enrollment.models import Screening, Subject

    statuses = set(Screening.objects.values_list("status", flat=True))
    assert statuses == {"enrolled", "screen_failure", "in_screening", "eligible"}
    codes = {f["code"] for s in Screening.objects.all() for f in s.failed_criteria}
    assert {"exclusion_4", "inclusion_1", "date_of_birth", "exclusion_5"} <= codes
    assert Subject.objects.filter(status="withdrawn").count() == 1
    assert Subject.objects.filter(status="on_study").count() >= 4
    from dosing.models import DoseAdministration
    from safety.models import VitalSigns

    assert DoseAdministration.objects.filter(status="not_given").count() == 1
    assert DoseAdministration.objects.filter(status="interrupted").count() == 1
    assert any(v.flags for v in VitalSigns.objects.all())  # out-of-range vitals to review
    from safety.models import AdverseEvent

    assert AdverseEvent.objects.filter(aeser=True).count() == 1
    from datamanagement.models import DataLock, Query, SourceVerification

    # data management has something to show: a query in each of open, answered and closed,
    # verified consents and a frozen baseline
    assert set(Query.objects.values_list("state", flat=True)) == {"open", "answered", "closed"}
    assert SourceVerification.objects.filter(model_label="enrollment.consent").exists()
    assert DataLock.objects.filter(level="visit", state="frozen").count() == 1


def test_docker_compose_file_is_valid():
    import shutil

    from tests.conftest import service_missing

    if shutil.which("docker-compose") is None:
        service_missing("docker-compose (apt-get install docker-compose) to validate the file")
    result = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config", "-q"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    services = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config", "--services"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.split()
    assert set(services) == {"migrate", "web", "worker", "beat", "postgres", "redis"}


def test_seed_demo_subjects_option_enrols_more_subjects(db):
    from enrollment.models import Subject

    call_command("seed_demo")
    before = Subject.objects.count()
    call_command("seed_demo", "--subjects", "3")
    after = Subject.objects.filter(site__code="01")
    assert Subject.objects.count() == before + 3
    numbers = sorted(after.values_list("subject_number", flat=True))
    assert numbers == [f"01-{n:03d}" for n in range(1, len(numbers) + 1)]  # gap-free
