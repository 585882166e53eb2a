"""Beat tasks: the reminder run (every 15 minutes; each site acts by its own clock), the
outbox sender (every minute), both safe to run twice and on many workers at once, and the
nightly verification of the audit chain that alerts the data managers on a break."""

import logging

from celery import shared_task
from django.utils import timezone
from django.utils.translation import gettext_lazy

from trial_edc.accounts.roles import Role
from trial_edc.audit.tasks import audit_chain_check_record
from trial_edc.core.people import staff
from trial_edc.core.tasks import send_after_commit
from trial_edc.notifications import reminders, services
from trial_edc.notifications.models import Kind
from trial_edc.notifications.services import notify, outbox_send
from trial_edc.notifications.texts import later

logger = logging.getLogger(__name__)


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


@shared_task(name="notifications.outbox_send_rows")
def outbox_send_rows_task(ids: list[int]) -> None:
    """Send these outbox rows now (those still pending and due)."""
    outbox_send(ids)


def outbox_send_soon(ids) -> None:
    """After commit, ask a worker to send these outbox rows at once. The rows, written in
    the caller's transaction, are the record: if the broker is down this only logs, and the
    outbox sender (beat, every minute) sends them; the caller's save never fails for it."""
    ids = list(ids)
    if ids:  # one try on a short timeout: the save does not wait on a broker that is down
        send_after_commit(outbox_send_rows_task, ids)


@shared_task(name="notifications.audit_chain_verify")
def audit_chain_verify_task() -> dict:
    """Nightly: verify the chain, keep the result, and alert the data managers if broken."""
    check = audit_chain_check_record()
    if not check.ok:
        recipients = staff(Role.DATA_MANAGER)
        outbox_send(
            notify(
                kind=Kind.AUDIT_CHAIN_BROKEN,
                obj=check,
                for_date=timezone.localdate(check.checked_at),
                recipients=recipients,
                subject=later(gettext_lazy("trial-edc: the audit trail failed verification")),
                body=later(
                    gettext_lazy(
                        "The audit hash chain is broken at %(problem)s. Checked at %(at)s UTC."
                    ),
                    {"problem": check.problem, "at": f"{check.checked_at:%Y-%m-%d %H:%M}"},
                ),
            )
        )
    return {"check_id": check.pk, "ok": check.ok, "entries": check.entries}
