"""Freeze and lock are enforced by PostgreSQL: for every registered CRF model, a write to a
frozen or locked record through the ORM save, `update()`, raw SQL and delete is refused —
at study, subject, visit and record level — and a write to a record of another subject is
not."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from datamanagement.locks import rules
from datamanagement.models.locks import DataLock, Level, LockState
from datamanagement.places import subject_and_visit_of
from trial_edc.core import registry
from trial_edc.core.locks import RECORD_LOCKED_SQLSTATE, is_record_locked

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    from portal.demo.baseline import baseline_demo_seed
    from portal.demo.efficacy import efficacy_demo_seed
    from portal.demo.enrollment import enrollment_demo_seed
    from portal.demo.labs import labs_demo_seed
    from portal.demo.people import demo_seed
    from portal.demo.treatment import treatment_demo_seed

    demo_seed()
    today = timezone.localdate()
    enrollment_demo_seed(today)
    treatment_demo_seed(today)
    baseline_demo_seed(today)
    efficacy_demo_seed(today)
    labs_demo_seed(today)
    _follow_up()


def _follow_up():
    """The demo has no AE follow-up: one, written directly (the service's rules are not
    what this test is about)."""
    from safety.models import AdverseEvent, AdverseEventFollowUp
    from trial_edc.audit.services import audit_context

    ae = AdverseEvent.objects.order_by("pk").first()
    with audit_context(user=None, reason="test"):
        AdverseEventFollowUp.objects.create(
            adverse_event=ae,
            assessed_on=ae.aestdtc,
            aetoxgr=ae.aetoxgr,
            aeout=ae.aeout,
            recorded_by=ae.recorded_by,
        )


def _set(target: str, level: str, state: str, **fields) -> None:
    DataLock.objects.update_or_create(
        target=target,
        defaults={"level": level, "state": state, "changed_at": timezone.now(), **fields},
    )


def _refused(write) -> bool:
    try:
        with transaction.atomic():
            write()
    except DatabaseError as exc:
        assert is_record_locked(exc), exc
        return True
    return False


def _paths(record):
    """Every way a record can be written: ORM save, update(), raw SQL UPDATE, delete."""
    model = type(record)
    table, pk = model._meta.db_table, model._meta.pk.column

    def save():
        record.save()

    field = next(f for f in model._meta.concrete_fields if not f.primary_key)

    def update():
        model._base_manager.filter(pk=record.pk).update(**{field.attname: F(field.attname)})

    def raw():
        with connection.cursor() as c:
            c.execute(f'UPDATE "{table}" SET "{pk}" = "{pk}" WHERE "{pk}" = %s', [record.pk])  # noqa: S608

    def delete():
        with connection.cursor() as c:
            c.execute(f'DELETE FROM "{table}" WHERE "{pk}" = %s', [record.pk])  # noqa: S608

    return {"save": save, "update": update, "raw SQL": raw, "delete": delete}


def _one_of_each():
    records = {}
    for crf in registry.crf_models:
        record = crf.model._base_manager.order_by("pk").first()
        records[crf.key] = record
    return records


def test_every_crf_model_has_a_row_in_the_demo(seeded):
    assert all(_one_of_each().values()), [k for k, v in _one_of_each().items() if v is None]


@pytest.mark.parametrize("state", [LockState.FROZEN, LockState.LOCKED])
def test_study_level_refuses_every_path_on_every_crf(seeded, state):
    _set(rules.STUDY, Level.STUDY, state)
    for key, record in _one_of_each().items():
        for name, write in _paths(record).items():
            assert _refused(write), f"{key} {name} was not refused ({state})"


def test_open_again_allows_writes(seeded):
    _set(rules.STUDY, Level.STUDY, LockState.OPEN)
    for record in _one_of_each().values():
        assert not _refused(_paths(record)["update"])


@pytest.mark.parametrize("state", [LockState.FROZEN, LockState.LOCKED])
def test_subject_level_follows_each_crf_path_to_its_subject(seeded, state):
    from enrollment.models import Subject

    checked = 0
    for key, record in _one_of_each().items():
        subject_id, _visit = subject_and_visit_of(record)
        if subject_id is None:  # a screening never enrolled: only the study level applies
            continue
        subject = Subject.objects.get(pk=subject_id)
        DataLock.objects.all().delete()
        _set(rules.subject_target(subject_id), Level.SUBJECT, state, subject=subject)
        for name, write in _paths(record).items():
            assert _refused(write), f"{key} {name} not refused with its subject {state}"
        # a record of another subject is free
        crf = registry.crf_models[key]
        other = (
            crf.model._base_manager.exclude(**{crf.subject_path or "pk": subject_id}).first()
            if crf.subject_path is not None
            else None
        )
        if other is not None:
            assert not _refused(_paths(other)["update"]), f"{key}: another subject refused"
        checked += 1
    assert checked >= len(registry.crf_models) - 3


def test_visit_level_covers_visit_forms_only(seeded):
    from enrollment.models import SubjectVisit

    covered = []
    for key, record in _one_of_each().items():
        _subject_id, visit_id = subject_and_visit_of(record)
        DataLock.objects.all().delete()
        if visit_id is None:
            continue
        visit = SubjectVisit.objects.get(pk=visit_id)
        _set(rules.visit_target(visit_id), Level.VISIT, LockState.LOCKED, visit=visit)
        assert _refused(_paths(record)["update"]), key
        covered.append(key)
    assert "enrollment.subjectvisit" in covered
    assert "efficacy.labresult" in covered  # through its panel's visit


def test_record_level_and_inserts(seeded):
    from safety.models import VitalSigns

    vitals = VitalSigns.objects.order_by("pk").first()
    _set(rules.record_target("safety.vitalsigns", vitals.pk), Level.RECORD, LockState.LOCKED)
    assert _refused(_paths(vitals)["update"])
    other = VitalSigns.objects.exclude(pk=vitals.pk).first()
    assert not _refused(_paths(other)["update"])
    # a new record of a locked subject is refused too
    DataLock.objects.all().delete()
    _set(
        rules.subject_target(vitals.subject_id),
        Level.SUBJECT,
        LockState.FROZEN,
        subject=vitals.subject,
    )

    def insert():
        vitals.pk = None
        vitals.save()

    assert _refused(insert)


def test_the_refusal_has_its_own_sqlstate(seeded):
    from enrollment.models import Subject

    _set(rules.STUDY, Level.STUDY, LockState.LOCKED)
    try:
        with transaction.atomic():
            Subject.objects.update(status=F("status"))
    except DatabaseError as exc:
        assert exc.__cause__.pgcode == RECORD_LOCKED_SQLSTATE
    else:
        pytest.fail("not refused")


def test_a_locked_parent_record_locks_its_children(seeded):
    """The lab panel's lock covers its results; the AE's lock its follow-ups."""
    from datamanagement.locks.selectors import record_state
    from efficacy.models import LabResult
    from safety.models import AdverseEventFollowUp

    for child, parent_label, parent_id in (
        (LabResult.objects.first(), "efficacy.labpanel", "panel_id"),
        (AdverseEventFollowUp.objects.first(), "safety.adverseevent", "adverse_event_id"),
    ):
        DataLock.objects.all().delete()
        target = rules.record_target(parent_label, getattr(child, parent_id))
        _set(target, Level.RECORD, LockState.LOCKED)
        assert record_state(child) == (LockState.LOCKED, "record")
        for name, write in _paths(child).items():
            assert _refused(write), f"{child._meta.label} {name}"
