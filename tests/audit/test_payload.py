"""The hash covers a payload frozen at write time: a column added to an audited model later
(NULL in old entries) leaves the chain verifiable, and every column is checked against the
payload; verification is anchored on the last verified head; a reason holds for its write."""

import hashlib
import logging

import pghistory
import pghistory.core
import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connections, models, transaction
from django.db.migrations import AddField, Migration
from django.db.migrations.loader import MigrationLoader

from tests.conftest import owner_cursor
from trial_edc.accounts.models import Site
from trial_edc.audit.chain import audit_chain_seal, audit_chain_verify
from trial_edc.audit.migration_ops import PayloadMismatch, payload_backfill
from trial_edc.audit.models import AuditChainCheck
from trial_edc.audit.services import audited_save


def _history(site, data_manager):
    for name, reason in [("Two", "r1"), ("Three", "r2")]:
        site.name = name
        audited_save(instance=site, user=data_manager, reason=reason)
    audit_chain_seal()  # chained by the sealer (every minute), as any reader of the chain does
    return list(site.events.order_by("pgh_chain_seq"))


def test_hash_is_sha256_of_table_and_stored_payload(site, data_manager):
    for entry in _history(site, data_manager):
        digest = hashlib.sha256(f"accounts_siteauditevent|{entry.pgh_payload}".encode())
        assert digest.hexdigest() == entry.pgh_hash
        assert f'"pgh_chain_seq": {entry.pgh_chain_seq}' in entry.pgh_payload
        assert "pgh_hash" not in entry.pgh_payload


def test_history_fields_are_nullable_without_default():
    field = models.CharField("colour", max_length=20, default="blue")
    field.set_attributes_from_name("colour")
    _, _, kwargs = pghistory.core._get_field_construction(field)
    assert kwargs["null"] is True
    assert "default" not in kwargs
    assert "db_default" not in kwargs


def _event_field(field):
    """The history column pghistory makes of a tracked field (PGHISTORY_FIELD)."""
    cls, args, kwargs = pghistory.core._get_field_construction(field)
    return cls(*args, **kwargs)


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_field_added_with_a_default_leaves_old_entries_null_and_the_chain_intact(
    site, data_manager, capsys
):
    old = _history(site, data_manager)
    colour = models.CharField(max_length=20, default="blue")
    migration = Migration("0999_site_colour", "accounts")
    migration.operations = [
        AddField("site", "colour", colour),
        AddField("siteauditevent", "colour", _event_field(colour)),
    ]
    owner = connections["owner"]
    state = MigrationLoader(owner).project_state()
    with owner.schema_editor() as editor:
        migration.apply(state, editor)
    try:
        with owner.cursor() as cursor:
            cursor.execute("SELECT DISTINCT colour FROM accounts_site")
            assert cursor.fetchall() == [("blue",)]  # the model's rows got the default
            cursor.execute(
                "SELECT pgh_id, colour FROM accounts_siteauditevent WHERE pgh_id = ANY(%s)",
                [[e.pk for e in old]],
            )
            assert {colour for _, colour in cursor.fetchall()} == {None}  # history did not
        call_command("verify_audit")
        assert "Audit chain intact" in capsys.readouterr().out
        # a change after the migration joins the chain
        with pghistory.context(reason="renamed"):
            Site.objects.filter(pk=site.pk).update(name="Four")
        assert audit_chain_verify().ok
        # an old entry given a value for the new column is caught
        with owner_cursor() as cursor:
            cursor.execute("ALTER TABLE accounts_siteauditevent DISABLE TRIGGER USER")
            cursor.execute(
                "UPDATE accounts_siteauditevent SET colour = 'red' WHERE pgh_id = %s", [old[1].pk]
            )
            cursor.execute("ALTER TABLE accounts_siteauditevent ENABLE TRIGGER USER")
        report = audit_chain_verify()
        assert report.broken.seq == old[1].pgh_chain_seq
        assert "column colour differs from the entry as written" in report.broken.problem
    finally:
        with owner.cursor() as cursor:
            cursor.execute("ALTER TABLE accounts_siteauditevent DROP COLUMN colour")
            cursor.execute("ALTER TABLE accounts_site DROP COLUMN colour")


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_entries_written_before_payloads_are_filled_and_verify(site, data_manager):
    _history(site, data_manager)
    with owner_cursor() as cursor:  # as entries were before the payload column existed
        cursor.execute("ALTER TABLE accounts_siteauditevent DISABLE TRIGGER USER")
        cursor.execute("UPDATE accounts_siteauditevent SET pgh_payload = ''")
        cursor.execute("ALTER TABLE accounts_siteauditevent ENABLE TRIGGER USER")
    assert not audit_chain_verify().ok
    with connections["owner"].schema_editor() as editor:
        payload_backfill("accounts").code(apps, editor)
    assert audit_chain_verify().ok


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_backfill_refuses_an_entry_that_no_longer_hashes(site, data_manager):
    entries = _history(site, data_manager)
    with owner_cursor() as cursor:
        cursor.execute("ALTER TABLE accounts_siteauditevent DISABLE TRIGGER USER")
        cursor.execute("UPDATE accounts_siteauditevent SET pgh_payload = ''")
        cursor.execute(
            "UPDATE accounts_siteauditevent SET name = 'forged' WHERE pgh_id = %s",
            [entries[1].pk],
        )
        cursor.execute("ALTER TABLE accounts_siteauditevent ENABLE TRIGGER USER")
    with (
        pytest.raises(PayloadMismatch, match=f"pgh_id={entries[1].pk}"),
        connections["owner"].schema_editor() as editor,
    ):
        payload_backfill("accounts").code(apps, editor)


