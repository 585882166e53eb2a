"""Verification and sign-off pages: verify a form or a visit (monitors), a subject's
casebook with its sign action (investigators), the per-site overview."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from datamanagement.sdv import selectors, services
from datamanagement.sdv.forms import CasebookSignForm, VerifyRecordForm, VerifyVisitForm, seen_token
from datamanagement.sdv.items import crf_info_by_label
from enrollment.models import SubjectVisit
from enrollment.schedule.rules import SCREENING
from enrollment.schedule.selectors import page_permission
from enrollment.selectors import subject_or_404
from trial_edc.accounts import signing
from trial_edc.accounts.selectors import scope_to_sites, sites_for
from trial_edc.core import registry
from trial_edc.core.forms import apply_errors

VIEW = "datamanagement.view_sourceverification"


def _safe_next(request, url: str, default: str) -> str:
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return default


@permission_required(services.VERIFY, raise_exception=True)
@require_POST
def verify_record(request, label: str, pk: int):
    info = crf_info_by_label(label)
    if info is None:
        raise Http404
    record = get_object_or_404(
        scope_to_sites(info.model.objects.all(), request.user, info.site_lookup), pk=pk
    )
    form = VerifyRecordForm(request.POST)
    sdv = selectors.record_sdv(record)
    default = (
        reverse("datamanagement:casebook", args=[sdv.subject_id])
        if sdv.subject_id
        else reverse("datamanagement:sdv_overview")
    )
    if not form.is_valid():
        messages.error(request, _("The page was not complete; reload it and verify again."))
        return redirect(default)
    back = _safe_next(request, form.cleaned_data["next"], default)
    try:
        n = services.record_verify(
            user=request.user, record=record, seen_seq=form.cleaned_data["seen_seq"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(n)d item(s) verified against source.") % {"n": n})
    return redirect(back)


@permission_required(services.VERIFY, raise_exception=True)
@require_POST
def verify_visit(request, pk: int):
    visit = get_object_or_404(
        scope_to_sites(
            SubjectVisit.objects.select_related("subject__site"), request.user, "subject__site"
        ),
        pk=pk,
    )
    back = reverse("datamanagement:casebook", args=[visit.subject_id])
    form = VerifyVisitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The page was not complete; reload it and verify again."))
        return redirect(back)
    try:
        n = services.visit_verify(user=request.user, visit=visit, seen=form.cleaned_data["seen"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(n)d item(s) verified against source.") % {"n": n})
    return redirect(back)


def _visit_form_urls(user, subject, visit) -> dict:
    """Form model -> the page of that form for the visit (registry.visit_forms; the visit
    date is the page of the visit record itself); the visit's page, which every role reads,
    for a form the person may not enter."""
    urls = {}
    if visit.code == SCREENING:  # its pages are the screening's (schedule rules)
        screening = reverse("enrollment:screening_detail", args=[subject.screening_id])
        return dict.fromkeys([SubjectVisit, *(f.model for f in registry.visit_forms)], screening)
    read_only = reverse("efficacy:visit_detail", args=[subject.pk, visit.code])
    for form in registry.visit_forms:
        model = form.model if form.model is not None else SubjectVisit
        may_enter = user.has_perm(page_permission(form.model))
        urls[model] = (
            reverse(form.url_name, args=[subject.pk, visit.code]) if may_enter else read_only
        )
    return urls


@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def casebook(request, subject_id: int):
    """The subject's casebook: records per visit with their verification, and the sign-off."""
    subject = subject_or_404(request.user, subject_id)
    can_sign = request.user.has_perm(services.SIGN)
    form = None
    if can_sign:
        form = CasebookSignForm(
            request.POST or None, ask_username=not signing.signer_identified(request, request.user)
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.casebook_sign(
                    subject=subject,
                    signer=request.user,
                    username=form.cleaned_data.get("username"),
                    password=form.cleaned_data["password"],
                    request=request,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request, _("The casebook of %(subject)s is signed.") % {"subject": subject}
                )
                return redirect("datamanagement:casebook", subject_id=subject.pk)
    elif request.method == "POST":
        raise Http404
    groups = selectors.casebook(subject)
    selectors.records_with_seq([r for g in groups for r in g.records])
    for group in groups:
        group.seen = seen_token(group.records) if group.visit else ""
        if group.visit is not None:
            group.url = _visit_form_urls(request.user, subject, group.visit)
            for rec in group.records:
                rec.url = group.url.get(rec.info.model, "")
    signed, voided = selectors.casebook_signatures(subject_ids=[subject.pk])
    signature, voided = signed.get(subject.pk), voided.get(subject.pk)
    total = selectors.rules.Counts()
    for group in groups:
        total.add(group.counts)
    return render(
        request,
        "datamanagement/sdv/casebook.html",
        {
            "subject": subject,
            "groups": groups,
            "total": total,
            "full": selectors.subject_full_sdv(subject.subject_number),
            "signature": signature,
            "voided": voided,
            "form": form if signature is None else None,
            "can_verify": request.user.has_perm(services.VERIFY),
        },
    )


@permission_required(VIEW, raise_exception=True)
def sdv_overview(request):
    """Per site: each subject's verification status and casebook state."""
    sites = list(sites_for(request.user).order_by("code"))
    rows = selectors.site_overview(sites)
    by_site = [(site, [r for r in rows if r.subject.site_id == site.pk]) for site in sites]
    return render(request, "datamanagement/sdv/overview.html", {"by_site": by_site})
