"""Every CRF form, fed plausible and hostile values by hypothesis, posted through its real view
as the role that fills it in: no response is a server error, and a refused save (the form
shown again with its errors) leaves the database as it was.

Each example starts from a POST that saves (checked on its own below) and changes some of its
fields, or all of them, to a generated value: a plausible one, a hostile one (empty, huge,
negative, 0001-01-01 and 9999-12-31, long text, unicode, wrong types) or none at all. The
examples are derandomized, so CI sees the same ones on every run; FORM_EXAMPLES=200 in the
environment looks further on a laptop. A new CRF form joins `CRFS`.

Every form that edits a saved record, sent back unchanged (with a reason typed or not), says
"nothing changed" and writes nothing; every form of a new record, sent twice with its one-time
key, saves once and lands on the saved record the second time.
"""

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from dosing.models import ConcomitantMedication
from efficacy.models import BloodGas
from enrollment import services as enrollment_services
from enrollment.models import Consent, EligibilityDeviation, MedicalHistory, Screening
from portal.demo.enrollment import (
    answers_all_met,
    eligible_screening,
    enrolled_subject,
    evidence_supporting,
    open_screening,
)
from portal.demo.treatment import serious_pneumonia
from safety.models import AdverseEvent, SafetyLabPanel, VitalSigns
from safety.services.adverse_events import adverse_event_record
from tests.factories import SiteFactory, force_login_verified, user_with_role
from trial_edc.accounts.roles import Role, roles_sync
from trial_edc.core.clock import site_today
from trial_edc.core.forms import SUBMISSION_FIELD
from trial_edc.study import study

FORM_SETTINGS = settings(
    max_examples=int(os.environ.get("FORM_EXAMPLES", "15")),
    deadline=None,
    derandomize=True,  # the same examples on every run: CI is deterministic
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- the database, before and after a refused save ----------------------------------------

# every table a CRF save may write, the history (event) tables and the outbox among them
SNAPSHOT_APPS = ("enrollment", "dosing", "safety", "efficacy", "notifications", "audit")
REFERENCE_TABLES = {"safety_ctcaeterm"}  # shipped data, never written by a form


def _snapshot_sql() -> str:
    tables = sorted(
        {
            m._meta.db_table
            for m in apps.get_models()
            if m._meta.app_label in SNAPSHOT_APPS and m._meta.managed
        }
        - REFERENCE_TABLES
    )
    q = connection.ops.quote_name
    return " UNION ALL ".join(
        # table names of the project's own models, not input
        f"SELECT '{t}', count(*), md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) "  # noqa: S608
        f"FROM {q(t)} r"
        for t in tables
    )


def snapshot() -> dict[str, tuple[int, str]]:
    """Row count and a digest of every row, per table."""
    with connection.cursor() as cursor:
        cursor.execute(_snapshot_sql())
        return {table: (count, digest) for table, count, digest in cursor.fetchall()}


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))


# --- values ---------------------------------------------------------------------------------


class _Omit:
    def __repr__(self) -> str:
        return "OMIT"


OMIT = _Omit()  # the field is not sent at all

HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "x" * 5000,
    "😷" * 300,
    "患者拒绝继续治疗" * 40,
    "\u202etxet",
    "a\r\nb\tc",
    "Robert'); DROP TABLE enrollment_screening;--",
    "<script>alert(1)</script>",
    "{{ 7|add:7 }}",
    "%(n)s %s {0}",
]
HOSTILE_NUMBERS = [
    "",
    "-1",
    "-0",
    "0",
    "0.0001",
    "1e308",
    "1E+30",
    "1e-30",
    "-1e10",
    "99999999999999999999999999",
    "NaN",
    "Infinity",
    "-Infinity",
    "1,5",
    "0x1A",
    "１２",
    " 12 ",
    "12abc",
    "3.14159265358979",
    "2.0e10",
]
FAR_DATES = [date(1, 1, 1), date(9999, 12, 31), date(1000, 6, 15), date(1899, 12, 31)]
BAD_DATES = ["", "2024-02-30", "31/12/2024", "yesterday", "２０２４-01-01", "-2024-01-01"]
HOSTILE_CHOICES = ["", "X", "-1", "0", "999999", "9" * 30, "<b>", "None", "null"]
BOOLEANS = ["on", "", "True", "False", "true", "0", "1", "null"]


