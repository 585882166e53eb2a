"""Demo efficacy data: complete visits, partly missing ones (PFT not done, labs not yet
entered), an out-of-window visit with its deviation, and a month-3 follow-up."""

from datetime import time
from decimal import Decimal

from efficacy import services
from efficacy.models import BloodGas, FollowUpStatus, HrctScore, LabPanel, PulmonaryFunctionTest
from enrollment.models import Subject
from enrollment.schedule.services import visit_date_record
from trial_edc.accounts.models import User
from trial_edc.core.clock import site_moment, study_day, study_day_date

# per visit: PaO2 at FiO2 0.40, FVC L, FVC %, DLCO %, HRCT ground-glass and fibrosis by zone,
# ferritin, KL-6, CRP
COURSE = {
    "BASELINE": ("60", "1.85", "54", "38", (4, 3, 4, 3, 3, 4), (1, 1, 2, 1, 1, 2), 2450, 1830, 38),
    "DAY14": ("74", "2.05", "60", "42", (3, 2, 3, 2, 2, 3), (1, 1, 2, 1, 1, 2), 1620, 1410, 12),
    "DAY28": ("82", "2.20", "64", "45", (2, 2, 3, 2, 1, 2), (1, 1, 2, 0, 1, 2), 980, 1120, 6),
    "MONTH3": ("88", "2.35", "69", "49", (2, 1, 2, 1, 1, 2), (1, 1, 1, 0, 1, 2), None, None, None),
}


def _on(subject, day):
    return study_day_date(subject.day1, day)


def _visit_date(subject, code, day, user, deviation=""):
    visit = subject.visits.get(code=code)
    visit_date_record(
        visit=visit, visit_date=_on(subject, day), deviation_reason=deviation, user=user
    )
    return subject.visits.get(code=code)


def _gas(subject, visit, day, pao2, user):
    if visit.blood_gases.exists():
        return  # recorded with the treatment day (demo of the dosing app)
    at = site_moment(_on(subject, day), time(8), subject.site)
    services.blood_gas_record(
        gas=BloodGas(
            subject=subject,
            visit=visit,
            sampled_at=at,
            pao2=Decimal(pao2),
            fio2=Decimal("0.40"),
            spo2=92,
            oxygen_support="NASAL_CANNULA",
        ),
        user=user,
    )


def _efficacy_set(subject, code, day, user, *, pft=True, labs=True, deviation=""):
    pao2, fvc, fvc_pct, dlco, ggo, fib, ferritin, kl6, crp = COURSE[code]
    # each subject a little different, so the study table has a spread
    k = int(subject.subject_number[-1]) - 2
    pao2, fvc = int(pao2) + 5 * k, Decimal(fvc) + Decimal("0.15") * k
    fvc_pct, dlco = int(fvc_pct) + 4 * k, int(dlco) + 3 * k
    ggo = tuple(max(0, min(5, g - k if n % 2 else g)) for n, g in enumerate(ggo))
    if ferritin is not None:
        ferritin, kl6, crp = ferritin + 240 * k, kl6 + 150 * k, max(1, crp + 4 * k)
    visit = _visit_date(subject, code, day, user, deviation)
    _gas(subject, visit, day, pao2, user)
    if pft:
        test = PulmonaryFunctionTest(
            visit=visit,
            performed_on=_on(subject, day),
            fvc_litres=fvc,
            fvc_percent_predicted=Decimal(fvc_pct),
            dlco_percent_predicted=Decimal(dlco),
            reference_equation="GLI",
        )
    else:
        test = PulmonaryFunctionTest(
            visit=visit, done=False, not_done_reason="unstable", not_done_detail="On HFNC 50 L/min"
        )
    services.pft_record(pft=test, user=user)
    score = HrctScore(visit=visit, scanned_on=_on(subject, day), reader="Dr Zhou (radiology)")
    for n in range(1, 7):
        setattr(score, f"ggo_{n}", ggo[n - 1])
        setattr(score, f"fib_{n}", fib[n - 1])
    services.hrct_record(hrct=score, user=user)
    if labs and ferritin is not None:
        services.lab_panel_record(
            panel=LabPanel(visit=visit, sampled_on=_on(subject, day)),
            results={
                "FERRITIN": (Decimal(ferritin), "ng/mL", Decimal(15), Decimal(150)),
                "KL6": (Decimal(kl6), "U/mL", None, Decimal(500)),
                "CRP": (Decimal(crp) / 10, "mg/dL", None, Decimal(1)),
                "LDH": (Decimal(420), "U/L", Decimal(120), Decimal(250)),
                "CREAT": (Decimal("0.8"), "mg/dL", Decimal("0.5"), Decimal("1.2")),
            },
            user=user,
        )
    return visit


def efficacy_demo_seed(today) -> None:
    coord = User.objects.get(username="coordinator")
    subjects = Subject.objects.filter(site__code="01", status=Subject.Status.ON_STUDY)
    for subject in subjects.select_related("site", "screening"):
        day_today = study_day(subject.day1, today)
        if day_today < 1:
            continue
        first = subject.subject_number == "01-001"
        # 01-001 could not do spirometry at baseline; the others did
        _efficacy_set(subject, "BASELINE", 1, coord, pft=not first)
        if 14 <= day_today < 30:
            # day 14 partly done: PFT not done, labs not entered yet (shown as missing)
            _efficacy_set(subject, "DAY14", 14, coord, pft=False, labs=False)
        elif day_today >= 30:
            _efficacy_set(subject, "DAY14", 14, coord)
            _efficacy_set(
                subject,
                "DAY28",
                32,
                coord,
                deviation="Subject re-admitted for pneumonia; visit postponed by 4 days",
            )
            _visit_date(subject, "SAFETY_CLOSE", 44, coord)
            if day_today >= 90:
                visit = _efficacy_set(subject, "MONTH3", 90, coord)
                services.follow_up_record(
                    follow_up=FollowUpStatus(
                        visit=visit,
                        assessed_on=_on(subject, 90),
                        vital_status="alive",
                        home_oxygen=True,
                        immunosuppression="Prednisone 15 mg/day, tacrolimus 1.5 mg twice daily",
                    ),
                    user=coord,
                )
