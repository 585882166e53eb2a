"""Data management's periodic tasks."""

from celery import shared_task


@shared_task(name="datamanagement.checks_run")
def checks_run_daily() -> dict:
    """Run every edit check for every subject (safe to run twice: the second run writes
    nothing)."""
    from datamanagement.checks.services import checks_run

    result = checks_run()
    return {"raised": result.raised, "reopened": result.reopened, "closed": result.closed}
