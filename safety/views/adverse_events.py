"""Adverse event pages: the site's AE list, a subject's AEs, the AE form, detail, follow-up."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from enrollment.selectors import subject_or_404
from safety import selectors
from safety.forms import (
    AdverseEventForm,
    FollowUpForm,
    SaeReportedForm,
    SignatureForm,
)
from safety.labs import services as lab_services
from safety.labs.forms import proposal_initial
from safety.models import AdverseEvent, AdverseEventFollowUp, LabSignal
from safety.services import adverse_events, signatures
from trial_edc.accounts.selectors import scope_to_sites
from trial_edc.core.forms import apply_errors, crf_page, crf_save, require_add_or_change


def _events(user):
    return selectors.with_last_dose_given(
        scope_to_sites(AdverseEvent.objects.all(), user, "subject__site").select_related(
            "subject__site", "ctcae_term"
        )
    )


def _rows(events):
    """(AE, derived flags, current state after follow-ups) per AE."""
    return [(ae, selectors.derived(ae), selectors.current_state(ae)) for ae in events]


@permission_required("safety.view_adverseevent", raise_exception=True)
def adverse_event_list(request):
    serious_only = request.GET.get("serious") == "1"
    events = _events(request.user).filter(selectors.serious_filter(serious_only))
    page = Paginator(events.order_by("-aestdtc", "-id"), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "safety/ae_list.html",
        {"page": page, "rows": _rows(page.object_list), "serious_only": serious_only},
    )


@permission_required("safety.view_adverseevent", raise_exception=True)
def subject_adverse_events(request, pk: int):
    subject = subject_or_404(request.user, pk)
    events = _events(request.user).filter(subject=subject).order_by("aestdtc", "id")
    return render(request, "safety/ae_list.html", {"rows": _rows(events), "subject": subject})


@permission_required("safety.view_adverseevent", raise_exception=True)
def adverse_event_detail(request, ae_pk: int):
    ae = get_object_or_404(_events(request.user), pk=ae_pk)
    now = timezone.now()
    periods = selectors.sae_periods_of(ae)
    current = periods[-1] if periods and ae.aeser and periods[-1].ended_at is None else None
    state = selectors.current_state(ae)
    return render(
        request,
        "safety/ae_detail.html",
        {
            "ae": ae,
            "derived": selectors.derived(ae),
            "state": state,
            "current_outcome": selectors.outcome_label(state.outcome),
            "follow_ups": selectors.follow_ups_of(ae),
            "sae_clock": selectors.sae_clock(current, now) if current else None,
            "past_periods": [p for p in periods if p is not current],
            "signatures": list(ae.signatures.order_by("signed_at")),
        },
    )


def _open_lab_signal(request, subject) -> LabSignal | None:
    """The open laboratory AE proposal of the subject named by `?lab_signal=`, if the user may
    decide it (else the AE form is a plain new AE)."""
    raw = request.GET.get("lab_signal", "")
    if not raw.isdigit() or not request.user.has_perm("safety.decide_labsignal"):
        return None
    return (
        LabSignal.objects.filter(pk=int(raw), subject=subject, status=LabSignal.Status.OPEN)
        .select_related("ctcae_term")
        .first()
    )


@require_http_methods(["GET", "POST"])
def adverse_event_edit(request, pk: int | None = None, ae_pk: int | None = None):
    if ae_pk:
        ae = get_object_or_404(_events(request.user), pk=ae_pk)
        subject = ae.subject
    else:
        subject = subject_or_404(request.user, pk)
        ae = AdverseEvent(subject=subject)
    require_add_or_change(request, AdverseEvent, exists=ae_pk is not None)
    # a laboratory value proposed as an AE: the form pre-filled from it, the proposal
    # confirmed by the AE's save
    signal = None if ae_pk else _open_lab_signal(request, subject)
    form = AdverseEventForm(
        request.POST or None,
        instance=ae,
        initial=proposal_initial(signal) if signal is not None else None,
    )
    back = (
        reverse("safety:adverse_event_detail", args=[ae.pk])
        if ae_pk
        else reverse("safety:subject_adverse_events", args=[subject.pk])
    )

    def save() -> str:
        saved = adverse_events.adverse_event_record(
            ae=form.instance, user=request.user, reason=form.reason_for_change
        )
        if signal is not None:
            lab_services.lab_signal_confirm(signal=signal, adverse_event=saved, user=request.user)
        messages.success(request, _("Adverse event saved."))
        return reverse("safety:adverse_event_detail", args=[saved.pk])

    if request.method == "POST" and (done := crf_save(request, form, save=save, back=back)):
        return done
    title = _("Adverse event of %(s)s") % {"s": subject.subject_number}
    subtitle = (
        _("Proposed by a laboratory value: %(why)s") % {"why": signal.explanation}
        if signal is not None
        else ""
    )
    return crf_page(request, form, title=title, back_url=back, subtitle=subtitle)


@require_http_methods(["GET", "POST"])
def follow_up_create(request, ae_pk: int):
    ae = get_object_or_404(_events(request.user), pk=ae_pk)
    require_add_or_change(request, AdverseEventFollowUp, exists=False)
    state = selectors.current_state(ae)
    form = FollowUpForm(
        request.POST or None,
        instance=AdverseEventFollowUp(adverse_event=ae),
        initial={"aetoxgr": state.grade, "aeout": state.outcome},
    )
    back = reverse("safety:adverse_event_detail", args=[ae.pk])

    def save() -> str:
        adverse_events.adverse_event_follow_up(follow_up=form.instance, user=request.user)
        messages.success(request, _("Follow-up saved."))
        return back

    if request.method == "POST" and (done := crf_save(request, form, save=save, back=back)):
        return done
    return crf_page(
        request, form, title=_("Follow-up of %(ae)s") % {"ae": ae.aeterm}, back_url=back
    )


@permission_required("safety.view_seriousadverseeventreport", raise_exception=True)
def open_saes(request):
    """The site's SAEs not yet reported to the sponsor, with their 24-hour clock."""
    reports = (
        scope_to_sites(
            selectors.open_sae_reports(),
            request.user,
            "adverse_event__subject__site",
        )
        .select_related("adverse_event__subject__site")
        .order_by("serious_since")
    )
    now = timezone.now()
    return render(
        request,
        "safety/open_saes.html",
        {"clocks": [selectors.sae_clock(r, now) for r in reports]},
    )