def _text(field) -> st.SearchStrategy:
    size = min(field.max_length or 300, 300)
    return st.one_of(st.text(max_size=size), st.sampled_from(HOSTILE_TEXT))


def _dates(today: date, *, with_time: bool) -> st.SearchStrategy:
    near = st.dates(min_value=today - timedelta(days=800), max_value=today + timedelta(days=60))
    anywhere = st.one_of(st.sampled_from(FAR_DATES), st.dates())
    suffix = st.sampled_from(["T00:00", "T08:30", "T23:59"]) if with_time else st.just("")
    good = st.tuples(st.one_of(near, near, anywhere), suffix).map(lambda p: p[0].isoformat() + p[1])
    bad = st.sampled_from(BAD_DATES + (["2024-01-01", "2024-01-01T25:00"] if with_time else []))
    return st.one_of(good, bad)


def _numbers(field, baseline) -> st.SearchStrategy:
    places = getattr(field, "decimal_places", None) or 0
    try:
        top = max(Decimal(str(baseline)) * 2, Decimal(10))
    except (ArithmeticError, ValueError):
        top = Decimal(1000)
    plausible = st.decimals(min_value=0, max_value=top, places=places).map(str)
    return st.one_of(
        plausible,
        plausible,
        st.sampled_from(HOSTILE_NUMBERS),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.decimals(allow_nan=False, allow_infinity=False).map(str),
    )


def _choices(field) -> st.SearchStrategy:
    values = []
    for value, label in field.choices:
        if isinstance(label, list | tuple):  # an option group
            values += [str(v) for v, _ in label]
        else:
            values.append(str(value))
    valid = [v for v in values if v] or [""]
    return st.one_of(
        st.sampled_from(valid), st.sampled_from(valid), st.sampled_from(HOSTILE_CHOICES)
    )


def field_values(field, baseline, today: date) -> st.SearchStrategy:
    """Plausible and hostile raw POST values for one form field."""
    if isinstance(field, forms.BooleanField | forms.NullBooleanField):
        one = st.sampled_from(BOOLEANS)
    elif isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        one = _choices(field)
    elif isinstance(field, forms.DateTimeField):
        one = _dates(today, with_time=True)
    elif isinstance(field, forms.DateField):
        one = _dates(today, with_time=False)
    elif isinstance(field, forms.TimeField):
        one = st.one_of(
            st.times().map(lambda t: t.strftime("%H:%M")),
            st.sampled_from(["24:00", "9:5", "12:00:00.5", "-1:00", "99:99", ""]),
        )
    elif isinstance(field, forms.DecimalField | forms.IntegerField | forms.FloatField):
        one = _numbers(field, baseline)
    else:
        one = _text(field)
    several = st.lists(one, min_size=2, max_size=3)  # a wrong type: many values for one
    return st.one_of(one, one, one, several, st.just(OMIT))


# --- the CRF forms, their pages and a POST of each that saves ------------------------------


def _d(day: date) -> str:
    return day.isoformat()


def _at(day: date, hhmm: str = "08:00") -> str:
    return f"{day.isoformat()}T{hhmm}"


def _on(subject, day: int) -> date:
    return subject.day1 + timedelta(days=day - 1)


@dataclass(frozen=True)
class Crf:
    """A CRF form: the page of a new record, who fills it in, and a POST that saves one; and,
    for a form that edits too, how set-up saves a record (`make`, through the view) and
    `edit`: (the page of that saved record, the POST of it unchanged)."""

    url: Callable
    role: str
    baseline: Callable
    edit: Callable | None = None
    make: Callable | None = None


def _screening_values(screening) -> dict:
    return {
        "initials": screening.initials,
        "date_of_birth": _d(screening.date_of_birth),
        "sex": screening.sex,
        "screening_date": _d(screening.screening_date),
    }


def _checklist(screening) -> dict:
    evidence = evidence_supporting(screening.screening_date)
    return {
        **{name: str(answer) for name, answer in answers_all_met().items()},
        **{k: v.isoformat() if isinstance(v, date) else str(v) for k, v in evidence.items()},
    }


