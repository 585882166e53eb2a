"""The write paths of issue 14 through the form: for every CRF page that edits a saved record,
a value the monitor verified against source and then changed through the page is marked
"changed since verified"; and a change of a frozen, then locked, record through the page is
refused with a message on the form (no server error), the record as it was.

`update()` and raw SQL are tested for every CRF in test_sdv_write_paths.py and
test_locks_write_paths.py; the CRF pages, their saved records and the valid POST of each are
the ones of tests/test_forms_property.py (`CRFS`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from datamanagement.locks.services import change_lock
from datamanagement.models import SourceVerification
from datamanagement.models.locks import Level
from datamanagement.places import subject_and_visit_of
from datamanagement.sdv import selectors as sdv_selectors
from datamanagement.sdv import services as sdv_services
from datamanagement.sdv.items import crf_info
from efficacy.models import LabResult
from enrollment.models import Subject
from safety.models import SafetyLabResult
from tests.factories import user_with_role
from tests.test_forms_property import (
    CRFS,
    CrfFormsTestBase,
    changed_tables,
    snapshot,
)
from trial_edc.accounts.roles import Role
from trial_edc.core.locks import record_locked_message

REASON = {"reason_for_change": "Corrected against the source document"}


@dataclass(frozen=True)
class Change:
    """A valid change of one verifiable value of the saved record: the POST fields that
    change it, the item (model field) it changes, and the record that holds that item (the
    form's own record unless said)."""

    post: Callable  # t -> {form field: new raw value}
    item: str
    record: Callable = lambda instance: instance


def _day(subject, n: int) -> str:
    return (subject.day1 + timedelta(days=n - 1)).isoformat()


CHANGES: dict[str, Change] = {
    "screening": Change(lambda t: {"initials": "ELH"}, "initials"),
    "checklist": Change(
        lambda t: {"anti_mda5_method": "Line immunoblot (Euroimmun), repeated"},
        "anti_mda5_method",
    ),
    "consent": Change(lambda t: {"version": "2.2"}, "version"),
    "demographics": Change(lambda t: {"weight": "60.5"}, "weight"),
    "medical_history": Change(lambda t: {"mhstdtc": "2015-04"}, "mhstdtc"),
    "disease_history": Change(lambda t: {"ck_at_diagnosis": "320.0"}, "ck_at_diagnosis"),
    "dose": Change(lambda t: {"spo2_post": "92"}, "spo2_post"),
    "conmed": Change(lambda t: {"indication": "RP-ILD, flare"}, "indication"),
    "vitals": Change(lambda t: {"hr": "85"}, "hr"),
    "blood_gas": Change(lambda t: {"pao2": "83"}, "pao2"),
    "adverse_event": Change(lambda t: {"aeterm": "Cough after nebulisation"}, "aeterm"),
    "visit_date": Change(lambda t: {"visit_date": _day(t.subject28, 15)}, "visit_date"),
    "pft": Change(lambda t: {"fvc_litres": "2.20"}, "fvc_litres"),
    # the panel's form writes one result row per test: the ferritin row is the record
    "labs": Change(
        lambda t: {"FERRITIN_value": "801"},
        "value",
        record=lambda panel: LabResult.objects.get(panel=panel, test_code="FERRITIN"),
    ),
    "hrct": Change(lambda t: {"reader": "Dr Lin"}, "reader"),
    # the safety laboratory panel: the ALT row is the record (its ULN corrected)
    "safety_labs": Change(
        lambda t: {"ALT_high": "45"},
        "uln",
        record=lambda panel: SafetyLabResult.objects.get(panel=panel, test_code="ALT"),
    ),
    "follow_up_status": Change(
        lambda t: {"immunosuppression": "prednisone 15 mg/day"}, "immunosuppression"
    ),
}


class WritePathsThroughForms(CrfFormsTestBase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.monitor = user_with_role(role=Role.MONITOR, sites=[cls.site], username="monitor")
        cls.data_manager = user_with_role(
            role=Role.DATA_MANAGER, sites=[cls.site], username="datamanager"
        )

    def saved_record(self, client, url):
        """The record behind the edit page: the form's instance."""
        page = client.get(url)
        assert page.status_code == 200, page.status_code
        instance = page.context["form"].instance
        assert instance.pk is not None, "the edit page shows no saved record"
        return instance

    def verify(self, record) -> None:
        sdv_services.record_verify(
            user=self.monitor, record=record, seen_seq=sdv_selectors.latest_seq(record)
        )

    def verification(self, record, item: str) -> SourceVerification:
        return SourceVerification.objects.get(
            record_table=type(record)._meta.db_table, record_id=record.pk, field=item
        )

    def freeze_or_lock(self, record, action: str) -> None:
        """The subject of the record, or the record itself before there is a subject (a
        screening-time form)."""
        subject_id, _visit_id = subject_and_visit_of(record)
        if subject_id is not None:
            target = {"level": Level.SUBJECT, "subject": Subject.objects.get(pk=subject_id)}
        else:
            target = {"level": Level.RECORD, "record": record}
        change_lock(user=self.data_manager, action=action, **target)

    def check(self, name: str) -> None:
        crf, change = CRFS[name], CHANGES[name]
        url, saved = crf.edit(self)
        client = self.client_as(crf.role)
        instance = self.saved_record(client, url)
        record = change.record(instance)
        assert crf_info(type(record)) is not None, f"{type(record)} is not a verifiable CRF"
        assert change.item in crf_info(type(record)).items, change.item

        # 1. verified, then changed through the page: the changed item goes stale
        if record is not instance:
            self.verify(instance)
        self.verify(record)
        item = self.verification(record, change.item)
        assert item.changed_at is None
        old = getattr(record, change.item)
        post = change.post(self)
        assert any(saved.get(k) != v for k, v in post.items()), "the change changes nothing"
        response = client.post(url, saved | post | REASON)
        form = (response.context or {}).get("form")
        assert response.status_code == 302, form.errors if form else response.status_code
        record.refresh_from_db()
        new = getattr(record, change.item)
        assert new != old, "the page saved, but the value did not change"
        item.refresh_from_db()
        assert item.changed_at is not None, "a verified value changed through the page is not stale"
        assert item.change_operation == "UPDATE", item.change_operation

        # 2. frozen, then locked: the page refuses the change, says why, writes nothing
        for action in ("freeze", "lock"):
            self.freeze_or_lock(record, action)
            before = snapshot()
            response = client.post(url, saved | REASON)  # back to the saved values: a change
            assert response.status_code == 200, (action, response.status_code)
            form = response.context["form"]
            assert record_locked_message() in form.non_field_errors(), (action, form.errors)
            assert "frozen or locked" in response.content.decode()
            assert changed_tables(before, snapshot()) == [], f"a {action} page wrote"
            record.refresh_from_db()
            assert getattr(record, change.item) == new, action


def _test(name: str):
    def test(self):
        self.check(name)

    test.__name__ = f"test_{name}_page_makes_a_verified_value_stale_and_refuses_frozen_or_locked"
    return test


EDITABLE = sorted(name for name, crf in CRFS.items() if crf.edit is not None)

for _name in EDITABLE:
    setattr(WritePathsThroughForms, _test(_name).__name__, _test(_name))


def test_every_crf_page_that_edits_is_covered():
    """A new CRF page that edits a saved record joins `CHANGES`."""
    assert set(EDITABLE) == set(CHANGES)
