"""Two database roles: the owner migrates; the runtime role (web, worker, beat, tests) may
only read and append to the audit trail, cannot change its tables' shape or triggers, and
TRUNCATE needs the maintenance switch even for the owner. Run as the runtime role, against
PostgreSQL."""

import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction

from tests.conftest import owner_cursor
from trial_edc.audit.grants import restricted_tables
from trial_edc.audit.tracking import audit_event_models

HISTORY = "accounts_siteauditevent"


def _refused(statement: str, match: str, error=ProgrammingError):
    with pytest.raises(error, match=match), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)


def test_tests_run_as_a_runtime_role_that_owns_nothing():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb,"
            " (SELECT count(*) FROM pg_tables WHERE tableowner = current_user)"
            " FROM pg_roles r WHERE r.rolname = current_user"
        )
        assert cursor.fetchone() == (False, False, False, 0)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE accounts_siteauditevent SET name = 'forged'",
        "DELETE FROM accounts_siteauditevent",
        "TRUNCATE accounts_siteauditevent",
    ],
)
def test_runtime_role_cannot_change_history(site, statement):
    _refused(statement, "permission denied")
    assert site.events.get().name == "Guangzhou"


@pytest.mark.parametrize(
    "statement",
    [
        f"ALTER TABLE {HISTORY} DISABLE TRIGGER USER",
        f"ALTER TABLE {HISTORY} ADD COLUMN forged text",
        "ALTER TABLE accounts_site DISABLE TRIGGER ALL",
    ],
)
def test_runtime_role_cannot_alter_tables_or_switch_triggers_off(site, statement):
    _refused(statement, "must be owner")


def test_runtime_role_cannot_create_tables():
    _refused("CREATE TABLE forged (id int)", "permission denied for schema public")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE accounts_accessevent SET detail = 'forged'",
        "DELETE FROM accounts_accessevent",
        "TRUNCATE accounts_accessevent",
        "UPDATE audit_auditchaincheck SET ok = true",
        "DELETE FROM audit_auditchaincheck",
        "DELETE FROM audit_auditchainhead",
    ],
)
def test_runtime_role_cannot_change_access_log_or_verification_runs(statement):
    _refused(statement, "permission denied")


def test_every_history_table_is_append_only_for_the_runtime_role():
    tables = restricted_tables()
    assert {m._meta.db_table for m in audit_event_models()} <= set(tables)
    with connection.cursor() as cursor:
        for table, privileges in tables.items():
            for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE"):
                cursor.execute("SELECT has_table_privilege(%s, %s)", [table, privilege])
                assert cursor.fetchone()[0] == (privilege in privileges), (table, privilege)


def test_chain_head_only_moves_forward(site):
    _refused(
        "UPDATE audit_auditchainhead SET seq = seq - 1",
        "only moves forward",
        IntegrityError,
    )
    _refused(
        "UPDATE audit_auditchainhead SET seq = seq + 5",
        "only moves forward",
        IntegrityError,
    )
    _refused(
        "INSERT INTO audit_auditchainhead (id, seq, hash) VALUES (2, 7, repeat('a', 64))",
        "genesis row only",
        IntegrityError,
    )


@pytest.mark.django_db(transaction=True)
def test_chain_head_refuses_to_move_back_even_for_the_owner(site):
    with owner_cursor() as cursor:
        with pytest.raises(IntegrityError, match="only moves forward"):
            cursor.execute("UPDATE audit_auditchainhead SET seq = seq - 1, hash = repeat('0', 64)")
        with pytest.raises(InternalError, match="Cannot delete"):
            cursor.execute("DELETE FROM audit_auditchainhead")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "table", [HISTORY, "accounts_accessevent", "audit_auditchaincheck", "audit_auditchainhead"]
)
def test_truncate_needs_the_maintenance_switch_even_for_the_owner(site, table):
    with owner_cursor() as cursor:
        with pytest.raises(ProgrammingError, match="maintenance switch"):
            cursor.execute(f"TRUNCATE {table} CASCADE")
        cursor.execute("SET trial_edc.maintenance = 'on'")
        cursor.execute(f"TRUNCATE {table} CASCADE")
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - a table name above
        assert cursor.fetchone()[0] == 0


def test_maintenance_switch_gives_the_runtime_role_nothing(site):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL trial_edc.maintenance = 'on'")
        with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
            cursor.execute(f"TRUNCATE {HISTORY}")