def _consent(t, screening) -> tuple[str, dict]:
    consent = Consent.objects.get(screening=screening)
    signed = timezone.localtime(consent.signed_at, ZoneInfo(t.site.time_zone))
    return {
        "version": consent.version,
        "signed_at": f"{signed:%Y-%m-%dT%H:%M}",
        "taken_by": str(consent.taken_by_id),
    }


def _dose(t) -> dict:
    return {
        "status": "completed",
        "start_time": "09:00",
        "stop_time": "09:22",
        "volume_ml": str(study().dose.volume_ml),
        "particles": "20000000000",
        "device": "Aerogen Solo",
        "lot": "MSCX-P1-2611",
        "spo2_pre": "94",
        "spo2_post": "93",
    }


def _conmed(t) -> dict:
    return {
        "category": "corticosteroid",
        "drug": "Methylprednisolone",
        "indication": "RP-ILD",
        "dose": "40",
        "unit": "mg",
        "route": "INTRAVENOUS",
        "frequency": "once daily",
        "start_date": _d(t.subject.day1 - timedelta(days=3)),
        "ongoing": "on",
    }


def _vitals(on: date) -> dict:
    return {
        "measured_at": _at(on),
        "temp": "36.8",
        "hr": "84",
        "resp": "18",
        "sysbp": "118",
        "diabp": "74",
        "oxysat": "95",
        "oxygen_support": "NASAL_CANNULA",
        "flow": "3",
    }


def _blood_gas(on: date) -> dict:
    return {
        "sampled_at": _at(on, "07:30"),
        "pressure_unit": "mmHg",
        "pao2": "82",
        "paco2": "38",
        "ph": "7.41",
        "fio2": "0.35",
        "spo2": "93",
        "oxygen_support": "HFNC",
    }


def _adverse_event(t, onset: date, end: date) -> dict:
    return {
        "aeterm": "Cough after nebulization",
        "aestdtc": _d(onset),
        "aeendtc": _d(end),
        "aetoxgr": "1",
        "aerel": "PROBABLY RELATED",
        "expected": "on",
        "aeacn": "DOSE NOT CHANGED",
        "aeout": "RECOVERED/RESOLVED",
    }


def _pft(on: date) -> dict:
    return {
        "done": "True",
        "performed_on": _d(on),
        "fvc_litres": "2.10",
        "fvc_percent_predicted": "65.0",
        "dlco_percent_predicted": "40.0",
        "reference_equation": "GLI",
    }


def _labs(on: date) -> dict:
    values = {"sampled_on": _d(on)}
    for test in study().labs:
        low, high = test.reference
        values |= {
            f"{test.code}_unit": test.unit,
            f"{test.code}_low": "" if low is None else str(low),
            f"{test.code}_high": "" if high is None else str(high),
        }
    return values | {"FERRITIN_value": "800", "CRP_value": "12.5", "LDH_value": "310"}


def _safety_labs(on: date) -> dict:
    values = {"specimen_at": _at(on, "07:00")}
    for test in study().safety_labs:
        values |= {f"{test.code}_unit": test.unit, f"{test.code}_low": "", f"{test.code}_high": ""}
    return values | {
        "HGB_value": "128",
        "HGB_low": "115",
        "HGB_high": "150",
        "ALT_value": "240",
        "ALT_high": "40",
        "CREAT_value": "1.1",
        "CREAT_unit": "mg/dL",
        "CREAT_low": "0.5",
        "CREAT_high": "0.95",
    }


def _hrct(on: date) -> dict:
    zones = range(1, len(study().hrct_zones) + 1)
    return {
        "done": "True",
        "scanned_on": _d(on),
        "reader": "Dr Li",
        **{f"ggo_{n}": "2" for n in zones},
        **{f"fib_{n}": "1" for n in zones},
    }


def _follow_up(on: date) -> dict:
    return {
        "assessed_on": _d(on),
        "vital_status": "alive",
        "home_oxygen": "on",
        "immunosuppression": "prednisone 20 mg/day",
    }


def _demographics(t) -> dict:
    return {
        "ethnic": "NOT HISPANIC OR LATINO",
        "height": "168.0",
        "weight": "61.5",
        "suncf": "NEVER",
    }


def _medical_history(t) -> dict:
    return {"condition": "TUBERCULOSIS", "mhstdtc": "2015-03", "mhendtc": "2015-11"}


