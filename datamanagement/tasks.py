"""Data management's periodic tasks."""

from celery import shared_task


@shared_task(name="datamanagement.checks_run")
def checks_run_daily() -> dict:
    """Run every edit check for every subject (safe to run twice: the second run writes
    nothing)."""
    from datamanagement.checks.services import checks_run

    result = checks_run()
    return {"raised": result.raised, "reopened": result.reopened, "closed": result.closed}


# --- exports (issue 15, point 7): the tasks live with the exports, registered from here ---
from datamanagement.exports.tasks import export_run_task, exports_queued_task  # noqa: E402, F401
