from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from trial_edc.accounts.selectors import scope_to_sites
from trial_edc.audit.selectors import record_history
from trial_edc.core.clock import site_of, site_time_label


def record_audit(request, app_label: str, model_name: str, pk: int):
    """The audit trail of one record: who changed what, when, from what to what, and why."""
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError as exc:
        raise Http404 from exc
    site_path = getattr(model, "site_path", None)
    if site_path is None or not hasattr(model, "events"):
        raise Http404
    if not request.user.has_perm(f"{app_label}.view_{model._meta.model_name}"):
        raise PermissionDenied
    record = get_object_or_404(
        scope_to_sites(model._default_manager.all(), request.user, site_path), pk=pk
    )
    site = site_of(record)
    return render(
        request,
        "portal/record_audit.html",
        {
            "record": record,
            "site": site,
            "model_name": model._meta.verbose_name,
            "history": record_history(record, time_label=lambda m: site_time_label(m, site)),
        },
    )
