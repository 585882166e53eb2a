"""Every service that writes checks the acting user's permission and site itself, so a view,
a task or a command calling it cannot skip the check; a refused call writes nothing."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from dosing.models import ConcomitantMedication, DoseAdministration
from dosing.services import conmed_record, dose_record
from efficacy.models import BloodGas
from efficacy.services import blood_gas_record
from enrollment import services as enrollment_services
from enrollment.baseline import services as baseline_services
from enrollment.models import Demographics, DiseaseHistory, MedicalHistory, Screening, Subject
from enrollment.schedule.services import visit_date_record
from safety.models import AdverseEvent, VitalSigns
from safety.services.adverse_events import adverse_event_record
from safety.services.vitals import vitals_record
from trial_edc.accounts import services as account_services
from trial_edc.accounts.models import Site, User
from trial_edc.accounts.roles import Role


@pytest.fixture
def outsider(make_user, other_site):
    """A coordinator, but of another site."""
    return make_user(Role.SITE_COORDINATOR, [other_site], username="outsider")


def _writes(subject, site):
    """(what, model counted, call(user)) for each writing service."""
    day1 = subject.day1
    return [
        (
            "screening",
            Screening,
            lambda user: enrollment_services.screening_open(
                user=user,
                site=site,
                initials="ABC",
                date_of_birth=date(1970, 1, 1),
                sex="M",
                childbearing_potential=False,
                screening_date=day1,
            ),
        ),
        (
            "dose",
            DoseAdministration,
            lambda user: dose_record(
                dose=DoseAdministration(
                    subject=subject,
                    study_day=1,
                    date=day1,
                    status="not_given",
                    reason_not_completed="Fever",
                ),
                user=user,
            ),
        ),
        (
            "concomitant medication",
            ConcomitantMedication,
            lambda user: conmed_record(
                conmed=ConcomitantMedication(
                    subject=subject, drug="Prednisone", start_date=day1, ongoing=True
                ),
                user=user,
            ),
        ),
        (
            "vital signs",
            VitalSigns,
            lambda user: vitals_record(
                vitals=VitalSigns(
                    subject=subject, measured_at=timezone.now() - timedelta(minutes=1), hr=80
                ),
                user=user,
            ),
        ),
        (
            "adverse event",
            AdverseEvent,
            lambda user: adverse_event_record(
                ae=AdverseEvent(
                    subject=subject,
                    aeterm="Cough",
                    aestdtc=day1,
                    ongoing=True,
                    aetoxgr=1,
                    aerel="NOT RELATED",
                    aeacn="DOSE NOT CHANGED",
                    aeout="NOT RECOVERED/NOT RESOLVED",
                ),
                user=user,
            ),
        ),
        (
            "blood gas",
            BloodGas,
            lambda user: blood_gas_record(
                gas=BloodGas(
                    subject=subject,
                    sampled_at=timezone.now() - timedelta(minutes=1),
                    pao2=Decimal("80"),
                    fio2=Decimal("0.21"),
                ),
                user=user,
            ),
        ),
        (
            "demographics",
            Demographics,
            lambda user: baseline_services.demographics_save(
                demographics=Demographics(
                    screening=subject.screening,
                    ethnic="NOT HISPANIC OR LATINO",
                    height=Decimal("170"),
                    weight=Decimal("65"),
                    suncf="NEVER",
                ),
                user=user,
            ),
        ),
        (
            "medical history",
            MedicalHistory,
            lambda user: baseline_services.medical_history_save(
                entry=MedicalHistory(screening=subject.screening, condition="TUBERCULOSIS"),
                user=user,
            ),
        ),
        (
            "disease history",
            DiseaseHistory,
            lambda user: baseline_services.disease_history_save(
                history=DiseaseHistory(
                    screening=subject.screening,
                    dm_diagnosed_on=day1 - timedelta(days=60),
                    ild_diagnosed_on=day1 - timedelta(days=30),
                    gottron="Y",
                    heliotrope="Y",
                    mechanics_hands="N",
                    skin_ulcers="N",
                    muscle_weakness="Y",
                ),
                user=user,
            ),
        ),
    ]


@pytest.mark.parametrize(
    "what",
    [
        "screening",
        "dose",
        "concomitant medication",
        "vital signs",
        "adverse event",
        "blood gas",
        "demographics",
        "medical history",
        "disease history",
    ],
)
@pytest.mark.parametrize("who", ["monitor", "data_manager", "outsider"])
def test_a_service_refuses_a_role_or_site_that_may_not_write(
    request, what, who, subject_on_day_6, site
):
    user = request.getfixturevalue(who)
    _, model, call = next(w for w in _writes(subject_on_day_6, site) if w[0] == what)
    before = model.objects.count()
    with pytest.raises(PermissionDenied):
        call(user)
    assert model.objects.count() == before


def test_the_visit_date_and_the_end_of_study_need_a_member_of_the_site(
    subject_on_day_6, monitor, outsider
):
    visit = subject_on_day_6.visits.get(code="DAY14")
    for user in (monitor, outsider):
        with pytest.raises(PermissionDenied):
            visit_date_record(
                visit=visit, visit_date=subject_on_day_6.day1, deviation_reason="x", user=user
            )
        with pytest.raises(PermissionDenied):
            enrollment_services.subject_end(
                subject=subject_on_day_6,
                user=user,
                status=Subject.Status.WITHDRAWN,
                on=subject_on_day_6.day1,
                reason="x",
                decided_by="x",
            )
    subject_on_day_6.refresh_from_db()
    visit.refresh_from_db()
    assert subject_on_day_6.status == Subject.Status.ON_STUDY
    assert visit.visit_date is None


def test_only_a_data_manager_administers_users_and_sites(coordinator, site):
    with pytest.raises(PermissionDenied):
        account_services.site_create(actor=coordinator, code="09", name="Nowhere", time_zone="UTC")
    with pytest.raises(PermissionDenied):
        account_services.user_create(
            actor=coordinator,
            username="newcomer",
            password="a-long-enough-password-1",
            roles=[Role.SITE_COORDINATOR],
            sites=[site],
        )
    assert not Site.objects.filter(code="09").exists()
    assert not User.objects.filter(username="newcomer").exists()