def _disease_history(screening) -> dict:
    return {
        "dm_diagnosed_on": _d(screening.screening_date - timedelta(days=90)),
        "ild_diagnosed_on": _d(screening.screening_date - timedelta(days=40)),
        "gottron": "Y",
        "heliotrope": "Y",
        "mechanics_hands": "N",
        "skin_ulcers": "U",
        "muscle_weakness": "N",
        "ck_at_diagnosis": "312.0",
        "ck_unit": "U/L",
    }


def _prior_treatment(t) -> dict:
    return _conmed(t) | {
        "category": "ivig",
        "drug": "Human immunoglobulin",
        "dose": "20",
        "unit": "g",
        "frequency": "once daily for 5 days",
        "start_date": _d(t.subject.day1 - timedelta(days=30)),
        "stop_date": _d(t.subject.day1 - timedelta(days=26)),
        "ongoing": "",
    }


def _screening_page(name: str, attr: str = "screening"):
    return lambda t: reverse(f"enrollment:{name}", args=[getattr(t, attr).pk])


def _visit_page(name: str, code: str, attr: str):
    return lambda t: reverse(f"efficacy:{name}", args=[getattr(t, attr).pk, code])


def _latest(model, **filters):
    return model.objects.filter(**filters).latest("pk").pk


CRFS: dict[str, Crf] = {
    "screening": Crf(
        lambda t: reverse("enrollment:screening_create"),
        "coordinator",
        lambda t: {"site": str(t.site.pk), **_screening_values(t.screening), "initials": "NEW"},
        # a screening with its checklist and consent: a correction re-decides eligibility
        edit=lambda t: (
            reverse("enrollment:screening_edit", args=[t.eligible.pk]),
            _screening_values(t.eligible),
        ),
    ),
    "checklist": Crf(
        lambda t: reverse("enrollment:checklist_edit", args=[t.screening.pk]),
        "coordinator",
        lambda t: _checklist(t.screening),
        edit=lambda t: (
            reverse("enrollment:checklist_edit", args=[t.eligible.pk]),
            _checklist(t.eligible),
        ),
    ),
    "consent": Crf(
        lambda t: reverse("enrollment:consent_edit", args=[t.screening.pk]),
        "coordinator",
        lambda t: {
            "version": "2.1",
            "signed_at": _at(t.screening.screening_date, "10:00"),
            "taken_by": str(t.coordinator.pk),
        },
        edit=lambda t: (
            reverse("enrollment:consent_edit", args=[t.eligible.pk]),
            _consent(t, t.eligible),
        ),
    ),
    # the baseline CRFs of screening: new on the open screening, saved on the subject's
    "demographics": Crf(
        _screening_page("demographics_edit"),
        "coordinator",
        _demographics,
        edit=lambda t: (
            _screening_page("demographics_edit", "subject_screening")(t),
            _demographics(t),
        ),
        make=lambda t: (
            _screening_page("demographics_edit", "subject_screening")(t),
            _demographics(t),
        ),
    ),
    "medical_history": Crf(
        _screening_page("medical_history_create"),
        "coordinator",
        _medical_history,
        edit=lambda t: (
            reverse(
                "enrollment:medical_history_edit",
                args=[
                    t.subject_screening.pk,
                    _latest(MedicalHistory, screening=t.subject_screening),
                ],
            ),
            _medical_history(t),
        ),
        make=lambda t: (
            _screening_page("medical_history_create", "subject_screening")(t),
            _medical_history(t),
        ),
    ),
    "disease_history": Crf(
        _screening_page("disease_history_edit"),
        "coordinator",
        lambda t: _disease_history(t.screening),
        edit=lambda t: (
            _screening_page("disease_history_edit", "subject_screening")(t),
            _disease_history(t.subject_screening),
        ),
        make=lambda t: (
            _screening_page("disease_history_edit", "subject_screening")(t),
            _disease_history(t.subject_screening),
        ),
    ),
    "enrol": Crf(
        lambda t: reverse("enrollment:enroll", args=[t.eligible.pk]),
        "investigator",
        lambda t: {
            "enrolled_on": _d(t.eligible.screening_date),
            "first_dose_date": _d(t.today),
            "confirm": "on",
        },
    ),
    "withdraw": Crf(
        lambda t: reverse("enrollment:screening_withdraw", args=[t.screening.pk]),
        "coordinator",
        lambda t: {"withdrawn_on": _d(t.today), "reason": "Moved to another city"},
    ),
    "subject_end": Crf(
        lambda t: reverse("enrollment:subject_end", args=[t.subject.pk]),
        "coordinator",
        lambda t: {
            "status": "withdrawn",
            "on": _d(t.yesterday),
            "reason": "Withdrew consent",
            "decided_by": "the subject",
        },
    ),
    "dose": Crf(
        lambda t: reverse("dosing:dose_edit", args=[t.subject.pk, 5]),
        "coordinator",
        _dose,
        edit=lambda t: (reverse("dosing:dose_edit", args=[t.subject.pk, 4]), _dose(t)),
        make=lambda t: (reverse("dosing:dose_edit", args=[t.subject.pk, 4]), _dose(t)),
    ),
    "conmed": Crf(
        lambda t: reverse("dosing:conmed_create", args=[t.subject.pk]),
        "coordinator",
        _conmed,
        edit=lambda t: (
            reverse(
                "dosing:conmed_edit",
                args=[t.subject.pk, _latest(ConcomitantMedication, subject=t.subject)],
            ),
            _conmed(t),
        ),
        make=lambda t: (reverse("dosing:conmed_create", args=[t.subject.pk]), _conmed(t)),
    ),
    # a prior treatment is saved on the con-med list: its edits are the con-med's page
    "prior_treatment": Crf(
        lambda t: reverse("dosing:prior_treatment_create", args=[t.subject.pk]),
        "coordinator",
        _prior_treatment,
    ),
    "vitals": Crf(
        lambda t: reverse("safety:vitals_create", args=[t.subject.pk]),
        "coordinator",
        lambda t: _vitals(t.yesterday),
        edit=lambda t: (
            reverse(
                "safety:vitals_edit", args=[t.subject.pk, _latest(VitalSigns, subject=t.subject)]
            ),
            _vitals(_on(t.subject, 4)),
        ),
        make=lambda t: (
            reverse("safety:vitals_create", args=[t.subject.pk]),
            _vitals(_on(t.subject, 4)),
        ),
    ),
    "blood_gas": Crf(
        lambda t: reverse("efficacy:blood_gas_create", args=[t.subject.pk]),
        "coordinator",
        lambda t: _blood_gas(t.yesterday),
        edit=lambda t: (
            reverse(
                "efficacy:blood_gas_edit", args=[t.subject.pk, _latest(BloodGas, subject=t.subject)]
            ),
            _blood_gas(_on(t.subject, 4)),
        ),
        make=lambda t: (
            reverse("efficacy:blood_gas_create", args=[t.subject.pk]),
            _blood_gas(_on(t.subject, 4)),
        ),
    ),
    "adverse_event": Crf(
        lambda t: reverse("safety:adverse_event_create", args=[t.subject.pk]),
        "coordinator",
        lambda t: _adverse_event(t, _on(t.subject, 2), _on(t.subject, 3)),
        edit=lambda t: (
            reverse("safety:adverse_event_edit", args=[_latest(AdverseEvent, subject=t.subject)]),
            _adverse_event(t, _on(t.subject, 1), _on(t.subject, 2)),
        ),
        make=lambda t: (
            reverse("safety:adverse_event_create", args=[t.subject.pk]),
            _adverse_event(t, _on(t.subject, 1), _on(t.subject, 2)),
        ),
    ),
    "safety_labs": Crf(
        lambda t: reverse("safety:lab_panel_create", args=[t.subject.pk]),
        "coordinator",
        lambda t: _safety_labs(t.yesterday),
        edit=lambda t: (
            reverse(
                "safety:lab_panel_edit",
                args=[t.subject.pk, _latest(SafetyLabPanel, subject=t.subject)],
            ),
            _safety_labs(_on(t.subject, 4)),
        ),
        make=lambda t: (
            reverse("safety:lab_panel_create", args=[t.subject.pk]),
            _safety_labs(_on(t.subject, 4)),
        ),
    ),
    "adverse_event_follow_up": Crf(
        lambda t: reverse(
            "safety:adverse_event_follow_up", args=[_latest(AdverseEvent, subject=t.subject)]
        ),
        "coordinator",
        lambda t: {
            "assessed_on": _d(t.yesterday),
            "aetoxgr": "2",
            "aeout": "RECOVERED/RESOLVED",
            "aeendtc": _d(t.yesterday),
            "note": "Settled with rest",
        },
    ),
    "visit_date": Crf(
        _visit_page("visit_date_edit", "DAY28", "subject28"),
        "coordinator",
        lambda t: {"visit_date": _d(t.yesterday)},
        edit=lambda t: (
            _visit_page("visit_date_edit", "DAY14", "subject28")(t),
            {"visit_date": _d(_on(t.subject28, 14))},
        ),
        make=lambda t: (
            _visit_page("visit_date_edit", "DAY14", "subject28")(t),
            {"visit_date": _d(_on(t.subject28, 14))},
        ),
    ),
    "pft": Crf(
        _visit_page("pft_edit", "DAY28", "subject28"),
        "coordinator",
        lambda t: _pft(t.yesterday),
        edit=lambda t: (
            _visit_page("pft_edit", "DAY14", "subject28")(t),
            _pft(_on(t.subject28, 14)),
        ),
        make=lambda t: (
            _visit_page("pft_edit", "DAY14", "subject28")(t),
            _pft(_on(t.subject28, 14)),
        ),
    ),
    "labs": Crf(
        _visit_page("lab_panel_edit", "DAY28", "subject28"),
        "coordinator",
        lambda t: _labs(t.yesterday),
        edit=lambda t: (
            _visit_page("lab_panel_edit", "DAY14", "subject28")(t),
            _labs(_on(t.subject28, 14)),
        ),
        make=lambda t: (
            _visit_page("lab_panel_edit", "DAY14", "subject28")(t),
            _labs(_on(t.subject28, 14)),
        ),
    ),
    "hrct": Crf(
        _visit_page("hrct_edit", "DAY28", "subject28"),
        "coordinator",
        lambda t: _hrct(t.yesterday),
        edit=lambda t: (
            _visit_page("hrct_edit", "DAY14", "subject28")(t),
            _hrct(_on(t.subject28, 14)),
        ),
        make=lambda t: (
            _visit_page("hrct_edit", "DAY14", "subject28")(t),
            _hrct(_on(t.subject28, 14)),
        ),
    ),
    "day1_move": Crf(
        lambda t: reverse("enrollment:subject_day1_move", args=[t.planned.pk]),
        "investigator",
        lambda t: {"day1": _d(t.planned.day1 + timedelta(days=2)), "reason": "Nebulizer late"},
    ),
    "visit_missed": Crf(
        lambda t: reverse("enrollment:visit_missed", args=[t.subject90.pk, "DAY14"]),
        "coordinator",
        lambda t: {"reason": "Subject in another hospital"},
    ),
    "deviation_review": Crf(
        lambda t: reverse(
            "enrollment:eligibility_deviation_review",
            args=[t.deviation.screening_id, t.deviation.pk],
        ),
        "investigator",
        lambda t: {"review_note": "Born 1976 per the ID card: eligible after all."},
    ),
    "follow_up_status": Crf(
        _visit_page("follow_up_edit", "MONTH3", "subject90"),
        "coordinator",
        lambda t: _follow_up(t.yesterday),
        edit=lambda t: (
            _visit_page("follow_up_edit", "MONTH3", "subject100")(t),
            _follow_up(t.today - timedelta(days=5)),
        ),
        make=lambda t: (
            _visit_page("follow_up_edit", "MONTH3", "subject100")(t),
            _follow_up(t.today - timedelta(days=5)),
        ),
    ),
    "death": Crf(
        lambda t: reverse("safety:death_record", args=[t.dying.pk]),
        "coordinator",
        lambda t: {
            "died_on": _d(t.today),
            "cause": "Respiratory failure",
            "adverse_event": str(t.fatal_ae.pk),
        },
    ),
}


