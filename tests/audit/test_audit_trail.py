"""21 CFR 11.10(e): who, when, old → new and why, append-only and tamper-evident."""

import itertools

import pghistory
import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, InternalError, connection, transaction
from django.urls import reverse

from tests.conftest import owner_cursor
from trial_edc.accounts.models import Site
from trial_edc.audit.chain import audit_chain_seal, audit_chain_verify
from trial_edc.audit.services import ReasonForChangeRequired, audited_save
from trial_edc.audit.tracking import audit_event_models

EDIT = {"code": "01", "time_zone": "Asia/Shanghai", "is_active": "on"}


def _edit(client, site, **data):
    return client.post(reverse("accounts:site_edit", args=[site.pk]), {**EDIT, **data})


def test_edit_without_reason_is_refused_next_to_the_field(data_manager_client, site):
    response = _edit(data_manager_client, site, name="Guangzhou Respiratory", reason_for_change="")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Say why you are changing this record" in errors["reason_for_change"][0]
    site.refresh_from_db()
    assert site.name == "Guangzhou"


def test_blank_reason_of_spaces_is_refused(data_manager_client, site):
    response = _edit(data_manager_client, site, name="Other", reason_for_change="   ")
    assert "reason_for_change" in response.context["form"].errors


def test_first_entry_needs_no_reason(data_manager_client):
    response = data_manager_client.get(reverse("accounts:site_create"))
    assert "reason_for_change" not in response.context["form"].fields


def test_audit_view_shows_old_and_new_value_who_and_why(data_manager_client, data_manager, site):
    response = _edit(
        data_manager_client, site, name="Guangzhou Respiratory", reason_for_change="Full name"
    )
    assert response.status_code == 302
    page = data_manager_client.get(
        reverse("portal:record_audit", args=["accounts", "site", site.pk])
    )
    history = page.context["history"]
    change = history[-1]
    assert change.action == "changed"
    assert change.reason == "Full name"
    assert change.user == data_manager.printed_name
    assert [(c.label, c.old, c.new) for c in change.changes] == [
        ("site name", "Guangzhou", "Guangzhou Respiratory")
    ]
    html = page.content.decode()
    assert '<span class="audit-old">Guangzhou</span>' in html
    assert '<span class="audit-new">Guangzhou Respiratory</span>' in html
    assert "Full name" in html


def test_service_refuses_change_without_reason(site, data_manager):
    site.name = "Changed"
    with pytest.raises(ReasonForChangeRequired):
        audited_save(instance=site, user=data_manager, reason="")


def test_database_refuses_update_that_bypasses_save_without_reason(site):
    with pytest.raises(IntegrityError, match="reason for change"), transaction.atomic():
        Site.objects.filter(pk=site.pk).update(name="bypass")
    site.refresh_from_db()
    assert site.name == "Guangzhou"


def test_bulk_update_with_reason_is_in_the_history(site):
    with pghistory.context(reason="bulk correction"):
        Site.objects.filter(pk=site.pk).update(name="Bulk")
    last = site.events.order_by("pgh_id").last()
    assert (last.pgh_label, last.name, last.pgh_context["reason"]) == (
        "update",
        "Bulk",
        "bulk correction",
    )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE accounts_siteauditevent SET name = 'forged'",
        "DELETE FROM accounts_siteauditevent",
    ],
)
@pytest.mark.django_db(transaction=True)
def test_history_table_refuses_update_and_delete_even_to_its_owner(site, statement):
    # the runtime role has no right to (tests/audit/test_roles.py); the owner meets the trigger
    assert site.events.count() == 1
    with pytest.raises(InternalError, match="Cannot update or delete"), owner_cursor() as cursor:
        cursor.execute(statement)
    assert site.events.get().name == "Guangzhou"


def _tamper(sql: str, *params):
    """What someone with the owner's rights could do: switch the triggers off and edit."""
    with owner_cursor() as cursor:
        cursor.execute("ALTER TABLE accounts_siteauditevent DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE accounts_siteauditevent ENABLE TRIGGER USER")


@pytest.mark.django_db(transaction=True)
class TestHashChain:
    """Tampering is done as the owner, on committed data (transactional tests)."""

    @pytest.fixture
    def three_entries(self, site, data_manager):
        for name, reason in [("Two", "r1"), ("Three", "r2")]:
            site.name = name
            audited_save(instance=site, user=data_manager, reason=reason)
        audit_chain_seal()  # chained by the sealer (every minute): tampering comes after
        return site.events.order_by("pgh_chain_seq")

    def test_each_entry_links_to_the_one_before(self, three_entries):
        # one chain across every history table, in the order entries were written
        entries = sorted(
            (e for model in audit_event_models() for e in model.objects.all()),
            key=lambda e: e.pgh_chain_seq,
        )
        assert [e.pgh_chain_seq for e in entries] == list(range(1, len(entries) + 1))
        assert entries[0].pgh_prev_hash == "0" * 64
        for before, after in itertools.pairwise(entries):
            assert after.pgh_prev_hash == before.pgh_hash
            assert after.pgh_chain_seq == before.pgh_chain_seq + 1
        assert len({e.pgh_hash for e in entries}) == len(entries)
        report = audit_chain_verify()
        assert report.ok
        assert report.entries >= 3

    def test_changed_value_is_reported_at_its_entry(self, three_entries):
        middle = list(three_entries)[-2]
        _tamper("UPDATE accounts_siteauditevent SET name = 'forged' WHERE pgh_id = %s", middle.pk)
        report = audit_chain_verify()
        assert not report.ok
        assert report.broken.seq == middle.pgh_chain_seq
        assert report.broken.table == "accounts_siteauditevent"
        assert "column name differs from the entry as written" in report.broken.problem

    def test_changed_reason_is_detected(self, three_entries):
        last = list(three_entries)[-1]
        _tamper(
            'UPDATE accounts_siteauditevent SET pgh_context = \'{"reason": "nicer"}\''
            " WHERE pgh_id = %s",
            last.pk,
        )
        assert audit_chain_verify().broken.seq == last.pgh_chain_seq

    def test_deleted_entry_is_reported_as_missing(self, three_entries):
        middle = list(three_entries)[-2]
        _tamper("DELETE FROM accounts_siteauditevent WHERE pgh_id = %s", middle.pk)
        report = audit_chain_verify()
        assert report.broken.seq == middle.pgh_chain_seq + 1
        assert f"entry {middle.pgh_chain_seq} is missing" in report.broken.problem

    def test_removed_last_entry_is_caught_by_the_head(self, three_entries):
        last = list(three_entries)[-1]
        _tamper("DELETE FROM accounts_siteauditevent WHERE pgh_id = %s", last.pk)
        report = audit_chain_verify()
        assert not report.ok
        assert "chain head says" in report.broken.problem

    def test_verify_audit_command_reports_first_broken_link(self, three_entries, capsys):
        call_command("verify_audit")
        assert "Audit chain intact" in capsys.readouterr().out
        first = next(iter(three_entries))
        _tamper("UPDATE accounts_siteauditevent SET code = '99' WHERE pgh_id = %s", first.pk)
        with pytest.raises(CommandError, match=f"entry {first.pgh_chain_seq} "):
            call_command("verify_audit")

    def test_digest_does_not_depend_on_the_session_time_zone(self, three_entries):
        with connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'Asia/Shanghai'")
            try:
                assert audit_chain_verify().ok
            finally:
                cursor.execute("SET TIME ZONE 'UTC'")
