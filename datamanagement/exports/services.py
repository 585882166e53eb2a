"""Exports, the state changes: asking for one (permission and sites checked here, the job and
its log entry written in one transaction, the worker asked after commit), making it (the
worker or the command), and logging a download."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from datamanagement.exports import rules
from datamanagement.exports.kinds import EXPORT_KINDS, ExportFilters
from datamanagement.exports.runner import export_path, export_root, export_run  # noqa: F401
from datamanagement.models.exports import ExportEvent, ExportJob
from trial_edc.accounts.access_log import client_ip
from trial_edc.accounts.permissions import require
from trial_edc.accounts.selectors import sites_for
from trial_edc.audit.services import audit_context

logger = logging.getLogger(__name__)

COMMAND_LINE = "command line"


def export_request(
    *,
    user,
    kind: str,
    sites: list[str] | tuple[str, ...] = (),
    form: str = "",
    as_of=None,
    subject: str = "",
    labels: bool = False,
    language: str = "en",
    request=None,
    dispatch: bool = True,
) -> ExportJob:
    """Ask for an export of `kind` with these filters. `user` None is an operator on the
    command line (allowed everything, logged as "command line"). The sites default to every
    site of the user; a site that is not theirs is refused. Identifying fields are included
    when the user may see them. The worker is asked once the job is committed; if it cannot
    be reached, the beat task `datamanagement.exports_queued` makes the job later."""
    from trial_edc.accounts.models import Site
    from trial_edc.core import registry

    export_kind = EXPORT_KINDS.get(kind)
    if export_kind is None:
        raise ValidationError({"kind": _("Unknown export.")})
    require(user, export_kind.permission)
    own = set(
        (sites_for(user) if user is not None else Site.objects.all()).values_list("code", flat=True)
    )
    asked = {str(code) for code in sites if code}
    if rules.sites_refused(asked, own):
        raise PermissionDenied(_("You may only export the data of your sites."))
    chosen = sorted(asked or own)
    if not chosen:
        raise PermissionDenied(_("You are not a member of any site."))
    if form and form not in registry.crf_models:
        raise ValidationError({"form": _("Unknown form.")})
    filters = ExportFilters(
        sites=tuple(chosen),
        form=form,
        as_of=as_of,
        subject=subject.strip(),
        labels=labels,
        language=language or "en",
        identifying=user is None or user.has_perm("datamanagement.export_identifying"),
    )
    who = user.printed_name if user is not None else COMMAND_LINE
    with transaction.atomic(), audit_context(user=user, reason=f"export requested: {kind}"):
        job = ExportJob.objects.create(
            kind=kind, filters=filters.as_json(), requested_by=user, requested_by_name=who
        )
        ExportEvent.objects.create(
            kind=ExportEvent.Kind.REQUESTED,
            job=job,
            user=user,
            who=who,
            export_kind=kind,
            filters=job.filters,
            ip_address=client_ip(request),
        )
        if dispatch:
            from datamanagement.exports.tasks import export_run_task
            from trial_edc.core.tasks import send_after_commit

            send_after_commit(export_run_task, job.pk)
    return job


def export_downloaded(*, job: ExportJob, user, request=None) -> None:
    """Log a download of a ready export (the view checked the user may have it)."""
    ExportEvent.objects.create(
        kind=ExportEvent.Kind.DOWNLOADED,
        job=job,
        user=user,
        who=user.printed_name if user is not None else COMMAND_LINE,
        export_kind=job.kind,
        filters=job.filters,
        ip_address=client_ip(request),
    )
