"""Screening log, eligibility, consent, enrolment and the subject pages: parse, call, render."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from enrollment import rules, selectors, services
from enrollment.forms import (
    ChecklistForm,
    ConsentForm,
    DeviationReviewForm,
    EnrollForm,
    ScreeningForm,
    ScreeningWithdrawForm,
)
from enrollment.models import (
    Consent,
    Demographics,
    DiseaseHistory,
    EligibilityChecklist,
    Screening,
)
from enrollment.views import PAGE_SIZE, form_page
from trial_edc.accounts.selectors import sites_for
from trial_edc.core.clock import site_today
from trial_edc.core.forms import already_saved, apply_errors, crf_save


@permission_required("enrollment.view_screening", raise_exception=True)
def screening_log(request):
    status = request.GET.get("status", "")
    if status not in Screening.Status.values:
        status = ""
    rows, counts = selectors.screening_log(request.user, status=status)
    statuses = [(s, s.label, counts.get(s.value, 0)) for s in Screening.Status]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "enrollment/screening_log.html",
        {
            "page": page,
            "screenings": page.object_list,
            "statuses": statuses,
            "status": status,
            "total": sum(counts.values()),
        },
    )


class NewScreeningForm(ScreeningForm):
    site = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Site"))
    field_order = ["site"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites_for(user).filter(is_active=True)
        if self.fields["site"].queryset.count() == 1:
            self.fields["site"].initial = self.fields["site"].queryset.first()


@permission_required("enrollment.add_screening", raise_exception=True)
@require_http_methods(["GET", "POST"])
def screening_create(request):
    form = NewScreeningForm(request.POST or None, user=request.user)

    def save() -> str:
        data = {k: v for k, v in form.cleaned_data.items() if k in ScreeningForm.Meta.fields}
        screening = services.screening_open(
            user=request.user, site=form.cleaned_data["site"], **data
        )
        messages.success(request, _("Screening %(n)s opened.") % {"n": screening.screening_number})
        return _detail_url(screening.pk)

    if request.method == "POST" and (
        done := crf_save(request, form, save=save, back=reverse("enrollment:screening_log"))
    ):
        return done
    return render(request, "enrollment/form.html", {"form": form, "title": _("New screening")})


def _detail_url(pk: int) -> str:
    return reverse("enrollment:screening_detail", args=[pk])


def _screening(request, pk) -> Screening:
    return get_object_or_404(
        selectors.screenings_for(request.user).select_related("checklist", "consent__taken_by"),
        pk=pk,
    )


@permission_required("enrollment.view_screening", raise_exception=True)
def screening_detail(request, pk: int):
    screening = _screening(request, pk)
    evidence = services.evidence_of(screening)
    return render(
        request,
        "enrollment/screening_detail.html",
        {
            "screening": screening,
            "checklist": getattr(screening, "checklist", None),
            "consent": getattr(screening, "consent", None),
            "demographics": Demographics.objects.filter(screening=screening).first(),
            "disease_history": DiseaseHistory.objects.filter(screening=screening).first(),
            "history_count": screening.medical_history.count(),
            "subject": getattr(screening, "subject", None),
            # a screen failure screened again links forward; the re-screening links back
            "rescreened_as": getattr(screening, "rescreened_as", None),
            "missing": rules.missing_answers(evidence),
            "problems": services.screening_problems(screening, evidence),
            "failures": rules.eligibility_failures(evidence),
            "deviations": screening.eligibility_deviations.select_related(
                "found_by", "reviewed_by"
            ),
            "age": rules.age_in_years(screening.date_of_birth, evidence.consent_date)
            if evidence.consent_date
            else None,
            "is_open": screening.status
            not in (Screening.Status.ENROLLED, Screening.Status.WITHDRAWN),
        },
    )


@permission_required("enrollment.change_screening", raise_exception=True)
@require_http_methods(["GET", "POST"])
def screening_edit(request, pk: int):
    screening = _screening(request, pk)
    form = ScreeningForm(request.POST or None, instance=screening)

    def save() -> str:
        deviation = services.screening_update(
            screening=form.instance, user=request.user, reason=form.reason_for_change
        )
        if deviation is not None:
            messages.warning(
                request,
                _(
                    "Screening saved. The enrolled subject no longer meets eligibility: "
                    "a protocol deviation is flagged for the investigator."
                ),
            )
        else:
            messages.success(request, _("Screening saved."))
        return _detail_url(pk)

    if request.method == "POST" and (
        done := crf_save(request, form, save=save, back=_detail_url(pk))
    ):
        return done
    return form_page(
        request, form, _("Edit screening %(n)s") % {"n": screening.screening_number}, back=screening
    )


@require_http_methods(["GET", "POST"])
def checklist_edit(request, pk: int):
    screening = _screening(request, pk)
    checklist = getattr(screening, "checklist", None)
    perm = (
        "enrollment.change_eligibilitychecklist"
        if checklist
        else "enrollment.add_eligibilitychecklist"
    )
    if not request.user.has_perm(perm):
        raise PermissionDenied
    form = ChecklistForm(
        request.POST or None,
        instance=checklist or EligibilityChecklist(screening=screening),
        screening=screening,
        can_confirm_onset=request.user.has_perm("enrollment.confirm_eligibility"),
    )

    def save() -> str:
        services.checklist_save(
            checklist=form.instance, user=request.user, reason=form.reason_for_change
        )
        screening.refresh_from_db()
        messages.success(
            request,
            _("Eligibility checklist saved: %(status)s.")
            % {"status": screening.get_status_display()},
        )
        return _detail_url(pk)

    if request.method == "POST" and (
        done := crf_save(request, form, save=save, back=_detail_url(pk))
    ):
        return done
    return render(request, "enrollment/checklist_form.html", {"form": form, "screening": screening})


@require_http_methods(["GET", "POST"])
def consent_edit(request, pk: int):
    screening = _screening(request, pk)
    consent = getattr(screening, "consent", None)
    perm = "enrollment.change_consent" if consent else "enrollment.add_consent"
    if not request.user.has_perm(perm):
        raise PermissionDenied
    staff = selectors.consent_takers(screening.site)
    form = ConsentForm(
        request.POST or None,
        instance=consent or Consent(screening=screening),
        staff_queryset=staff,
        initial={"taken_by": request.user.pk} if consent is None else None,
    )

    def save() -> str:
        services.consent_save(
            consent=form.instance, user=request.user, reason=form.reason_for_change
        )
        messages.success(request, _("Consent saved."))
        return _detail_url(pk)

    if request.method == "POST" and (
        done := crf_save(request, form, save=save, back=_detail_url(pk))
    ):
        return done
    return form_page(
        request,
        form,
        _("Informed consent of %(n)s") % {"n": screening.screening_number},
        back=screening,
    )


@permission_required("enrollment.enroll_subject", raise_exception=True)
@require_http_methods(["GET", "POST"])
def enroll(request, pk: int):
    screening = _screening(request, pk)
    form = EnrollForm(request.POST or None, initial={"enrolled_on": site_today(screening.site)})

    def save() -> str:
        subject = services.subject_enroll(
            screening=screening,
            investigator=request.user,
            first_dose_date=form.cleaned_data["first_dose_date"],
            enrolled_on=form.cleaned_data["enrolled_on"],
        )
        messages.success(request, _("Enrolled as subject %(n)s.") % {"n": subject.subject_number})
        return reverse("portal:subject_dashboard", args=[subject.pk])

    if request.method == "POST" and (
        done := crf_save(request, form, save=save, back=_detail_url(pk))
    ):
        return done
    return form_page(
        request, form, _("Enrol %(n)s") % {"n": screening.screening_number}, back=screening
    )


@permission_required("enrollment.change_screening", raise_exception=True)
@require_http_methods(["GET", "POST"])
def screening_withdraw(request, pk: int):
    screening = _screening(request, pk)
    form = ScreeningWithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.screening_withdraw(
                screening=screening,
                user=request.user,
                on=form.cleaned_data["withdrawn_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Withdrawn before treatment."))
            return redirect("enrollment:screening_detail", pk=pk)
    return form_page(
        request,
        form,
        _("Withdraw %(n)s before treatment") % {"n": screening.screening_number},
        back=screening,
    )


@permission_required("enrollment.confirm_eligibility", raise_exception=True)
@require_http_methods(["GET", "POST"])
def eligibility_deviation_review(request, pk: int, deviation_pk: int):
    """The investigator's assessment of an eligibility deviation of an enrolled subject."""
    screening = _screening(request, pk)
    deviation = get_object_or_404(screening.eligibility_deviations, pk=deviation_pk)
    if deviation.reviewed_at is not None:
        return redirect("enrollment:screening_detail", pk=pk)
    form = DeviationReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.eligibility_deviation_review(
                deviation=deviation, user=request.user, note=form.cleaned_data["review_note"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Eligibility deviation reviewed."))
            return redirect("enrollment:screening_detail", pk=pk)
    return form_page(
        request,
        form,
        _("Eligibility deviation of %(n)s") % {"n": screening.screening_number},
        back=screening,
        deviation=deviation,
    )


@permission_required("enrollment.add_screening", raise_exception=True)
@require_http_methods(["POST"])
def rescreen(request, pk: int):
    earlier = _screening(request, pk)
    again = Screening.objects.filter(rescreen_of=earlier).values_list("pk", flat=True).first()
    if again is not None:  # a screen failure is re-screened once: a second POST lands on it
        return already_saved(request, _detail_url(again))
    try:
        screening = services.screening_open(
            user=request.user,
            site=earlier.site,
            initials=earlier.initials,
            date_of_birth=earlier.date_of_birth,
            sex=earlier.sex,
            childbearing_potential=earlier.childbearing_potential,
            screening_date=site_today(earlier.site),
            rescreen_of=earlier,
        )
    except ValidationError as exc:
        again = Screening.objects.filter(rescreen_of=earlier).values_list("pk", flat=True).first()
        if again is not None:  # re-screened by a POST sent at the same time
            return already_saved(request, _detail_url(again))
        messages.error(request, " ".join(exc.messages))
        return redirect("enrollment:screening_detail", pk=pk)
    messages.success(request, _("Re-screening %(n)s opened.") % {"n": screening.screening_number})
    return redirect("enrollment:screening_detail", pk=screening.pk)
