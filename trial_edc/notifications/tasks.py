"""Beat tasks: the reminder run (every 15 minutes; each site acts by its own clock) and the
outbox sender (every minute). Both are safe to run twice and on many workers at once."""

from celery import shared_task

from trial_edc.notifications import reminders, services


@shared_task(name="notifications.reminders_run")
def reminders_run_task() -> dict[str, int]:
    """Queue what is due by each site's clock, then send what is due (this worker)."""
    due = reminders.reminders_run()
    return {"due": due, **services.outbox_send_due()}


@shared_task(name="notifications.outbox_send_due")
def outbox_send_due_task() -> dict[str, int]:
    """Send the pending rows whose time has come. Rows, not task messages, carry the state:
    a worker killed mid-send leaves its row pending and the next run sends it."""
    return services.outbox_send_due()
