"""Export rules over plain values: which run may make a job, and what sites an asker gets."""

from datetime import datetime, timedelta


def job_claimable(
    *, status: str, claimed_at: datetime | None, now: datetime, stuck_after: timedelta
) -> bool:
    """A run may make a job that is queued or failed, or running for longer than
    `stuck_after` (its worker died); never a ready one, nor one another run is making."""
    if status in ("queued", "failed"):
        return True
    if status == "running":
        return claimed_at is None or claimed_at < now - stuck_after
    return False


def sites_refused(asked: set[str], own: set[str]) -> set[str]:
    """The asked sites that are not the asker's (none asked: all of theirs, nothing refused)."""
    return set(asked) - set(own)
