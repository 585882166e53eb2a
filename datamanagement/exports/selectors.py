"""Exports, the reads: the jobs a person sees, the jobs waiting for a worker."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from datamanagement.models.exports import ExportJob

# a queued job's own task has had this long to start before the beat task makes it
QUEUED_GRACE = timedelta(minutes=1)


def may_see_all(user) -> bool:
    return user.has_perm("datamanagement.view_all_exports")


def jobs_for(user) -> QuerySet[ExportJob]:
    """The user's own exports; every export for data managers."""
    jobs = ExportJob.objects.select_related("requested_by").order_by("-created_at", "-id")
    return jobs if may_see_all(user) else jobs.filter(requested_by=user)


def job_for(user, pk: int) -> ExportJob | None:
    return jobs_for(user).filter(pk=pk).first()


def jobs_waiting(now=None) -> list[int]:
    now = now or timezone.now()
    return list(
        ExportJob.objects.filter(
            Q(status=ExportJob.Status.QUEUED, created_at__lt=now - QUEUED_GRACE)
            | Q(
                status=ExportJob.Status.RUNNING,
                claimed_at__lt=now - settings.EXPORT_STUCK_AFTER,
            )
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
