"""Demo treatment data: doses (with a missed and a not-given day), daily vitals (some out of
range), blood gases and standard-care medication, through the services."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from dosing import services
from dosing.models import ConcomitantMedication, DoseAdministration
from efficacy.models import BloodGas
from efficacy.services import blood_gas_record
from enrollment.models import Subject
from safety.models import AdverseEvent, CtcaeTerm, VitalSigns
from safety.services.adverse_events import adverse_event_record
from safety.services.vitals import vitals_record
from trial_edc.accounts.models import User
from trial_edc.core.clock import site_moment, study_day_date
from trial_edc.study import study


def _at(subject, day: int, hour: int, minute: int = 0) -> datetime:
    on = study_day_date(subject.day1, day)
    return site_moment(on, time(hour, minute), subject.site)


def _dose(subject, day, user, **overrides):
    configured = study().dose
    values = {
        "status": "completed",
        "start_time": time(9, 0),
        "stop_time": time(9, 22),
        "volume_ml": configured.volume_ml,
        "particles": configured.particles,
        "device": "Aerogen Solo vibrating mesh",
        "lot": "MSCX-P1-2611",
        "spo2_pre": 94,
        "spo2_post": 93,
    } | overrides
    services.dose_record(
        dose=DoseAdministration(
            subject=subject, study_day=day, date=study_day_date(subject.day1, day), **values
        ),
        user=user,
    )


def _vitals(subject, day, user, **overrides):
    values = {
        "temp": Decimal("36.8"),
        "hr": 84 + day % 5,
        "resp": 18,
        "sysbp": 118,
        "diabp": 74,
        "oxysat": min(90 + day // 2, 97),
        "oxygen_support": "NASAL_CANNULA",
        "flow": Decimal("3"),
    } | overrides
    vitals_record(
        vitals=VitalSigns(subject=subject, measured_at=_at(subject, day, 8), **values), user=user
    )


def serious_pneumonia(subject, **overrides) -> AdverseEvent:
    """An unsaved serious (hospitalised) grade-3 pneumonia from day 1 on, still ongoing."""
    values = {
        "aeterm": "Pneumonia",
        "aestdtc": subject.day1,
        "ongoing": True,
        "aetoxgr": 3,
        "aeser": True,
        "aeshosp": True,
        "aerel": "UNLIKELY RELATED",
        "aeacn": "DRUG INTERRUPTED",
        "aeout": "RECOVERING/RESOLVING",
    } | overrides
    return AdverseEvent(subject=subject, **values)


def _adverse_events(subject, user) -> None:
    """A related cough, a fever, and for one subject a serious pneumonia."""

    def term(name):
        return CtcaeTerm.objects.filter(term=name).first()

    common = {"subject": subject, "aeacn": "DOSE NOT CHANGED"}
    adverse_event_record(
        ae=AdverseEvent(
            **common,
            aeterm="Cough after nebulization",
            ctcae_term=term("Cough"),
            aestdtc=subject.day1 + timedelta(days=1),
            aeendtc=subject.day1 + timedelta(days=2),
            aetoxgr=1,
            aerel="PROBABLY RELATED",
            expected=True,
            aeout="RECOVERED/RESOLVED",
        ),
        user=user,
    )
    if subject.subject_number == "01-002":
        adverse_event_record(
            ae=AdverseEvent(
                **(common | {"aeacn": "DRUG INTERRUPTED"}),
                aeterm="Fever",
                ctcae_term=term("Fever"),
                aestdtc=subject.day1 + timedelta(days=4),
                aeendtc=subject.day1 + timedelta(days=6),
                aetoxgr=2,
                aerel="UNLIKELY RELATED",
                aeout="RECOVERED/RESOLVED",
                treatment_given="Paracetamol",
            ),
            user=user,
        )
    if subject.subject_number == "01-003":
        adverse_event_record(
            ae=serious_pneumonia(
                subject,
                aeacn="DOSE NOT CHANGED",
                ctcae_term=term("Lung infection"),
                aestdtc=subject.day1 + timedelta(days=9),
                treatment_given="IV antibiotics",
                narrative="Fever and new consolidation; admitted to the ward.",
            ),
            user=user,
        )


def treatment_demo_seed(today) -> None:
    coord = User.objects.get(username="coordinator")
    for subject in Subject.objects.filter(site__code="01").select_related("site", "screening"):
        last = min(
            study().treatment_days, (min(today, subject.ended_on or today) - subject.day1).days
        )
        for day in range(1, last + 1):
            if day == 3 and subject.subject_number == "01-002":
                continue  # a missed day: no record, shown as missing
            if day == 5 and subject.subject_number == "01-002":
                _dose(
                    subject,
                    day,
                    coord,
                    status="not_given",
                    start_time=None,
                    stop_time=None,
                    volume_ml=None,
                    particles=None,
                    spo2_pre=None,
                    spo2_post=None,
                    reason_not_completed="Fever 38.9 °C; investigator withheld the dose",
                )
            elif day == 2 and subject.subject_number == "01-003":
                _dose(
                    subject,
                    day,
                    coord,
                    status="interrupted",
                    stop_time=time(9, 8),
                    volume_ml=Decimal("2.0"),
                    spo2_post=89,
                    desaturation=True,
                    cough=True,
                    reason_not_completed="Cough and desaturation to 89%; stopped",
                )
            else:
                _dose(subject, day, coord)
            if day == 5 and subject.subject_number == "01-002":
                _vitals(subject, day, coord, temp=Decimal("38.9"), hr=112, oxysat=89)
            else:
                _vitals(subject, day, coord)
        visits = {v.code: v for v in subject.visits.filter(outcome="planned")}
        for day in (1, 7, 14):
            if day <= last:
                blood_gas_record(
                    gas=BloodGas(
                        subject=subject,
                        # the baseline and day-14 gases are those visits' oxygenation
                        visit=visits.get({1: "BASELINE", 14: "DAY14"}.get(day)),
                        sampled_at=_at(subject, day, 7, 30),
                        pao2=Decimal(58 + day * 2 + 4 * (int(subject.subject_number[-1]) - 2)),
                        paco2=Decimal("36"),
                        ph=Decimal("7.45"),
                        fio2=Decimal("0.40"),
                        spo2=90 + day // 3,
                        oxygen_support="HFNC",
                    ),
                    user=coord,
                )
        if last >= 10:
            _adverse_events(subject, coord)
        start = subject.day1 - timedelta(days=20)
        for category, drug, dose, unit, route, frequency in (
            ("corticosteroid", "Methylprednisolone", "80", "mg", "INTRAVENOUS", "once daily"),
            ("immunosuppressant", "Tacrolimus", "1.5", "mg", "ORAL", "twice daily"),
        ):
            services.conmed_record(
                conmed=ConcomitantMedication(
                    subject=subject,
                    category=category,
                    drug=drug,
                    indication="Anti-MDA5 DM with RP-ILD",
                    dose=Decimal(dose),
                    unit=unit,
                    route=route,
                    frequency=frequency,
                    start_date=start,
                    ongoing=True,
                ),
                user=coord,
            )
