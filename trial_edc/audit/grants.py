"""What the runtime database role may do, granted by the owner after every migrate.

The runtime role (DATABASE_URL's user) reads and writes ordinary tables and uses their
sequences, but on the audit trail's tables it may only read and append: every history
(event) table, the access log and the verification runs get SELECT and INSERT; the chain
head SELECT, INSERT and UPDATE, yet its triggers refuse any row but the genesis row and any
move not made by the owner role (the sealer, `audit_chain_seal`, SECURITY DEFINER) or not
forward. It owns nothing and cannot create in schema public, so it cannot ALTER a table
or switch a trigger off. TRUNCATE of the append-only tables is refused by a trigger even for
the owner, unless the maintenance switch is on (trial_edc.audit.sql.MAINTENANCE_SETTING).
"""

import logging
from contextlib import contextmanager

from django.conf import settings
from django.db import connections
from psycopg2 import sql

from trial_edc.audit.sql import MAINTENANCE_SETTING

logger = logging.getLogger(__name__)

APPEND_ONLY = ("SELECT", "INSERT")
CHAIN_HEAD = ("SELECT", "INSERT", "UPDATE")


def owner_database() -> str:
    """The alias that migrates and flushes: "owner" when DATABASE_OWNER_URL is set."""
    alias = getattr(settings, "OWNER_DATABASE", "owner")
    return alias if alias in settings.DATABASES else "default"


def runtime_role() -> str:
    """The runtime role: the user of DATABASE_URL (the "default" connection)."""
    return settings.DATABASES["default"].get("USER") or ""


def restricted_tables() -> dict[str, tuple[str, ...]]:
    """Table → the only privileges the runtime role has on it."""
    from django.apps import apps

    from trial_edc.audit.models import AuditChainCheck, AuditChainHead
    from trial_edc.audit.tracking import audit_event_models

    tables = {m._meta.db_table: APPEND_ONLY for m in audit_event_models()}
    tables[apps.get_model("accounts", "AccessEvent")._meta.db_table] = APPEND_ONLY
    tables[AuditChainCheck._meta.db_table] = APPEND_ONLY
    tables[AuditChainHead._meta.db_table] = CHAIN_HEAD
    return tables


def grants_apply(*, using: str) -> bool:
    """Grant the runtime role its rights on every table of the database (as the owner).
    False if there is no separate runtime role (DATABASE_URL's role does everything)."""
    role = runtime_role()
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT current_user")
        if not role or cursor.fetchone()[0] == role:
            return False
        who = sql.Identifier(role)
        statements = [
            sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC"),
            sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(who),
            sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {}").format(who),
            sql.SQL(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}"
            ).format(who),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(who),
        ]
        for table, privileges in restricted_tables().items():
            statements.append(
                sql.SQL("REVOKE ALL ON {} FROM {}").format(sql.Identifier(table), who)
            )
            statements.append(
                sql.SQL("GRANT " + ", ".join(privileges) + " ON {} TO {}").format(
                    sql.Identifier(table), who
                )
            )
        raw = cursor.connection
        for statement in statements:
            cursor.execute(statement.as_string(raw))
    logger.info("database grants applied for the runtime role %s", role)
    return True


def grants_after_migrate(app_config, using: str = "default", **kwargs) -> None:
    from django.apps import apps

    # once per migrate, after the last app's post_migrate; only the owner creates and grants
    last = [a for a in apps.get_app_configs() if a.models_module][-1]
    if app_config is last and using == owner_database():
        from pghistory.models import Context

        Context.install_pgh_attach_context_func(using=using)
        unsealed_indexes_ensure(using=using)
        grants_apply(using=using)


def unsealed_indexes_ensure(*, using: str) -> None:
    """A small partial index per history table on its entries not sealed yet, so that the
    sealer finds them without reading the whole trail (kept out of the models: an index on
    an implementation detail of audit.sql, made for every history table, new ones too)."""
    from trial_edc.audit.tracking import audit_event_models

    with connections[using].cursor() as cursor:
        raw = cursor.connection
        for model in audit_event_models():
            table = model._meta.db_table
            cursor.execute(
                sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} (pgh_chain_seq) WHERE pgh_hash = ''")
                .format(sql.Identifier(f"{table[:50]}_unsealed"), sql.Identifier(table))
                .as_string(raw)
            )


def owner_connection_private(database_name: str):
    """A new connection as the owner to `database_name`, not registered under any alias: a
    test case allows queries only on the aliases it names, yet the owner flushes after a
    transactional test. Close it when done."""
    from django.db.utils import load_backend

    settings_dict = {**connections.settings[owner_database()], "NAME": database_name}
    backend = load_backend(settings_dict["ENGINE"])
    return backend.DatabaseWrapper(settings_dict, alias="__owner_private__")


@contextmanager
def maintenance(connection):
    """The maintenance switch on `connection` (the owner's): TRUNCATE of the append-only
    tables is allowed while it is on."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET {MAINTENANCE_SETTING} = 'on'")
    try:
        yield connection
    finally:
        if connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"RESET {MAINTENANCE_SETTING}")
