"""The database triggers of verification and sign-off, on every CRF table of the registry,
created by the owner after every migrate (idempotent: CREATE OR REPLACE, DROP ... IF EXISTS).

- `dm_sdv_changed`: AFTER UPDATE OR DELETE of a CRF row, a verified item whose value differs
  (or whose record is gone) becomes "changed since verified", in the same transaction;
- `dm_casebook_void_<table>`: AFTER INSERT, UPDATE (of anything) or DELETE of a CRF row of a
  subject, the subject's valid casebook signature is voided, with when and why.

Python is not involved: a form, a service, `QuerySet.update()` and raw SQL all fire them."""

from django.db import connections

from datamanagement.models import CasebookSignature, SourceVerification
from datamanagement.sdv.items import crf_infos

SDV_FUNCTION = """
CREATE OR REPLACE FUNCTION dm_sdv_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb := to_jsonb(OLD);
    new_row jsonb := CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) END;
BEGIN
    UPDATE {sdv} v
       SET changed_at = now(), change_operation = TG_OP
     WHERE v.record_table = TG_TABLE_NAME
       AND v.record_id = (old_row->>'id')::bigint
       AND v.changed_at IS NULL
       AND (new_row IS NULL OR (old_row->v.column) IS DISTINCT FROM (new_row->v.column));
    RETURN NULL;
END $$;
"""

VOID_FUNCTION = """
CREATE OR REPLACE FUNCTION dm_casebook_void(subject bigint, tbl text, op text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF subject IS NULL THEN RETURN; END IF;
    UPDATE {signature}
       SET voided_at = now(),
           void_reason = left(format('%s of a record of %s', lower(op), tbl), 200)
     WHERE subject_id = subject AND voided_at IS NULL;
END $$;
"""

TABLE_VOID_FUNCTION = """
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE rec {table}%ROWTYPE;
BEGIN
    IF TG_OP = 'DELETE' THEN rec := OLD; ELSE rec := NEW; END IF;
    PERFORM dm_casebook_void({subject}, TG_TABLE_NAME, TG_OP);
    IF TG_OP = 'UPDATE' THEN
        rec := OLD;  -- a row moved to another subject voids the old subject's casebook too
        PERFORM dm_casebook_void({subject}, TG_TABLE_NAME, TG_OP);
    END IF;
    RETURN NULL;
END $$;
"""


def _select(i: int, column: str, table: str, where: str, key: str) -> str:
    # table and column names come from the models' metadata, never from input
    return f"(SELECT t{i}.{column} FROM {table} t{i} WHERE t{i}.{where} = {key})"  # noqa: S608


def _subject_expression(info) -> str | None:
    """SQL giving the subject id of `rec` (a row of the CRF's table), from the registry's
    path (walks foreign keys; a screening-time form reaches the subject of its screening)."""
    from enrollment.models import Subject

    if info.subject_lookup is None:
        return None
    if info.subject_lookup == "pk":
        return "rec.id"
    model, expr = info.model, None
    hops = info.subject_lookup.split("__")
    for i, name in enumerate(hops):
        field = model._meta.get_field(name)
        if not field.concrete:  # a reverse one-to-one (the subject of a screening)
            target = field.related_model
            key = "rec.id" if expr is None else expr
            expr = _select(i, "id", target._meta.db_table, field.field.column, key)
        elif expr is None:
            expr = f"rec.{field.column}"
        else:
            expr = _select(i, field.column, model._meta.db_table, "id", expr)
        model = field.related_model
    assert model is Subject, info.label
    return expr


def install(*, using: str) -> None:
    """Create or replace the functions and the triggers on every registered CRF table."""
    statements = [
        SDV_FUNCTION.format(sdv=SourceVerification._meta.db_table),
        VOID_FUNCTION.format(signature=CasebookSignature._meta.db_table),
    ]
    for info in crf_infos():
        table = info.table
        statements += [
            f"DROP TRIGGER IF EXISTS dm_sdv_changed ON {table}",
            f"CREATE TRIGGER dm_sdv_changed AFTER UPDATE OR DELETE ON {table}"
            " FOR EACH ROW EXECUTE FUNCTION dm_sdv_changed()",
        ]
        subject = _subject_expression(info)
        if subject is None:
            continue
        function = f"dm_casebook_void_{table}"[:63]
        statements += [
            TABLE_VOID_FUNCTION.format(function=function, table=table, subject=subject),
            f"DROP TRIGGER IF EXISTS dm_casebook_void ON {table}",
            f"CREATE TRIGGER dm_casebook_void AFTER INSERT OR DELETE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION {function}()",
            f"DROP TRIGGER IF EXISTS dm_casebook_void_update ON {table}",
            f"CREATE TRIGGER dm_casebook_void_update AFTER UPDATE ON {table}"
            f" FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)"
            f" EXECUTE FUNCTION {function}()",
        ]
    with connections[using].cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def triggers_after_migrate(app_config, using: str = "default", **kwargs) -> None:
    from trial_edc.audit.grants import owner_database

    if app_config.label == "datamanagement" and using == owner_database():
        install(using=using)
