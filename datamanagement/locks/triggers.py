"""The database half of freeze and lock: a trigger on every CRF table that refuses INSERT,
UPDATE and DELETE of a row whose effective state is frozen or locked, whatever wrote it.

How a CRF row finds its targets (generated per table from the registry, `CrfModel`):
- the study: always ("study");
- its subject: along `subject_path` (each step a foreign key, one scalar sub-select a step);
  Subject itself is its own subject; a screening-time form (subject_path None) finds the
  subject enrolled from its screening (Subject.screening), if there is one — before
  enrolment only the study level applies;
- its visit: the first SubjectVisit met along `subject_path` (a visit form: PFT, labs and
  their results, HRCT, follow-up); else a direct foreign key to SubjectVisit when the model
  has one (a visit's blood gas); SubjectVisit is its own visit. Forms recorded per day or per
  event (vital signs, doses, AEs, conmeds) belong to no visit: their subject, study and own
  record level apply;
- the record itself: "record:<app_label.model>:<pk>", and the CRF records above it on its
  subject_path (the AE of a follow-up, the lab panel of a result): locking a parent record
  locks its children.
An UPDATE is checked for the row before and after (moving a row into a frozen subject is
refused too). The check costs one indexed look-up when nothing is frozen or locked.
"""

from django.db import connections

from trial_edc.core import registry
from trial_edc.core.locks import RECORD_LOCKED_SQLSTATE

LOCK_TABLE = "datamanagement_datalock"

CHECK_FUNCTION = f"""
CREATE OR REPLACE FUNCTION dm_lock_check(targets text[], label text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE strongest text;
BEGIN
  SELECT state INTO strongest FROM {LOCK_TABLE}
   WHERE target = ANY(targets) AND state <> 'open'
   ORDER BY CASE state WHEN 'locked' THEN 0 ELSE 1 END LIMIT 1;
  IF strongest IS NOT NULL THEN
    RAISE EXCEPTION 'trial_edc: % record is %; it cannot be changed', label, strongest
      USING ERRCODE = '{RECORD_LOCKED_SQLSTATE}';
  END IF;
END $$;
"""


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _walk(model, path: str, row: str, parents: list | None = None):
    """SQL expressions (subject id, visit id or None) of a row of `model` (`row`: NEW/OLD);
    `parents` collects (label, id expression) of the CRF records met on the way (the AE of a
    follow-up, the lab panel of a result): a lock of the parent record covers its children."""
    from enrollment.models import Subject, SubjectVisit

    expr, current, visit = None, model, None
    if model is SubjectVisit:
        visit = f"{row}.{_q(model._meta.pk.column)}"
    for step in path.split("__"):
        field = current._meta.get_field(step)
        if expr is None:
            expr = f"{row}.{_q(field.column)}"
        else:
            expr = (
                f"(SELECT {_q(field.column)} FROM {_q(current._meta.db_table)}"
                f" WHERE {_q(current._meta.pk.column)} = {expr})"
            )
        current = field.related_model
        if current is SubjectVisit and visit is None:
            visit = expr
        label = current._meta.label_lower
        parent = current not in (Subject, SubjectVisit) and label in registry.crf_models
        if parents is not None and parent:
            parents.append((label, expr))
    return expr, visit


def row_targets(crf, row: str, parents: list | None = None) -> tuple[str, str]:
    """(subject id, visit id) SQL expressions for a row of the CRF model (NULL if none)."""
    from enrollment.models import Screening, Subject, SubjectVisit

    model = crf.model
    subject, visit = "NULL", "NULL"
    if crf.subject_path == "":
        subject = f"{row}.{_q(model._meta.pk.column)}"
    elif crf.subject_path is None:
        link = Subject._meta.get_field("screening").column
        screening = None
        if model is Screening:
            screening = f"{row}.{_q(model._meta.pk.column)}"
        else:
            fk = next(
                (
                    f
                    for f in model._meta.concrete_fields
                    if f.is_relation and f.related_model is Screening
                ),
                None,
            )
            if fk is not None:
                screening = f"{row}.{_q(fk.column)}"
        if screening is not None:
            subject = (
                f"(SELECT {_q(Subject._meta.pk.column)} FROM {_q(Subject._meta.db_table)}"
                f" WHERE {_q(link)} = {screening})"
            )
    else:
        subject, walked_visit = _walk(model, crf.subject_path, row, parents)
        if walked_visit is not None:
            visit = walked_visit
    if visit == "NULL":
        fk = next(
            (
                f
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model is SubjectVisit
            ),
            None,
        )
        if fk is not None:
            visit = f"{row}.{_q(fk.column)}"
    return subject, visit


def _targets(crf, row: str) -> str:
    parents: list = []
    subject, visit = row_targets(crf, row, parents)
    label = crf.model._meta.label_lower
    pk = _q(crf.model._meta.pk.column)
    above = "".join(f", 'record:{p}:' || {expr}" for p, expr in parents)
    return (
        "ARRAY['study', 'subject:' || "
        f"{subject}, 'visit:' || {visit}, 'record:{label}:' || {row}.{pk}{above}]"
    )


def function_name(table: str) -> str:
    return f"dm_lock_guard_{table}"[:63]


TRIGGER = "dm_lock_guard"


def table_sql(crf) -> list[str]:
    """CREATE OR REPLACE the guard function of one CRF table and (re)create its trigger."""
    table = crf.model._meta.db_table
    label = crf.model._meta.label_lower
    fn = function_name(table)
    body = f"""
CREATE OR REPLACE FUNCTION {_q(fn)}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM {LOCK_TABLE} WHERE state <> 'open') THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    PERFORM dm_lock_check({_targets(crf, "OLD")}, '{label}');
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  PERFORM dm_lock_check({_targets(crf, "NEW")}, '{label}');
  RETURN NEW;
END $$;
"""
    return [
        body,
        f"DROP TRIGGER IF EXISTS {TRIGGER} ON {_q(table)}",
        f"CREATE TRIGGER {TRIGGER} BEFORE INSERT OR UPDATE OR DELETE ON {_q(table)}"
        f" FOR EACH ROW EXECUTE FUNCTION {_q(fn)}()",
    ]


def install(*, using: str) -> int:
    """Create or replace the guard on every registered CRF table (as the owner). Returns the
    number of tables guarded."""
    statements = [CHECK_FUNCTION]
    crfs = list(registry.crf_models)
    for crf in crfs:
        statements.extend(table_sql(crf))
    with connections[using].cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return len(crfs)


def install_after_migrate(app_config, using: str = "default", **kwargs) -> None:
    """post_migrate: once per migrate (for this app), only on the owner's connection."""
    from trial_edc.audit.grants import owner_database

    if app_config.label == "datamanagement" and using == owner_database():
        install(using=using)