class CrfFormsTestBase(TestCase):
    """The people, screenings and subjects the forms are filled in for, and a saved record of
    every form that edits (made once per class; each example runs in its own transaction,
    rolled back after it)."""

    @classmethod
    def setUpTestData(cls):
        roles_sync()
        cls.site = SiteFactory(code="01", name="Guangzhou", time_zone="Asia/Shanghai")
        cls.coordinator = user_with_role(
            role=Role.SITE_COORDINATOR, sites=[cls.site], username="coordinator"
        )
        cls.investigator = user_with_role(
            role=Role.INVESTIGATOR, sites=[cls.site], username="investigator"
        )
        cls.today = site_today(cls.site)
        cls.yesterday = cls.today - timedelta(days=1)
        cls.screening = open_screening(
            site=cls.site, user=cls.coordinator, screening_date=cls.today - timedelta(days=2)
        )
        cls.eligible = eligible_screening(
            site=cls.site, user=cls.coordinator, screening_date=cls.yesterday, initials="ELG"
        )

        def subject_on_day(n: int):
            day1 = cls.today - timedelta(days=n - 1)
            return enrolled_subject(
                site=cls.site,
                coordinator=cls.coordinator,
                investigator=cls.investigator,
                day1=day1,
                screening_date=day1 - timedelta(days=2),
            )

        cls.subject, cls.subject28, cls.subject90, cls.subject100 = (
            subject_on_day(n) for n in (6, 28, 90, 100)
        )
        cls.subject_screening = Screening.objects.get(pk=cls.subject.screening_id)
        cls.planned = subject_on_day(0)  # day 1 is tomorrow: no dose yet, it can move
        # a correction of an enrolled subject that fails eligibility: a deviation to review
        corrected = Screening.objects.get(pk=subject_on_day(3).screening_id)
        corrected.date_of_birth = date(1940, 1, 1)
        enrollment_services.screening_update(
            screening=corrected, user=cls.coordinator, reason="Typo in birth year"
        )
        cls.deviation = EligibilityDeviation.objects.get(screening=corrected)
        # a subject whose pneumonia turned fatal today: the death is to be recorded
        cls.dying = subject_on_day(8)
        cls.fatal_ae = adverse_event_record(
            ae=serious_pneumonia(
                cls.dying,
                aetoxgr=5,
                aesdth=True,
                aeout="FATAL",
                ongoing=False,
                aeendtc=cls.today,
            ),
            user=cls.coordinator,
        )
        for name, crf in CRFS.items():
            if crf.make is not None:
                url, data = crf.make(cls)
                response = cls.client_for(crf.role, cls).post(url, data)
                assert response.status_code == 302, (name, response.context["form"].errors)

    @staticmethod
    def client_for(role: str, holder) -> Client:
        return force_login_verified(Client(), getattr(holder, role))

    def client_as(self, role: str) -> Client:
        return self.client_for(role, self)


