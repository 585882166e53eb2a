"""The worker's side of the exports: make one job; pick up the jobs left waiting."""

from celery import shared_task


@shared_task(name="datamanagement.export_run")
def export_run_task(job_id: int) -> str:
    """Make one export (safe to run twice: a ready job, or one another run is making, is
    left as it is)."""
    from datamanagement.exports.runner import export_run

    job = export_run(job_id)
    return job.status if job is not None else "skipped"


@shared_task(name="datamanagement.exports_queued")
def exports_queued_task() -> list[int]:
    """Every minute: make the exports still queued a minute after they were asked for (their
    own task never reached a worker: Redis was down, or the message was lost), and those
    running past EXPORT_STUCK_AFTER (their worker died)."""
    from datamanagement.exports.runner import export_run
    from datamanagement.exports.selectors import jobs_waiting

    made = []
    for job_id in jobs_waiting():
        job = export_run(job_id)
        if job is not None:
            made.append(job.pk)
    return made
