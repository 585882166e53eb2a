"""A CRF page's save is one transaction: the record, its history entry and the form's one-time
key commit together or not at all. The service it calls takes no savepoint there (nothing
goes on after a failure); called inside any other transaction, a service takes one, so that a
caller who catches its refusal keeps the rest of its transaction."""

import uuid
from datetime import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safety.models import VitalSigns
from safety.services.vitals import vitals_record
from tests.safety.test_views import VITALS
from trial_edc.audit.models import Submission
from trial_edc.core.clock import site_moment, study_day_date
from trial_edc.core.forms import SUBMISSION_FIELD
from trial_edc.core.transactions import service_transaction, whole_transaction

pytestmark = pytest.mark.django_db(transaction=True)


def _vitals(subject, hour: int, **overrides) -> VitalSigns:
    values = {
        "temp": Decimal("36.9"),
        "hr": 88,
        "resp": 18,
        "sysbp": 118,
        "diabp": 72,
        "oxysat": 95,
        "oxygen_support": "ROOM_AIR",
        "fio2": Decimal("0.21"),
    } | overrides
    measured_at = site_moment(study_day_date(subject.day1, 2), time(hour), subject.site)
    return VitalSigns(subject=subject, measured_at=measured_at, **values)


def _savepoints(captured) -> int:
    return sum(q["sql"].startswith("SAVEPOINT") for q in captured)


def test_a_vital_signs_save_is_one_transaction_without_a_savepoint(
    coordinator_client, coordinator, subject_on_day_6
):
    subject, key = subject_on_day_6, uuid.uuid4().hex
    day2 = study_day_date(subject.day1, 2)
    with CaptureQueriesContext(connection) as captured:
        response = coordinator_client.post(
            reverse("safety:vitals_create", args=[subject.pk]),
            VITALS | {"measured_at": f"{day2}T08:30", SUBMISSION_FIELD: key},
        )
    assert response.status_code == 302
    assert _savepoints(captured) == 0
    vitals = VitalSigns.objects.get(subject=subject)
    assert vitals.events.get().pgh_context["user"] == coordinator.pk
    assert Submission.objects.filter(key=key).exists()


def test_a_refusal_in_the_whole_transaction_rolls_all_of_it_back(subject_on_day_6, coordinator):
    with pytest.raises(ValidationError), whole_transaction():
        vitals_record(vitals=_vitals(subject_on_day_6, 8), user=coordinator)
        vitals_record(vitals=_vitals(subject_on_day_6, 9, oxysat=101), user=coordinator)
    assert not VitalSigns.objects.exists()


def test_a_service_in_another_transaction_takes_a_savepoint_a_caller_may_go_on_after(
    subject_on_day_6, coordinator
):
    with transaction.atomic():
        vitals_record(vitals=_vitals(subject_on_day_6, 8), user=coordinator)
        with pytest.raises(ValidationError):
            vitals_record(vitals=_vitals(subject_on_day_6, 9, oxysat=101), user=coordinator)
        vitals_record(vitals=_vitals(subject_on_day_6, 10), user=coordinator)
    assert VitalSigns.objects.filter(subject=subject_on_day_6).count() == 2


def test_what_the_first_service_calls_takes_its_savepoint_as_usual(site):
    @service_transaction
    def inner():
        connection.cursor().execute("SELECT 1")

    @service_transaction
    def first():
        inner()

    with CaptureQueriesContext(connection) as captured, whole_transaction():
        first()
    assert _savepoints(captured) == 1  # inner's; none for first
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        first()
    assert _savepoints(captured) == 2