def _post_checked(client: Client, url: str, payload: dict):
    """POST as a browser does (it follows the redirect of a save); whatever was sent, no page
    is a server error, and a refused save writes nothing."""
    before = snapshot()
    response = client.post(url, payload, follow=True)  # a view's exception fails here
    assert response.status_code == 200, response.status_code
    if not response.redirect_chain:  # refused: the form again, saying what is wrong
        form = response.context["form"]
        assert form.errors, "the form came back without saying what is wrong"
        assert changed_tables(before, snapshot()) == [], "a refused save wrote"
    return response


def _baseline_test(name: str):
    def test(self):
        crf = CRFS[name]
        before = snapshot()
        response = _post_checked(self.client_as(crf.role), crf.url(self), crf.baseline(self))
        form = (response.context or {}).get("form")
        assert response.redirect_chain, form.errors if form else response.status_code
        assert changed_tables(before, snapshot()), "the baseline saved nothing"

    test.__name__ = f"test_{name}_baseline_saves"
    return test


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _unchanged_test(name: str):
    def test(self):
        crf = CRFS[name]
        url, saved = crf.edit(self)
        client = self.client_as(crf.role)
        before = snapshot()
        for reason in ({}, {"reason_for_change": "Checked against the source"}):
            response = _post_checked(client, url, saved | reason)
            form = (response.context or {}).get("form")
            assert response.redirect_chain, form.errors if form else response.status_code
            assert "Nothing changed." in _messages(response), reason
            # no history row, no signature voided, no deviation, no message queued
            assert changed_tables(before, snapshot()) == [], f"saving it unchanged wrote {reason}"

    test.__name__ = f"test_{name}_saved_unchanged_writes_nothing"
    return test


