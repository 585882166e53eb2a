"""The house in layers: the import contracts hold, a broken layer fails them, and the base
finds what the trial apps register without importing them."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from trial_edc.accounts.selectors import SITE_COUNTS
from trial_edc.core import registry
from trial_edc.notifications.models import Kind
from trial_edc.study import study

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("trial_edc", "enrollment", "dosing", "safety", "efficacy", "datamanagement", "portal")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(cwd / "pyproject.toml")],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(cwd)},
    )


@pytest.fixture
def scratch_tree(tmp_path):
    """A copy of the packages and the contracts, to break on purpose."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_layers_hold_on_the_code_as_it_is():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 6 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # the base reaching up, even inside a function
        (
            "trial_edc/core/scratch.py",
            "def f():\n    from safety.models import AdverseEvent\n",
            "trial_edc is the base: it imports no trial app BROKEN",
        ),
        ("dosing/scratch.py", "import efficacy.models\n", "dosing never imports safety"),
        ("enrollment/scratch.py", "import portal.urls\n", "enrollment imports no later app"),
        ("safety/scratch.py", "import efficacy.rules\n", "Layers: portal > datamanagement"),
        ("efficacy/scratch.py", "import datamanagement.urls\n", "Layers: portal > datamanagement"),
        (
            "datamanagement/scratch.py",
            "def f():\n    from safety.models import VitalSigns\n",
            "datamanagement reaches the CRFs through the registry",
        ),
        # a circle between two modules of one package
        (
            "safety/scratch.py",
            "from safety import tasks\n",
            "No import circle",
        ),
    ],
)
def test_a_broken_layer_fails_the_contract(scratch_tree, module, line, broken):
    if "circle" in broken:
        # tasks -> scratch closes the circle scratch -> tasks
        tasks = scratch_tree / "safety" / "tasks.py"
        tasks.write_text(tasks.read_text() + "\nfrom safety import scratch  # noqa\n")
    (scratch_tree / module).write_text(line)
    result = _lint_imports(scratch_tree)
    assert result.returncode != 0
    assert broken in result.stdout, result.stdout


def test_every_crf_model_of_every_app_is_registered():
    labels = {entry.key for entry in registry.crf_models}
    assert {
        "enrollment.screening",
        "enrollment.eligibilitychecklist",
        "enrollment.consent",
        "enrollment.subject",
        "enrollment.subjectvisit",
        "dosing.doseadministration",
        "dosing.concomitantmedication",
        "safety.vitalsigns",
        "safety.adverseevent",
        "safety.adverseeventfollowup",
        "efficacy.bloodgas",
        "efficacy.pulmonaryfunctiontest",
        "efficacy.labpanel",
        "efficacy.labresult",
        "efficacy.hrctscore",
        "efficacy.followupstatus",
    } <= labels


def test_every_form_a_visit_requires_is_registered_with_its_page():
    configured = {form for visit in study().visits for form in visit.forms}
    registered = {f.key for f in registry.visit_forms}
    assert configured | {"visit_date"} <= registered
    assert all(f.url_name for f in registry.visit_forms)


def test_every_reminder_kind_has_one_source_that_says_whether_it_is_still_needed():
    reminder_kinds = {
        Kind.VISIT_WINDOW_OPENS: "visits",
        Kind.VISIT_OVERDUE: "visits",
        Kind.DOSE_TODAY: "doses",
        Kind.DOSE_MISSING: "doses",
        Kind.VITALS_MISSING: "vitals",
        Kind.SAE_REMINDER: "saes",
        Kind.SAE_ESCALATION: "saes",
    }
    for kind, source in reminder_kinds.items():
        assert registry.reminder_source_of(kind).key == source
    kinds = [k for s in registry.reminder_sources for k in s.kinds]
    assert len(kinds) == len(set(kinds))  # one source per kind


def test_the_dashboard_panels_and_home_tasks_come_in_their_order():
    assert [p.key for p in registry.dashboard_panels] == [
        "treatment",
        "vitals",
        "adverse_events",
        "schedule",
        "change",
        "lock",
        "datamanagement.sdv",
        "queries",
    ]
    assert [t.key for t in registry.home_tasks] == ["missing_doses"]
    assert [w.key for w in registry.worklists] == [
        "queries_to_answer",
        "my_queries",
        "awaiting_verification",
        "eligibility_to_confirm",
        "adverse_events_to_sign",
        "sae_clocks",
        "casebooks_to_sign",
        "doses_today",
        "vitals_today",
        "visits_open",
        "lock_blockers",
        "failed_notifications",
    ]
    # the e-signatures the archival ODM carries (datamanagement.exports.odm)
    assert [(s.key, s.model._meta.label_lower) for s in registry.signature_sources] == [
        ("AE", "safety.adverseeventsignature"),
        ("CASEBOOK", "datamanagement.casebooksignature"),
    ]
    assert list(SITE_COUNTS) == [
        "screening_count",
        "subject_count",
        "on_study_count",
    ]


def test_a_key_registered_twice_with_another_entry_is_refused():
    reg = registry.Registry("test")
    reg.register(registry.HomeTask("a", "A", len, "home", "x.y"))
    reg.register(registry.HomeTask("a", "A", len, "home", "x.y"))  # the same: no harm
    with pytest.raises(ValueError, match="registered twice"):
        reg.register(registry.HomeTask("a", "B", len, "home", "x.y"))
