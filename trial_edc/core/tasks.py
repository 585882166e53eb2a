"""A task a save asks for, sent once the save has committed, and never at the save's expense.

What must happen after a save is a row the save wrote in its own transaction (an outbox row,
a queued report); a beat task picks up every such row, so sending the task at once is only a
shortcut. If the broker cannot be reached the shortcut is logged and skipped: the save does not
wait on Redis (one attempt, a short connect timeout), and does not fail because of it."""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)

# one try, no reconnection loop (kombu's would hold the request for seconds), and a short
# wait on a host that does not answer
ONE_TRY = {"max_retries": 0, "socket_connect_timeout": 2}


def send_after_commit(task, *args) -> None:
    """Once the current transaction commits, ask a worker to run `task(*args)` now, if it can
    be asked; else the beat task that picks up the row does it later."""

    def send() -> None:
        try:
            with task.app.connection_for_write(transport_options=ONE_TRY) as connection:
                task.apply_async(args=args, retry=False, connection=connection)
        except Exception:  # the broker down (kombu, redis, socket errors), or eager and failed
            logger.warning(
                "%s%r was not run now; its beat task picks it up", task.name, args, exc_info=True
            )

    transaction.on_commit(send)
