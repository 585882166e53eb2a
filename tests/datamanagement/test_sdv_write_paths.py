"""Source data verification (issue 14, point 5): whatever path changes a verified value — the
form, a service, `QuerySet.update()`, raw SQL — the database marks it "changed since verified"
in the same transaction; the casebook signature of the subject is voided the same way."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import DataError, IntegrityError, connection, transaction
from django.urls import reverse

from datamanagement.models import CasebookSignature, SourceVerification
from datamanagement.sdv import selectors, services
from datamanagement.sdv.items import crf_infos
from tests.factories import DEMO_TEST_PASSWORD
from trial_edc.accounts.models import User
from trial_edc.audit.services import audit_context


@pytest.fixture
def demo(db):
    """The demo trial: every CRF has records."""
    call_command("seed_demo")
    return User.objects.get(username="monitor")


def _new_value(field, value):
    """A different valid-looking value of the field's column type."""
    from datetime import date, datetime, time, timedelta

    if field.is_relation:
        return None
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, Decimal):
        return value + Decimal("0.01")
    if isinstance(value, datetime):
        return value + timedelta(minutes=1)
    if isinstance(value, date):
        return value - timedelta(days=1)
    if isinstance(value, time):
        return (datetime.combine(date(2000, 1, 1), value) + timedelta(minutes=1)).time()
    if isinstance(value, str):
        choices = [c for c, _ in field.choices or () if c != value]
        if field.choices:
            return choices[0] if choices else None
        return (value + "x")[: field.max_length or 100]
    return None


class _Rollback(Exception):
    pass


def _accepts(info, record, field, new) -> bool:
    """Does the database accept the new value (constraints)? Tried and rolled back."""
    try:
        with transaction.atomic(), audit_context(user=None, reason="try"):
            info.model.objects.filter(pk=record.pk).update(**{field.attname: new})
            raise _Rollback
    except _Rollback:
        return True
    except (IntegrityError, DataError):
        return False


def _changeable(info):
    for record in info.model.objects.order_by("pk")[:20]:
        for name in info.items:
            field = info.field(name)
            new = _new_value(field, getattr(record, field.attname))
            if new is not None and _accepts(info, record, field, new):
                return record, field, new
    return None


def _verified_item(info, monitor):
    """A record of the CRF and one of its items with a value that can change, verified."""
    found = _changeable(info)
    if found is not None:
        record = found[0]
        services.record_verify(user=monitor, record=record, seen_seq=selectors.latest_seq(record))
    return found


def _item(info, record, field):
    return SourceVerification.objects.get(
        record_table=info.table, record_id=record.pk, field=field.name
    )


def test_every_crf_goes_stale_through_update_and_raw_sql(demo):
    monitor = demo
    tried = []
    for info in crf_infos():
        found = _verified_item(info, monitor)
        if found is None:
            continue
        record, field, new = found
        tried.append(info.label)
        others = SourceVerification.objects.filter(
            record_table=info.table, record_id=record.pk
        ).exclude(field=field.name)
        assert _item(info, record, field).changed_at is None
        # update(): in the same transaction, only the changed item goes stale
        with transaction.atomic(), audit_context(user=None, reason="correction"):
            info.model.objects.filter(pk=record.pk).update(**{field.attname: new})
            assert _item(info, record, field).changed_at is not None, info.label
            assert _item(info, record, field).change_operation == "UPDATE"
            assert not others.filter(changed_at__isnull=False).exists(), info.label
        # re-verify, then raw SQL
        record.refresh_from_db()
        services.record_verify(user=monitor, record=record, seen_seq=selectors.latest_seq(record))
        assert _item(info, record, field).changed_at is None
        with transaction.atomic(), audit_context(user=None, reason="correction"):
            with connection.cursor() as cursor:
                cursor.execute(
                    f'UPDATE "{info.table}" SET "{field.column}" = %s WHERE id = %s',  # noqa: S608
                    [_new_value(field, getattr(record, field.attname)), record.pk],
                )
            assert _item(info, record, field).changed_at is not None, info.label
    # every CRF of the demo with a changeable item was tried
    assert {"safety.vitalsigns", "dosing.doseadministration", "safety.adverseevent"} <= set(tried)
    assert len(tried) >= 12, tried


def test_an_unchanged_write_keeps_the_verification(demo):
    info = next(i for i in crf_infos() if i.label == "safety.vitalsigns")
    record, field, _new = _verified_item(info, demo)
    with audit_context(user=None, reason="same value"):
        info.model.objects.filter(pk=record.pk).update(
            **{field.attname: getattr(record, field.attname)}
        )
    assert _item(info, record, field).changed_at is None


