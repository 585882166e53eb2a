"""Migration helpers of the audit trail (used by the apps' migrations, so kept stable)."""

from django.db import migrations
from psycopg2 import sql


class PayloadMismatch(RuntimeError):
    """An existing entry's row no longer hashes to its stored hash: its payload cannot be
    reconstructed from its columns, so the migration refuses to go on."""


def payload_backfill(app_label: str) -> migrations.RunPython:
    """Fill pgh_payload of this app's history entries written before payloads were stored.

    Such an entry hashed its row as JSON (minus pgh_hash) with its seq and prev-hash, and the
    history tables have not changed shape since, so that JSON text is exactly the payload it
    hashed: each digest is checked against the stored hash first (refusing to migrate if one
    differs), then written with the tables' append-only triggers off (as the owner).
    """

    def forwards(apps, schema_editor):
        connection = schema_editor.connection
        tables = [
            model._meta.db_table
            for model in apps.get_app_config(app_label).get_models()
            if {"pgh_payload", "pgh_hash", "pgh_chain_seq"}
            <= {f.name for f in model._meta.get_fields()}
        ]
        with connection.cursor() as cursor:
            raw = cursor.connection
            for table in tables:
                name = sql.Identifier(table)
                cursor.execute(
                    sql.SQL(
                        "SELECT pgh_id, pgh_chain_seq FROM {} t WHERE pgh_payload = ''"
                        " AND audit_digest_text({}, audit_payload_text(audit_row_json(t)))"
                        " IS DISTINCT FROM pgh_hash ORDER BY pgh_chain_seq LIMIT 1"
                    )
                    .format(name, sql.Literal(table))
                    .as_string(raw)
                )
                bad = cursor.fetchone()
                if bad:
                    raise PayloadMismatch(
                        f"{table} pgh_id={bad[0]} (chain entry {bad[1]}) does not hash to its"
                        " stored pgh_hash: the audit trail was changed or the table's shape"
                        " changed since it was written. Investigate (verify_audit) before"
                        " migrating."
                    )
                for statement in [
                    "ALTER TABLE {} DISABLE TRIGGER USER",
                    "UPDATE {} t SET pgh_payload = audit_payload_text(audit_row_json(t))"
                    " WHERE pgh_payload = ''",
                    "ALTER TABLE {} ENABLE TRIGGER USER",
                ]:
                    cursor.execute(sql.SQL(statement).format(name).as_string(raw))

    return migrations.RunPython(forwards, migrations.RunPython.noop)