# forms that change the state of a saved record, not make a new one: a second POST is
# refused by the record's own rule (withdrawn already, day 1 moved, visit missed, reviewed)
NOT_A_NEW_RECORD = {
    "withdraw",
    "subject_end",
    "visit_date",
    "day1_move",
    "visit_missed",
    "deviation_review",
    "death",
}
KEY_IN_PAGE = re.compile(rf'name="{SUBMISSION_FIELD}" value="([0-9a-f]{{32}})"')


def _double_submit_test(name: str):
    def test(self):
        crf = CRFS[name]
        client = self.client_as(crf.role)
        url = crf.url(self)
        page = client.get(url)
        key = KEY_IN_PAGE.search(page.content.decode())
        assert key, "the form of a new record carries no one-time key"
        payload = crf.baseline(self) | {SUBMISSION_FIELD: key.group(1)}
        first = client.post(url, payload)
        assert first.status_code == 302, first.context["form"].errors
        before = snapshot()
        second = client.post(url, payload)  # the same form sent again: a double click
        assert (second.status_code, second.url) == (302, first.url)
        assert changed_tables(before, snapshot()) == [], "the second POST wrote"
        landed = client.get(second.url)
        assert landed.status_code == 200
        assert "This form was already saved: here is the saved record." in _messages(landed)

    test.__name__ = f"test_{name}_sent_twice_saves_once_and_lands_on_the_saved_record"
    return test


