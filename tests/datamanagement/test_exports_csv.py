"""The per-form CSV and its data dictionary (issue 15, point 1): every registered form read
back with the stdlib csv module matches the database, Chinese text included; scoped to the
asker's sites, identifying fields only for the roles that may see them; the data as of a
moment rebuilt from the audit trail; a fixed number of queries whatever the subjects."""

import csv
import io
import json
import time
import zipfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from datamanagement.exports import crf_tables
from datamanagement.exports.csv_export import table_name, write_csv_zip
from datamanagement.exports.kinds import ExportFilters
from datamanagement.exports.runner import export_path, export_run
from datamanagement.exports.services import export_request
from trial_edc.accounts.models import Site, User
from trial_edc.audit.services import audit_context
from trial_edc.core import registry

CHINESE = '患者诉咳嗽加重，"夜间"明显,\r\n伴低热 =1+1 '


@pytest.fixture(autouse=True)
def _export_root(settings, tmp_path):
    settings.EXPORT_ROOT = str(tmp_path / "exports")


@pytest.fixture
def demo(db):
    """The demo trial (every CRF has records), with Chinese free text, commas, quotes, line
    breaks and a leading '=' in some of its text fields."""
    call_command("seed_demo", verbosity=0)
    from dosing.models import ConcomitantMedication
    from safety.models import AdverseEvent

    with audit_context(user=None, reason="test: Chinese free text"):
        AdverseEvent.objects.filter(pk=AdverseEvent.objects.order_by("pk").first().pk).update(
            narrative=CHINESE, aeterm="肺炎"
        )
        ConcomitantMedication.objects.filter(
            pk=ConcomitantMedication.objects.order_by("pk").first().pk
        ).update(drug="甲泼尼龙", indication="=SUM(A1:A9)")
        ae = AdverseEvent.objects.order_by("pk").first()
    # the demo has no AE follow-up: one, with Chinese in its note
    from safety.models import AdverseEventFollowUp
    from safety.services.adverse_events import adverse_event_follow_up

    adverse_event_follow_up(
        follow_up=AdverseEventFollowUp(
            adverse_event=ae,
            assessed_on=ae.aestdtc,
            aetoxgr=ae.aetoxgr,
            aeout=ae.aeout,
            note="随访：症状好转",
        ),
        user=User.objects.get(username="coordinator"),
    )
    return Site.objects.get(code="01")


def _zip(filters: ExportFilters) -> zipfile.ZipFile:
    out = io.BytesIO()
    write_csv_zip(out, filters)
    return zipfile.ZipFile(io.BytesIO(out.getvalue()))


def _read(archive: zipfile.ZipFile, name: str) -> list[dict]:
    raw = archive.read(name)
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark"
    text = raw.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _expected(f, value) -> str:
    """The database value as the CSV must say it, written independently of the exporter."""
    if value is None:
        return ""
    if f.is_relation:
        return str(value)
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, dict | list):
        return value
    return str(value)


def test_every_form_read_back_matches_the_database(demo):
    archive = _zip(ExportFilters(sites=("01", "02"), identifying=True))
    users = dict(User.objects.values_list("pk", "username"))
    checked_forms = 0
    for crf in registry.crf_models:
        rows = _read(archive, table_name(crf))
        records = list(crf.model._base_manager.order_by("pk"))
        assert len(records) >= 1, f"the demo has no {crf.key}: the test would prove nothing"
        assert [int(r["RECORDID"]) for r in rows] == [r.pk for r in records], crf.key
        by_id = {int(r["RECORDID"]): r for r in rows}
        for record in records:
            row = by_id[record.pk]
            assert row["SITEID"] in ("01", "02")
            for f in record._meta.concrete_fields:
                if f.primary_key:
                    continue
                name = crf.cdash.get(f.name) or f.name.upper()
                value = getattr(record, f.attname)
                if f.is_relation and f.related_model is User:
                    assert row[name] == (users[value] if value else ""), (crf.key, name)
                elif isinstance(f, models.DateTimeField):
                    assert row[f"{name}_UTC"] == _expected(f, value), (crf.key, name)
                    if value is not None:
                        local = datetime.fromisoformat(row[f"{name}_SITE"])
                        assert local == value.replace(microsecond=0) and local.utcoffset()
                elif isinstance(f, models.JSONField):
                    assert json.loads(row[name] or "null") == value, (crf.key, name)
                else:
                    assert row[name] == _expected(f, value), (crf.key, name, record.pk)
        checked_forms += 1
    assert checked_forms == len(registry.crf_models)
    # Chinese text, quotes, commas, line breaks and a leading "=" are exactly as stored
    ae = _read(archive, "safety_adverseevent.csv")
    assert CHINESE in [r["NARRATIVE"] for r in ae] and "肺炎" in [r["AETERM"] for r in ae]
    cm = _read(archive, "dosing_concomitantmedication.csv")
    assert {"CMTRT": "甲泼尼龙", "CMINDC": "=SUM(A1:A9)"}.items() <= next(
        r for r in cm if r["CMTRT"] == "甲泼尼龙"
    ).items()
    # RFC 4180: CRLF between records
    assert b'"\r\n' in archive.read("safety_adverseevent.csv") or b"\r\n" in archive.read(
        "safety_adverseevent.csv"
    )


