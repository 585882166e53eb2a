"""The chain is sealed after the write, in order, by one sealer at a time: writers never wait
on each other for it (issue 18, point 4)."""

import threading

import psycopg2
import pytest
from django.db import connection

from tests.conftest import owner_cursor
from trial_edc.accounts.models import Site
from trial_edc.audit.chain import audit_chain_seal, audit_chain_verify


def _runtime_connection():
    s = connection.settings_dict
    raw = psycopg2.connect(
        dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"], host=s["HOST"], port=s["PORT"]
    )
    return raw


def _insert_site(cursor, code):
    cursor.execute(
        "INSERT INTO accounts_site (code, name, time_zone, is_active, language)"
        " VALUES (%s, %s, 'UTC', true, 'en')",
        [code, f"Site {code}"],
    )


@pytest.mark.django_db(transaction=True)
def test_a_break_in_a_sealed_entry_is_found():
    Site.objects.create(code="71", name="One", time_zone="UTC")
    Site.objects.create(code="72", name="Two", time_zone="UTC")
    audit_chain_seal()
    assert audit_chain_verify().ok
    with owner_cursor() as cursor:
        cursor.execute("ALTER TABLE accounts_siteauditevent DISABLE TRIGGER USER")
        cursor.execute("UPDATE accounts_siteauditevent SET name = 'forged' WHERE code = '71'")
        cursor.execute("ALTER TABLE accounts_siteauditevent ENABLE TRIGGER USER")
    report = audit_chain_verify()
    assert not report.ok
    assert "column name differs from the entry as written" in report.broken.problem


@pytest.mark.django_db(transaction=True)
def test_an_unsealed_tail_is_reported_as_such():
    Site.objects.create(code="73", name="Sealed", time_zone="UTC")
    audit_chain_seal()
    Site.objects.create(code="74", name="Not yet", time_zone="UTC")
    report = audit_chain_verify()
    assert report.ok
    assert (report.entries, report.unsealed) == (1, 1)
    assert report.unsealed_since is not None
    audit_chain_seal()
    report = audit_chain_verify()
    assert (report.ok, report.entries, report.unsealed) == (True, 2, 0)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sealers_seal_the_tail_exactly_once():
    for i in range(20):
        Site.objects.create(code=f"8{i:02d}", name=f"Site {i}", time_zone="UTC")
    sealed = []

    def seal():
        raw = _runtime_connection()
        try:
            with raw, raw.cursor() as cursor:
                cursor.execute("SELECT audit_chain_seal()")
                sealed.append(cursor.fetchone()[0])
        finally:
            raw.close()

    threads = [threading.Thread(target=seal) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(sealed) == [0, 20]
    report = audit_chain_verify()
    assert (report.ok, report.entries, report.unsealed) == (True, 20, 0)


@pytest.mark.django_db(transaction=True)
def test_audited_writes_from_two_connections_do_not_wait_on_each_other():
    first, second = _runtime_connection(), _runtime_connection()
    try:
        with first.cursor() as a, second.cursor() as b:
            _insert_site(a, "91")  # first's transaction stays open
            b.execute("SET statement_timeout = '2s'")
            _insert_site(b, "92")  # would time out behind a lock on the chain head
            second.commit()
            first.commit()
    finally:
        first.close()
        second.close()
    audit_chain_seal()
    report = audit_chain_verify()
    assert (report.ok, report.entries, report.unsealed) == (True, 2, 0)


def test_home_page_reports_the_unsealed_tail(data_manager_client):
    from django.urls import reverse
    from django.utils import timezone

    from trial_edc.audit.models import AuditChainCheck

    AuditChainCheck.objects.create(
        entries=5,
        ok=True,
        head_seq=5,
        head_hash="a" * 64,
        unsealed=3,
        unsealed_since=timezone.now(),
    )
    page = data_manager_client.get(reverse("portal:home"))
    html = page.content.decode()
    assert "Hash chain intact: 5 entries verified" in html
    assert "3 entries written since" in html
    assert "were not sealed into the chain yet" in html


@pytest.mark.django_db(transaction=True)
def test_an_entry_still_being_written_is_not_skipped_but_sealed_in_its_place():
    first = _runtime_connection()
    try:
        with first.cursor() as a:
            _insert_site(a, "93")  # takes its number first, commits last
            Site.objects.create(code="94", name="Later number, committed", time_zone="UTC")
            with connection.cursor() as cursor:
                cursor.execute("SELECT audit_chain_seal(100)")  # waits 0.1 s, then stops
                assert cursor.fetchone()[0] == 0
            first.commit()
    finally:
        first.close()
    assert audit_chain_seal() == 2
    report = audit_chain_verify()
    assert (report.ok, report.entries, report.unsealed) == (True, 2, 0)
    codes = [e.code for e in Site.events.field.model.objects.order_by("pgh_chain_seq")]
    assert codes == ["93", "94"]


@pytest.mark.django_db(transaction=True)
def test_a_number_left_by_a_rolled_back_write_is_no_gap():
    first = _runtime_connection()
    try:
        with first.cursor() as a:
            _insert_site(a, "95")
        first.rollback()
    finally:
        first.close()
    Site.objects.create(code="96", name="After the rollback", time_zone="UTC")
    assert audit_chain_seal() == 1
    report = audit_chain_verify()
    assert (report.ok, report.entries, report.unsealed) == (True, 1, 0)