def _transition_twice_test(name: str):
    def test(self):
        crf = CRFS[name]
        client = self.client_as(crf.role)
        url, payload = crf.url(self), crf.baseline(self)
        assert client.post(url, payload).status_code == 302
        before = snapshot()
        second = client.post(url, payload)  # refused by the record's rule, or nothing changed
        assert second.status_code in (200, 302), second.status_code
        if second.status_code == 200:
            assert second.context["form"].errors, "the form came back without saying why"
        assert changed_tables(before, snapshot()) == [], "the second POST wrote"

    test.__name__ = f"test_{name}_sent_twice_the_second_writes_nothing_and_is_no_error_page"
    return test


def _property_test(name: str):
    @FORM_SETTINGS
    @given(data=st.data())
    def test(self, data):
        self.check(name, data)

    test.__name__ = f"test_{name}_never_a_server_error_and_a_refusal_writes_nothing"
    return test


class CrfFormsProperty(CrfFormsTestBase):
    def form_fields(self, client: Client, url: str) -> dict:
        """The fields of the form as its page builds it (criteria, lab tests and HRCT zones
        come from the study), read once per page."""
        cache = self.__dict__.setdefault("_fields", {})
        if url not in cache:
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            cache[url] = dict(response.context["form"].fields)
        return cache[url]

    def check(self, name: str, data) -> None:
        crf = CRFS[name]
        client = self.client_as(crf.role)
        editing = crf.edit is not None and data.draw(st.booleans(), label="edit a saved one")
        url, base = crf.edit(self) if editing else (crf.url(self), crf.baseline(self))
        fields = self.form_fields(client, url)
        names = sorted(fields)
        changed = data.draw(
            st.one_of(
                # a saved record sent back unchanged is one of the cases
                st.sets(st.sampled_from(names), min_size=0 if editing else 1, max_size=3),
                st.just(frozenset(names)),
            ),
            label="fields changed",
        )
        # a browser always sends the CSRF token: a POST is never empty (the view would take it
        # for a GET and show the blank form)
        payload = {"csrfmiddlewaretoken": "token"} | base
        for field in sorted(changed):
            value = data.draw(field_values(fields[field], base.get(field), self.today), label=field)
            if value is OMIT:
                payload.pop(field, None)
            else:
                payload[field] = value
        _post_checked(client, url, payload)


for _name, _crf in CRFS.items():
    _makes = (_baseline_test, _property_test)
    _makes += (_unchanged_test,) if _crf.edit else ()
    _makes += (_transition_twice_test,) if _name in NOT_A_NEW_RECORD else (_double_submit_test,)
    for _make in _makes:
        _test = _make(_name)
        setattr(CrfFormsProperty, _test.__name__, _test)
