"""Demo baseline CRFs: demographics, medical history, dermatomyositis and ILD history and prior
treatment (on the con-med list) for the enrolled subjects of site 01, each a little
different, so that Table 1 has a spread and a missing value."""

from datetime import timedelta
from decimal import Decimal

from dosing.models import ConcomitantMedication
from dosing.services import conmed_record
from enrollment.baseline import services
from enrollment.models import Demographics, DiseaseHistory, MedicalHistory, Subject
from trial_edc.accounts.models import User

# per subject (by its place in the subject list): height, weight, smoking, days from the
# dermatomyositis and the ILD diagnosis to day 1, CK at diagnosis (value, unit)
PROFILES = (
    ("168.0", "61.5", "NEVER", 120, 35, ("312", "U/L")),
    ("157.0", "52.0", "NEVER", 75, 28, ("5.1", "µkat/L")),
    ("175.5", "70.2", "FORMER", 410, 60, ("1480", "U/L")),
    ("162.0", "58.8", "NEVER", 48, 21, (None, "")),
    ("171.0", "66.0", "CURRENT", 220, 90, ("96", "U/L")),
)


def baseline_demo_seed(today) -> None:
    coord = User.objects.get(username="coordinator")
    subjects = Subject.objects.filter(site__code="01").select_related("site", "screening")
    for n, subject in enumerate(subjects.order_by("subject_number")):
        height, weight, smoking, dm_days, ild_days, (ck, ck_unit) = PROFILES[n % len(PROFILES)]
        screening = subject.screening
        if n != 3:  # 01-004's demographics are not entered yet: missing in Table 1
            services.demographics_save(
                demographics=Demographics(
                    screening=screening,
                    ethnic="NOT HISPANIC OR LATINO",
                    height=Decimal(height),
                    weight=Decimal(weight),
                    suncf=smoking,
                ),
                user=coord,
            )
        services.disease_history_save(
            history=DiseaseHistory(
                screening=screening,
                dm_diagnosed_on=subject.day1 - timedelta(days=dm_days),
                ild_diagnosed_on=subject.day1 - timedelta(days=ild_days),
                gottron="Y",
                heliotrope="Y" if n % 2 == 0 else "N",
                mechanics_hands="Y" if n % 3 == 0 else "N",
                skin_ulcers="Y" if n in (1, 4) else "N",
                muscle_weakness="N" if n == 2 else "Y",
                ck_at_diagnosis=Decimal(ck) if ck else None,
                ck_unit=ck_unit,
            ),
            user=coord,
        )
        for entry in _history(n):
            services.medical_history_save(
                entry=MedicalHistory(screening=screening, **entry), user=coord
            )
        if n in (0, 2):  # IVIG before enrolment, stopped before day 1
            _prior(subject, coord, "ivig", "Human immunoglobulin", "20", "g", "INTRAVENOUS", 25, 21)
        if n == 4:  # tofacitinib started before enrolment, still taken
            _prior(subject, coord, "jak_inhibitor", "Tofacitinib", "5", "mg", "ORAL", 40, None)


def _history(n: int) -> list[dict]:
    entries = []
    if n == 2:
        entries.append(
            {"condition": "TUBERCULOSIS", "mhstdtc": "2012", "mhendtc": "2013-02", "mhongo": False}
        )
    if n % 2 == 0:
        entries.append(
            {"condition": "OTHER", "mhterm": "Hypertension", "mhstdtc": "2019-05", "mhongo": True}
        )
    if n == 1:
        entries.append(
            {
                "condition": "OTHER",
                "mhterm": "Type 2 diabetes mellitus",
                "mhstdtc": "2021",
                "mhongo": True,
            }
        )
    return entries


def _prior(subject, user, category, drug, dose, unit, route, start_days, stop_days) -> None:
    conmed_record(
        conmed=ConcomitantMedication(
            subject=subject,
            category=category,
            drug=drug,
            indication="Anti-MDA5 dermatomyositis",
            dose=Decimal(dose),
            unit=unit,
            route=route,
            frequency="once daily",
            start_date=subject.day1 - timedelta(days=start_days),
            stop_date=None if stop_days is None else subject.day1 - timedelta(days=stop_days),
            ongoing=stop_days is None,
        ),
        user=user,
    )