def test_the_vital_signs_form_and_service_make_the_value_stale(
    monitor, coordinator_client, coordinator, subject_on_day_6
):
    from safety.models import VitalSigns
    from safety.services.vitals import vitals_record
    from tests.safety.test_views import VITALS, _at, _new

    subject = subject_on_day_6
    coordinator_client.post(_new(subject), VITALS | {"measured_at": _at(subject)})
    vitals = VitalSigns.objects.get()
    services.record_verify(user=monitor, record=vitals, seen_seq=selectors.latest_seq(vitals))
    hr = SourceVerification.objects.get(record_id=vitals.pk, field="hr")
    # the form
    edit = reverse("safety:vitals_edit", args=[subject.pk, vitals.pk])
    response = coordinator_client.post(
        edit,
        VITALS | {"measured_at": _at(subject), "hr": 99, "reason_for_change": "typo in heart rate"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    hr.refresh_from_db()
    assert hr.changed_at is not None
    assert SourceVerification.objects.get(record_id=vitals.pk, field="temp").changed_at is None
    # the service
    vitals.refresh_from_db()
    services.record_verify(user=monitor, record=vitals, seen_seq=selectors.latest_seq(vitals))
    vitals.resp = 19
    vitals_record(vitals=vitals, user=coordinator, reason="typo in respiratory rate")
    assert SourceVerification.objects.get(record_id=vitals.pk, field="resp").changed_at is not None
    assert SourceVerification.objects.get(record_id=vitals.pk, field="hr").changed_at is None


def _sign(subject, investigator):
    from django.test import RequestFactory

    request = RequestFactory().post("/")
    request.META["REMOTE_ADDR"] = "127.0.0.1"
    return services.casebook_sign(
        subject=subject,
        signer=investigator,
        username=investigator.username,
        password=DEMO_TEST_PASSWORD,
        request=request,
    )


def test_casebook_is_voided_by_a_change_through_each_path(demo):
    from enrollment.models import Subject

    investigator = User.objects.get(username="investigator")
    investigator.set_password(DEMO_TEST_PASSWORD)
    investigator.save()
    from trial_edc.accounts.models import SiteMembership

    site_ids = set(
        SiteMembership.objects.filter(user=investigator).values_list("site_id", flat=True)
    )
    subject = Subject.objects.filter(site__in=site_ids).order_by("pk").first()
    paths = 0
    for info in crf_infos():
        if info.subject_lookup is None:
            continue
        if not info.model.objects.filter(**{info.subject_lookup: subject.pk}).exists():
            continue
        found = _changeable(info)
        if found is None:
            continue
        record, field, _new = found
        # the subject of that record (the investigator's site in the demo)
        subject_id = (
            info.model.objects.filter(pk=record.pk)
            .values_list(info.subject_lookup, flat=True)
            .get()
        )
        if subject_id is None:
            continue
        subject = Subject.objects.get(pk=subject_id)
        if subject.site_id not in site_ids:
            continue
        for how in ("update", "sql"):
            record.refresh_from_db()
            signature = _sign(subject, investigator)
            with audit_context(user=None, reason="correction"):
                if how == "update":
                    info.model.objects.filter(pk=record.pk).update(
                        **{field.attname: _new_value(field, getattr(record, field.attname))}
                    )
                else:
                    with connection.cursor() as cursor:
                        cursor.execute(
                            f'UPDATE "{info.table}" SET "{field.column}" = %s WHERE id = %s',  # noqa: S608
                            [_new_value(field, getattr(record, field.attname)), record.pk],
                        )
            signature.refresh_from_db()
            assert signature.voided_at is not None, (info.label, how)
            assert info.table in signature.void_reason
            paths += 1
    assert paths >= 20
    # a new record of the subject voids it too
    signature = _sign(subject, investigator)
    from safety.models import VitalSigns

    vitals = VitalSigns.objects.filter(subject=subject).first()
    with audit_context(user=None, reason="copy"):
        vitals.pk = None
        vitals.measured_at = vitals.measured_at.replace(minute=(vitals.measured_at.minute + 7) % 60)
        vitals.save()
    signature.refresh_from_db()
    assert signature.voided_at is not None
    assert "insert" in signature.void_reason
    # history keeps every signature
    assert CasebookSignature.objects.filter(subject=subject).count() == paths + 1
