"""Shared fixtures of the query tests: a subject on day 6 with one vital-signs record."""

from datetime import time
from decimal import Decimal

import pytest

from safety.models import VitalSigns
from safety.services.vitals import vitals_record
from trial_edc.core.clock import site_moment, study_day_date


def new_vitals(subject, user, *, day=1, hr=88) -> VitalSigns:
    at = site_moment(study_day_date(subject.day1, day), time(8, 30), subject.site)
    vitals = VitalSigns(
        subject=subject,
        measured_at=at,
        temp=Decimal("36.9"),
        hr=hr,
        resp=18,
        sysbp=118,
        diabp=72,
        oxysat=95,
        oxygen_support="ROOM_AIR",
        fio2=Decimal("0.21"),
    )
    return vitals_record(vitals=vitals, user=user)


@pytest.fixture
def vitals(subject_on_day_6, coordinator):
    return new_vitals(subject_on_day_6, coordinator)
