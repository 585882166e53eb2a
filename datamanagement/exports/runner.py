"""Making an export (the worker's or the command's side): claim the job, stream the
producer's output to a temporary file in EXPORT_ROOT while hashing it, move it in place and
mark the job ready — or keep it failed with its error."""

import hashlib
import logging
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from datamanagement.exports import rules
from datamanagement.exports.kinds import EXPORT_KINDS
from datamanagement.models.exports import EXPORT_MOVES, ExportJob
from trial_edc.audit.services import audit_context

logger = logging.getLogger(__name__)


def export_root() -> Path:
    return Path(settings.EXPORT_ROOT)


def _claim(job_id: int, now) -> ExportJob | None:
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not rules.job_claimable(
            status=job.status,
            claimed_at=job.claimed_at,
            now=now,
            stuck_after=settings.EXPORT_STUCK_AFTER,
        ):
            return None
        with audit_context(user=None, reason="export started"):
            EXPORT_MOVES.move(job, ExportJob.Status.RUNNING)
            job.claimed_at = now
            job.done = job.total = 0
            job.error = ""
            job.save(update_fields=["status", "claimed_at", "done", "total", "error"])
    return job


class _HashingWriter:
    """A binary stream that hashes and counts what goes through it to the file."""

    def __init__(self, raw):
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data) -> int:
        data = bytes(data)
        self.digest.update(data)
        self.size += len(data)
        self.raw.write(data)
        return len(data)

    def flush(self) -> None:
        self.raw.flush()

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def tell(self) -> int:
        return self.size


def _progress_writer(job: ExportJob):
    """`progress(done, total)` for a producer: stored at most about once a second."""
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = timezone.now().timestamp()
        if now - last[0] < 1.0 and done < total:
            return
        last[0] = now
        ExportJob.objects.filter(pk=job.pk, claimed_at=job.claimed_at).update(
            done=done, total=total
        )

    return progress


def export_run(job_id: int) -> ExportJob | None:
    """Make the file of a queued, failed or stuck job; None if this run did not make it
    (ready already, or being made by another run). The producer streams to a temporary file
    in EXPORT_ROOT, hashed while written; the file is then moved in place and the job marked
    ready. A failure keeps the job failed with its error (shown to the data manager), and no
    file is offered."""
    now = timezone.now()
    job = _claim(job_id, now)
    if job is None:
        return None
    kind = EXPORT_KINDS.get(job.kind)
    if kind is None:
        _fail(job, ValueError(_("Unknown export: %(kind)s") % {"kind": job.kind}))
        return ExportJob.objects.get(pk=job.pk)
    root = export_root()
    root.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".job{job.pk}-", suffix=".part", dir=root)
    try:
        with os.fdopen(fd, "wb") as raw:
            out = _HashingWriter(raw)
            kind.produce(job, out, _progress_writer(job))
            raw.flush()
            os.fsync(raw.fileno())
        file_name = kind.file_name(job)
    except Exception as exc:
        Path(tmp_name).unlink(missing_ok=True)
        _fail(job, exc)
        logger.exception("export %s (%s) failed", job.pk, job.kind)
        return ExportJob.objects.get(pk=job.pk)
    relative = f"{job.pk:06d}-{out.digest.hexdigest()[:12]}-{file_name}"
    with transaction.atomic():
        current = ExportJob.objects.select_for_update().get(pk=job.pk)
        if current.status != ExportJob.Status.RUNNING or current.claimed_at != job.claimed_at:
            Path(tmp_name).unlink(missing_ok=True)
            return None  # another run took it over (or finished it): its file is the export
        os.replace(tmp_name, root / relative)
        with audit_context(user=None, reason="export ready"):
            EXPORT_MOVES.move(current, ExportJob.Status.READY)
            current.path = relative
            current.file_name = file_name
            current.content_type = kind.content_type
            current.size = out.size
            current.sha256 = out.digest.hexdigest()
            current.finished_at = timezone.now()
            current.done = current.total = max(current.total, 1)
            current.save()
    return current


def _fail(job: ExportJob, exc: Exception) -> None:
    with transaction.atomic():
        current = ExportJob.objects.select_for_update().get(pk=job.pk)
        if current.status != ExportJob.Status.RUNNING or current.claimed_at != job.claimed_at:
            return
        with audit_context(user=None, reason="export failed"):
            EXPORT_MOVES.move(current, ExportJob.Status.FAILED)
            current.error = (str(exc) or repr(exc))[:2000]
            current.finished_at = timezone.now()
            current.save(update_fields=["status", "error", "finished_at"])


def export_path(job: ExportJob) -> Path | None:
    """The file of a ready job, if it is still on disk."""
    if job.status != ExportJob.Status.READY or not job.path:
        return None
    path = export_root() / job.path
    return path if path.is_file() else None
