"""The baseline CRF pages of a screening: parse, call the service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from enrollment import selectors
from enrollment.baseline import services
from enrollment.baseline.forms import DemographicsForm, DiseaseHistoryForm, MedicalHistoryForm
from enrollment.models import Demographics, DiseaseHistory, MedicalHistory, Screening
from trial_edc.core.forms import crf_page, crf_save, require_add_or_change


def _screening(request, pk: int) -> Screening:
    return get_object_or_404(
        selectors.screenings_for(request.user).select_related("consent"), pk=pk
    )


def _detail(screening) -> str:
    return reverse("enrollment:screening_detail", args=[screening.pk])


def _one_per_screening(request, pk, *, model, form_class, service, kwarg, title):
    screening = _screening(request, pk)
    record = model.objects.filter(screening=screening).first()
    require_add_or_change(request, model, exists=record is not None)
    form = form_class(
        request.POST or None,
        instance=record or model(screening=screening),
        screening=screening,
    )
    back = _detail(screening)

    def save() -> str:
        service(**{kwarg: form.instance}, user=request.user, reason=form.reason_for_change)
        messages.success(request, _("%(form)s saved.") % {"form": title})
        return back

    if request.method == "POST" and (done := crf_save(request, form, save=save, back=back)):
        return done
    return crf_page(
        request,
        form,
        title=f"{title} — {screening.screening_number}",
        back_url=back,
    )


@require_http_methods(["GET", "POST"])
def demographics_edit(request, pk: int):
    return _one_per_screening(
        request,
        pk,
        model=Demographics,
        form_class=DemographicsForm,
        service=services.demographics_save,
        kwarg="demographics",
        title=_("Demographics"),
    )


@require_http_methods(["GET", "POST"])
def disease_history_edit(request, pk: int):
    return _one_per_screening(
        request,
        pk,
        model=DiseaseHistory,
        form_class=DiseaseHistoryForm,
        service=services.disease_history_save,
        kwarg="history",
        title=_("Dermatomyositis and ILD history"),
    )


@permission_required("enrollment.view_medicalhistory", raise_exception=True)
def medical_history_list(request, pk: int):
    screening = _screening(request, pk)
    return render(
        request,
        "enrollment/medical_history.html",
        {"screening": screening, "entries": screening.medical_history.order_by("id")},
    )


@require_http_methods(["GET", "POST"])
def medical_history_edit(request, pk: int, entry_pk: int | None = None):
    screening = _screening(request, pk)
    entry = (
        get_object_or_404(MedicalHistory, pk=entry_pk, screening=screening)
        if entry_pk
        else MedicalHistory(screening=screening)
    )
    require_add_or_change(request, MedicalHistory, exists=entry_pk is not None)
    form = MedicalHistoryForm(request.POST or None, instance=entry, screening=screening)
    back = reverse("enrollment:medical_history", args=[screening.pk])

    def save() -> str:
        services.medical_history_save(
            entry=form.instance, user=request.user, reason=form.reason_for_change
        )
        messages.success(request, _("Medical history saved."))
        return back

    if request.method == "POST" and (done := crf_save(request, form, save=save, back=back)):
        return done
    return crf_page(
        request,
        form,
        title=_("Medical history — %(n)s") % {"n": screening.screening_number},
        back_url=back,
    )