@permission_required("safety.report_sae", raise_exception=True)
@require_http_methods(["GET", "POST"])
def sae_mark_reported(request, ae_pk: int):
    ae = get_object_or_404(_events(request.user).filter(aeser=True), pk=ae_pk)
    report = ae.sae_report  # the current serious period
    if report is None:
        raise Http404
    form = SaeReportedForm(
        request.POST or None,
        initial={"reported_at": timezone.localtime(report.reported_at or timezone.now())},
    )
    back = reverse("safety:adverse_event_detail", args=[ae.pk])
    if request.method == "POST" and form.is_valid():
        try:
            adverse_events.sae_mark_reported(
                report=report,
                user=request.user,
                reported_at=form.cleaned_data["reported_at"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("SAE marked reported to the sponsor."))
            return redirect(back)
    return crf_page(
        request, form, title=_("Report %(ae)s to the sponsor") % {"ae": ae.aeterm}, back_url=back
    )


@permission_required("safety.sign_adverseevent", raise_exception=True)
@require_http_methods(["GET", "POST"])
def to_sign(request):
    """The investigator's queue: AEs of their sites without a valid signature; sign many with
    one password entry, each AE signed on its own."""
    queue = signatures.to_sign(_events(request.user)).order_by("aestdtc", "id")
    preselected = request.GET.getlist("ae")
    form = SignatureForm(
        request.POST or None,
        queryset=queue,
        initial={"adverse_events": preselected},
        ask_username=not signatures.signer_identified(request, request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            signed = signatures.adverse_events_sign(
                aes=list(form.cleaned_data["adverse_events"]),
                signer=request.user,
                username=form.cleaned_data.get("username"),
                password=form.cleaned_data["password"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(n)d adverse event(s) signed.") % {"n": len(signed)})
            return redirect("safety:to_sign")
    return render(request, "safety/to_sign.html", {"form": form, "queue_size": queue.count()})
