"""Safety laboratory pages: a panel's form, the subject's graded results, the sites' reference
ranges (data managers), the AE proposals (investigators) and the lab listing PDF."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dosing.selectors import treatment_days
from enrollment.selectors import subject_or_404
from safety.labs import selectors, services
from safety.labs.forms import LabReferenceRangeForm, NotAnAeForm, SafetyLabPanelForm
from safety.labs.listing import lab_listing_pdf
from safety.models import LabReferenceRange, LabSignal, SafetyLabPanel
from safety.views.vitals import moment_of_day
from trial_edc.accounts.selectors import scope_to_sites, sites_for
from trial_edc.core.clock import site_today, study_day_date
from trial_edc.core.forms import (
    apply_errors,
    crf_page,
    crf_save,
    require_add_or_change,
    study_day_param,
)
from trial_edc.study import study


def _back(subject, day: int | None) -> str:
    if day is not None and day in treatment_days():
        return reverse("portal:treatment_day", args=[subject.pk, day])
    return reverse("safety:subject_labs", args=[subject.pk])


@require_http_methods(["GET", "POST"])
def lab_panel_edit(request, pk: int, panel_pk: int | None = None):
    subject = subject_or_404(request.user, pk)
    panel = (
        get_object_or_404(SafetyLabPanel, pk=panel_pk, subject=subject)
        if panel_pk
        else SafetyLabPanel(subject=subject)
    )
    require_add_or_change(request, SafetyLabPanel, exists=panel_pk is not None)
    day = panel.study_day if panel_pk else study_day_param(request, treatment_days())
    on = study_day_date(subject.day1, day) if day else site_today(subject.site)
    initial = None
    if not panel_pk:
        initial = {"specimen_at": moment_of_day(subject, day, hour=7), "unscheduled": day is None}
    form = SafetyLabPanelForm(
        request.POST or None,
        instance=panel,
        initial=initial,
        ranges=selectors.reference_ranges(subject.site_id, on),
    )
    title = _("Safety laboratory of %(s)s") % {"s": subject.subject_number}
    if day:
        title += " · " + _("day %(d)d") % {"d": day}
    back = _back(subject, day)

    def save() -> str:
        saved = services.safety_lab_record(
            panel=form.instance,
            results=form.results(),
            user=request.user,
            reason=form.reason_for_change,
        )
        messages.success(request, _("Safety laboratory saved."))
        return _back(subject, saved.study_day if not saved.unscheduled else None)

    if request.method == "POST" and (done := crf_save(request, form, save=save, back=back)):
        return done
    return render(
        request,
        "safety/labs/panel_form.html",
        {"form": form, "title": title, "back_url": back, "subject": subject},
    )


@permission_required("safety.view_safetylabpanel", raise_exception=True)
def subject_labs(request, pk: int):
    """Every safety laboratory value of the subject with its grade, rule and inputs."""
    subject = subject_or_404(request.user, pk)
    graded = selectors.graded_results([subject.pk])
    panels: dict[int, tuple] = {}
    for g in graded:
        panels.setdefault(g.panel.pk, (g.panel, []))[1].append(g)
    signals = {
        s.result_id: s
        for s in LabSignal.objects.filter(subject=subject).select_related("adverse_event")
    }
    return render(
        request,
        "safety/labs/subject_labs.html",
        {
            "subject": subject,
            "panels": sorted(panels.values(), key=lambda p: (p[0].specimen_at, p[0].pk)),
            "signals": signals,
        },
    )


@permission_required("safety.view_labreferencerange", raise_exception=True)
def lab_ranges(request):
    ranges = scope_to_sites(LabReferenceRange.objects.all(), request.user).select_related("site")
    return render(
        request,
        "safety/labs/ranges.html",
        {"ranges": ranges.order_by("site__code", "test_code", "-effective_from")},
    )


@require_http_methods(["GET", "POST"])
def lab_range_edit(request, range_pk: int | None = None):
    lab_range = (
        get_object_or_404(
            scope_to_sites(LabReferenceRange.objects.all(), request.user), pk=range_pk
        )
        if range_pk
        else LabReferenceRange()
    )
    require_add_or_change(request, LabReferenceRange, exists=range_pk is not None)
    form = LabReferenceRangeForm(
        request.POST or None, instance=lab_range, sites=sites_for(request.user)
    )
    back = reverse("safety:lab_ranges")

    def save() -> str:
        services.lab_range_record(
            lab_range=form.instance, user=request.user, reason=form.reason_for_change
        )
        messages.success(request, _("Reference range saved."))
        return back

    if request.method == "POST" and (done := crf_save(request, form, save=save, back=back)):
        return done
    return crf_page(request, form, title=_("Laboratory reference range"), back_url=back)


@permission_required("safety.view_labsignal", raise_exception=True)
def lab_signals(request):
    """The laboratory values proposed as adverse events at the user's sites, open first."""
    rows = scope_to_sites(LabSignal.objects.all(), request.user, "subject__site").select_related(
        "subject__site", "ctcae_term", "adverse_event", "decided_by"
    )
    show_all = request.GET.get("all") == "1"
    if not show_all:
        rows = rows.filter(status=LabSignal.Status.OPEN)
    return render(
        request,
        "safety/labs/signals.html",
        {"rows": rows.order_by("status", "-specimen_on", "pk"), "show_all": show_all},
    )


@require_http_methods(["GET", "POST"])
@permission_required("safety.decide_labsignal", raise_exception=True)
def lab_signal_not_ae(request, signal_pk: int):
    signal = get_object_or_404(
        scope_to_sites(LabSignal.objects.all(), request.user, "subject__site").select_related(
            "subject", "ctcae_term"
        ),
        pk=signal_pk,
    )
    back = reverse("safety:lab_signals")
    if signal.status != LabSignal.Status.OPEN:
        messages.info(request, _("This proposal was already decided or closed."))
        return redirect(back)
    form = NotAnAeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.lab_signal_not_ae(
                signal=signal, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Recorded: not an adverse event."))
            return redirect(back)
    return render(
        request, "safety/labs/not_an_ae.html", {"form": form, "signal": signal, "back_url": back}
    )


@permission_required("safety.download_listing", raise_exception=True)
def lab_listing(request):
    subjects = scope_to_sites(
        SafetyLabPanel.objects.all(), request.user, "subject__site"
    ).values_list("subject_id", flat=True)
    pdf = lab_listing_pdf(set(subjects), request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    # what it is, of which study, made when (site-neutral UTC, as the other listings)
    name = f"safety-lab-listing-{study().protocol_id}-{timezone.now():%Y%m%d-%H%M}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