def test_keys_say_site_subject_visit_and_study_day(demo):
    archive = _zip(ExportFilters(sites=("01",)))
    from enrollment.models import Subject
    from safety.models import VitalSigns

    vitals = {int(r["RECORDID"]): r for r in _read(archive, "safety_vitalsigns.csv")}
    v = VitalSigns.objects.select_related("subject").order_by("pk").first()
    assert vitals[v.pk]["SUBJID"] == v.subject.subject_number
    assert vitals[v.pk]["STUDYDAY"] == str(v.study_day)
    labs = _read(archive, "efficacy_labresult.csv")
    assert all(r["VISIT"] and r["SUBJID"] for r in labs)
    subjects = _read(archive, "enrollment_subject.csv")
    assert {r["SUBJID"] for r in subjects} == set(
        Subject.objects.filter(site__code="01").values_list("subject_number", flat=True)
    )
    assert all(r["STUDYDAY"] == "1" for r in subjects)  # a subject's record date is day 1


def test_coded_values_as_codes_or_as_labels(demo):
    codes = _read(_zip(ExportFilters(sites=("01",), identifying=True)), "enrollment_screening.csv")
    labels = _read(
        _zip(ExportFilters(sites=("01",), identifying=True, labels=True)),
        "enrollment_screening.csv",
    )
    assert {r["SEX"] for r in codes} <= {"F", "M"}
    assert {r["SEX"] for r in labels} <= {"Female", "Male"}
    assert {r["CHILDBEARING_POTENTIAL"] for r in codes} <= {"Y", "N"}
    assert {r["CHILDBEARING_POTENTIAL"] for r in labels} <= {"Yes", "No"}


def test_the_data_dictionary_describes_every_column_in_both_languages(demo):
    archive = _zip(ExportFilters(sites=("01",), identifying=True))
    dictionary = _read(archive, "data_dictionary.csv")
    for crf in registry.crf_models:
        header = next(csv.reader(io.StringIO(archive.read(table_name(crf)).decode("utf-8-sig"))))
        described = [r["column"] for r in dictionary if r["form"] == crf.key]
        assert described == header, crf.key
    temp = next(r for r in dictionary if r["form"] == "safety.vitalsigns" and r["column"] == "TEMP")
    assert temp["unit"] == "°C" and temp["type"] == "decimal"
    assert temp["range"].startswith("30..45 °C")
    sex = next(r for r in dictionary if r["column"] == "SEX")
    assert sex["code_list_en"] == "F=Female|M=Male"
    assert sex["label_zh-hans"] and sex["form_label_zh-hans"]
    dob = next(r for r in dictionary if r["column"] == "BRTHDTC")
    assert dob["identifying"] == "Y" and dob["type"] == "date"


def test_identifying_fields_only_for_roles_that_may_see_them(demo):
    monitor = User.objects.get(username="monitor")
    manager = User.objects.get(username="datamanager")
    for user, shown in ((monitor, True), (manager, False)):
        job = export_run(export_request(user=user, kind="csv", dispatch=False).pk)
        archive = zipfile.ZipFile(export_path(job))
        header = _read(archive, "enrollment_screening.csv")[0].keys()
        assert ("INITIALS" in header) is shown and ("BRTHDTC" in header) is shown, user
        dictionary = {r["column"] for r in _read(archive, "data_dictionary.csv")}
        assert ("BRTHDTC" in dictionary) is shown


def test_a_site_01_export_never_holds_site_02_rows(site, other_site, make_user):
    from portal.demo.enrollment import enrolled_subject
    from trial_edc.accounts.roles import Role

    for s in (site, other_site):
        enrolled_subject(
            site=s,
            coordinator=make_user(Role.SITE_COORDINATOR, [s]),
            investigator=make_user(Role.INVESTIGATOR, [s]),
        )
    monitor = make_user(Role.MONITOR, [site])
    job = export_run(export_request(user=monitor, kind="csv", dispatch=False).pk)
    archive = zipfile.ZipFile(export_path(job))
    for crf in registry.crf_models:
        assert {r["SITEID"] for r in _read(archive, table_name(crf))} <= {"01"}, crf.key
    assert {r["SUBJID"][:2] for r in _read(archive, "enrollment_subject.csv")} == {"01"}


