"""The audit context (who, why: pghistory's `set_config` variables) set once per transaction.

pghistory puts `SELECT set_config(...), set_config(...);` in front of every write statement of
a request. The values are local to the transaction, so once set they hold for its later
statements: this sends them again only when they are not in force, that is when
- the statement opens a transaction (the connection is idle: autocommit, or a new atomic block),
- the context or its metadata changed (`audited_save` with another reason),
- a savepoint was rolled back since (which undoes them if they were set inside it; after a
  release they hold).
Savepoint statements, which write no row, go without them.

Installed in place of pghistory's own wrapper (`AuditConfig.ready`); what it writes into the
history rows is the same."""

import json

import pghistory.runtime as runtime
from pghistory import config
from psycopg2 import extensions

_ORIGINAL = runtime._inject_history_context
_STATE = "_trial_edc_audit_context"  # on the connection: the values in force, or None
# statements that write no row, so fire no history trigger: nothing to send before them
_NO_WRITE = {"savepoint", "release s", "rollback "}


def inject_once(execute, sql, params, many, context):
    connection, cursor = context["connection"], context["cursor"]
    status = cursor.connection.get_transaction_status()
    if status != extensions.TRANSACTION_STATUS_INTRANS:
        # idle: this statement opens a transaction (what an earlier one set is gone)
        setattr(connection, _STATE, None)
    text = sql.decode() if isinstance(sql, bytes) else sql
    head = text.lstrip()[:9].lower()
    if head == "rollback ":  # to a savepoint: what was set since is undone
        setattr(connection, _STATE, None)
    if head in _NO_WRITE or not runtime._can_inject_variable(cursor, text):
        return runtime._execute_wrapper(execute(sql, params, many, context))  # nothing to send
    tracker = runtime._tracker.value
    values = (str(tracker.id), json.dumps(tracker.metadata, cls=config.json_encoder()))
    if getattr(connection, _STATE, None) == values:
        return runtime._execute_wrapper(execute(sql, params, many, context))
    setattr(connection, _STATE, values)
    return _ORIGINAL(execute, sql, params, many, context)


def install() -> None:
    """pghistory's `context` installs `runtime._inject_history_context` on entering."""
    runtime._inject_history_context = inject_once