def test_changed_payload_is_detected(site, data_manager):
    entries = _history(site, data_manager)
    report = audit_chain_verify(anchor=(entries[1].pgh_chain_seq, "f" * 64))
    assert report.broken.seq == entries[1].pgh_chain_seq
    assert "hash differs from the one recorded" in report.broken.problem


# --- the nightly check anchors the head ----------------------------------------------------


def test_check_records_and_logs_the_verified_head(site, data_manager, caplog, capsys):
    entries = _history(site, data_manager)
    last = max(entries, key=lambda e: e.pgh_chain_seq)
    with caplog.at_level(logging.INFO, logger="trial_edc.audit.chain"):
        call_command("verify_audit")
    check = AuditChainCheck.objects.latest()
    assert (check.head_seq, check.head_hash) == (last.pgh_chain_seq, last.pgh_hash)
    assert f"seq={last.pgh_chain_seq} hash={last.pgh_hash}" in caplog.text
    assert f"Head: seq {last.pgh_chain_seq}, hash {last.pgh_hash}" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_chain_shorter_than_the_last_verified_is_refused(site, data_manager):
    entries = _history(site, data_manager)
    call_command("verify_audit")
    last = max(entries, key=lambda e: e.pgh_chain_seq)
    # someone with the owner's rights removes the last entry and winds the head back
    with owner_cursor() as cursor:
        cursor.execute("ALTER TABLE accounts_siteauditevent DISABLE TRIGGER USER")
        cursor.execute("DELETE FROM accounts_siteauditevent WHERE pgh_id = %s", [last.pk])
        cursor.execute("ALTER TABLE accounts_siteauditevent ENABLE TRIGGER USER")
        cursor.execute("ALTER TABLE audit_auditchainhead DISABLE TRIGGER USER")
        cursor.execute(
            "UPDATE audit_auditchainhead SET seq = %s, hash = %s",
            [last.pgh_chain_seq - 1, last.pgh_prev_hash],
        )
        cursor.execute("ALTER TABLE audit_auditchainhead ENABLE TRIGGER USER")
    assert audit_chain_verify().ok  # consistent on its own...
    with pytest.raises(CommandError, match="were verified before"):
        call_command("verify_audit")  # ...but shorter than what was verified last night


# --- a reason holds for its own write ------------------------------------------------------


def test_reason_does_not_carry_over_to_later_writes_of_the_request(site, other_site, data_manager):
    with pghistory.context(url="/sites/edit/"):  # the request's context (HistoryMiddleware)
        site.name = "Guangzhou Respiratory"
        audited_save(instance=site, user=data_manager, reason="full name")
        with pytest.raises(IntegrityError, match="reason for change"), transaction.atomic():
            Site.objects.filter(pk=other_site.pk).update(name="no reason given")
    change = site.events.order_by("pgh_id").last()
    assert change.pgh_context["reason"] == "full name"
    assert change.pgh_context["url"] == "/sites/edit/"
    other_site.refresh_from_db()
    assert other_site.name == "Elsewhere"