def test_filters_by_form_and_subject(demo):
    archive = _zip(ExportFilters(sites=("01",), form="safety.vitalsigns", subject="01-002"))
    assert sorted(archive.namelist()) == [
        "README.txt",
        "data_dictionary.csv",
        "safety_vitalsigns.csv",
        "sites.csv",
    ]
    rows = _read(archive, "safety_vitalsigns.csv")
    assert rows and {r["SUBJID"] for r in rows} == {"01-002"}


def _conmed(subject, **values):
    from dosing.models import ConcomitantMedication

    with audit_context(user=None, reason=""):
        return ConcomitantMedication.objects.create(
            subject=subject,
            category=ConcomitantMedication.Category.values[0],
            indication="皮肌炎",
            dose=Decimal("40"),
            unit="mg",
            route=ConcomitantMedication.Route.values[0],
            frequency="QD",
            start_date=subject.day1,
            **values,
        )


def _moment():
    """A moment between two transactions (the audit trail stamps each entry with the time its
    transaction began)."""
    time.sleep(0.05)
    moment = timezone.now()
    time.sleep(0.05)
    return moment


def _column_values(form: str, name: str, cutoff) -> dict:
    crf = registry.crf_models[form]
    scope = crf_tables.Scope(site_codes=("01",), cutoff=cutoff)
    column = next(c for c in crf_tables.columns(crf, identifying=True) if c.name == name)
    return {
        r.keys["RECORDID"]: crf_tables.cell(column, r, labels=False)
        for r in crf_tables.rows(crf, scope, identifying=True)
    }


@pytest.mark.django_db(transaction=True)
def test_as_of_a_moment_the_records_as_they_stood_then(site, coordinator, investigator):
    from dosing.models import ConcomitantMedication
    from portal.demo.enrollment import enrolled_subject

    subject = enrolled_subject(site=site, coordinator=coordinator, investigator=investigator)
    before_entry = _moment()
    kept = _conmed(subject, drug="甲泼尼龙")
    removed = _conmed(subject, drug="错误录入")
    before_edit = _moment()
    with audit_context(user=None, reason="test: corrected from the source"):
        ConcomitantMedication.objects.filter(pk=kept.pk).update(drug="泼尼松")
    with audit_context(user=None, reason="test: entered twice"):
        ConcomitantMedication.objects.filter(pk=removed.pk).delete()
    form = "dosing.concomitantmedication"
    assert _column_values(form, "CMTRT", None) == {kept.pk: "泼尼松"}
    assert _column_values(form, "CMTRT", before_edit) == {
        kept.pk: "甲泼尼龙",
        removed.pk: "错误录入",
    }
    assert _column_values(form, "CMTRT", before_entry) == {}
    assert _column_values(form, "CMTRT", timezone.now()) == {kept.pk: "泼尼松"}
    # the whole zip as of a day: yesterday (before anything) empty, today the edited value
    today = timezone.now().astimezone(ZoneInfo(site.time_zone)).date()
    empty = _read(
        _zip(ExportFilters(sites=("01",), as_of=today - timedelta(days=1))),
        table_name(registry.crf_models[form]),
    )
    assert empty == []
    rows = _read(
        _zip(ExportFilters(sites=("01",), as_of=today)), "dosing_concomitantmedication.csv"
    )
    assert [(r["RECORDID"], r["CMTRT"], r["SUBJID"]) for r in rows] == [
        (str(kept.pk), "泼尼松", subject.subject_number)
    ]


def test_query_count_does_not_grow_with_subjects(site, make_user):
    from portal.demo.enrollment import enrolled_subject
    from trial_edc.accounts.roles import Role

    coordinator = make_user(Role.SITE_COORDINATOR, [site])
    investigator = make_user(Role.INVESTIGATOR, [site])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            write_csv_zip(io.BytesIO(), ExportFilters(sites=("01",), identifying=True))
        return len(queries)

    enrolled_subject(site=site, coordinator=coordinator, investigator=investigator)
    few = count()
    for _ in range(3):
        enrolled_subject(site=site, coordinator=coordinator, investigator=investigator)
    assert count() == few


def test_as_of_query_count_does_not_grow_with_subjects(site, make_user):
    from portal.demo.enrollment import enrolled_subject
    from trial_edc.accounts.roles import Role

    coordinator = make_user(Role.SITE_COORDINATOR, [site])
    investigator = make_user(Role.INVESTIGATOR, [site])
    today = date.today() + timedelta(days=2)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            write_csv_zip(io.BytesIO(), ExportFilters(sites=("01",), as_of=today))
        return len(queries)

    enrolled_subject(site=site, coordinator=coordinator, investigator=investigator)
    few = count()
    for _ in range(3):
        enrolled_subject(site=site, coordinator=coordinator, investigator=investigator)
    assert count() == few
    assert settings.EXPORT_ROOT
