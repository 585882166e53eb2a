from datetime import timedelta

import pytest

from safety.models import AdverseEvent
from safety.services import adverse_events, signatures
from tests.factories import DEMO_TEST_PASSWORD


@pytest.fixture
def subject(subject_on_day_6):
    return subject_on_day_6


@pytest.fixture
def fixture_aes(subject, coordinator, investigator):
    from django.test import RequestFactory

    def record(**values):
        base = {"subject": subject, "aestdtc": subject.day1, "aeacn": "DOSE NOT CHANGED"}
        return adverse_events.adverse_event_record(
            ae=AdverseEvent(**(base | values)), user=coordinator
        )

    cough = record(
        aeterm="Productive cough",
        aetoxgr=1,
        ongoing=True,
        aerel="PROBABLY RELATED",
        expected=True,
        aeout="RECOVERING/RESOLVING",
    )
    record(
        aeterm="Pyrexia",
        aetoxgr=2,
        aeendtc=subject.day1 + timedelta(days=2),
        aerel="UNLIKELY RELATED",
        aeout="RECOVERED/RESOLVED",
    )
    record(
        aeterm="Bacterial pneumonia",
        aetoxgr=3,
        ongoing=True,
        aeser=True,
        aeshosp=True,
        aerel="NOT RELATED",
        aeout="RECOVERING/RESOLVING",
    )
    request = RequestFactory().post("/")
    request.META["REMOTE_ADDR"] = "127.0.0.1"
    signatures.adverse_event_sign(
        ae=cough,
        signer=investigator,
        username=investigator.username,
        password=DEMO_TEST_PASSWORD,
        request=request,
    )
    return cough
