"""The export pages: the list of jobs (refreshing while one is being made), the request form,
and the download (scoped, logged, never cached)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from datamanagement.exports import selectors, services
from datamanagement.exports.forms import ExportRequestForm
from datamanagement.exports.kinds import EXPORT_KINDS
from datamanagement.models.exports import ExportJob
from trial_edc.accounts.selectors import sites_for
from trial_edc.core.clock import site_today
from trial_edc.core.forms import apply_errors

VIEW = "datamanagement.view_exportjob"
PENDING = (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)


@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def export_list(request):
    """The user's exports (data managers: everyone's), and the form that asks for one."""
    sites = list(sites_for(request.user).order_by("code"))
    today = max((site_today(s) for s in sites), default=None)
    form = ExportRequestForm(request.POST or None, user=request.user, sites=sites, today=today)
    if request.method == "POST":
        if not request.user.has_perm("datamanagement.request_export"):
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.export_request(
                    user=request.user,
                    kind=data["kind"],
                    sites=[data["site"]] if data["site"] else [],
                    form=data["form"],
                    as_of=data["as_of"],
                    subject=data["subject"],
                    labels=data["labels"],
                    language=get_language() or "en",
                    request=request,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.info(request, _("The export is being made by the worker."))
                return redirect("datamanagement:export_list")
    jobs = list(selectors.jobs_for(request.user)[:100])
    for job in jobs:
        kind = EXPORT_KINDS.get(job.kind)
        job.kind_label = kind.label if kind else job.kind
    pending = any(j.status in PENDING for j in jobs)
    return render(
        request,
        "datamanagement/exports/list.html",
        {
            "form": form,
            "jobs": jobs,
            "pending": pending,
            "see_all": selectors.may_see_all(request.user),
        },
    )


@permission_required(VIEW, raise_exception=True)
def export_download(request, pk: int):
    """The file of a ready export: its owner's, or any for data managers; logged."""
    job = selectors.job_for(request.user, pk)
    path = services.export_path(job) if job is not None else None
    if path is None:
        raise Http404
    services.export_downloaded(job=job, user=request.user, request=request)
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=job.file_name,
        content_type=job.content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-SHA256"] = job.sha256
    return response
