"""The dose and concomitant medication forms, and the missing doses."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dosing import selectors, services
from dosing.forms import ConMedForm, DoseForm, PriorTreatmentForm
from dosing.models import ConcomitantMedication, DoseAdministration
from enrollment.selectors import subject_or_404
from trial_edc.core.clock import study_day_date
from trial_edc.core.forms import crf_page, crf_save, require_add_or_change, study_day_or_404
from trial_edc.study import study


@require_http_methods(["GET", "POST"])
def dose_edit(request, pk: int, day: int):
    subject = subject_or_404(request.user, pk)
    day = study_day_or_404(day, selectors.treatment_days())
    dose = DoseAdministration.objects.filter(subject=subject, study_day=day).first()
    require_add_or_change(request, DoseAdministration, exists=dose is not None)
    if dose is None:
        configured = study().dose
        dose = DoseAdministration(
            subject=subject, study_day=day, date=study_day_date(subject.day1, day)
        )
        initial = {
            "volume_ml": configured.volume_ml,
            "particles": configured.particles,
            "status": DoseAdministration.Status.COMPLETED,
        }
    else:
        initial = None
    form = DoseForm(request.POST or None, instance=dose, initial=initial)
    day_url = reverse("portal:treatment_day", args=[subject.pk, day])

    def save() -> str:
        services.dose_record(dose=form.instance, user=request.user, reason=form.reason_for_change)
        messages.success(request, _("Dose of day %(d)d saved.") % {"d": day})
        return day_url

    if request.method == "POST" and (done := crf_save(request, form, save=save, back=day_url)):
        return done
    return crf_page(
        request,
        form,
        title=_dose_title(subject, day),
        back_url=day_url,
        subtitle=_("Date of administration: %(d)s") % {"d": dose.date.isoformat()},
    )


def _dose_title(subject, day) -> str:
    return _("Nebulization of day %(d)d, subject %(s)s") % {"d": day, "s": subject.subject_number}


@permission_required("dosing.view_concomitantmedication", raise_exception=True)
def conmed_list(request, pk: int):
    subject = subject_or_404(request.user, pk)
    return render(
        request,
        "dosing/conmed_list.html",
        {"subject": subject, "conmeds": subject.conmeds.order_by("start_date", "id")},
    )


@require_http_methods(["GET", "POST"])
def conmed_edit(request, pk: int, conmed_pk: int | None = None):
    subject = subject_or_404(request.user, pk)
    conmed = (
        get_object_or_404(ConcomitantMedication, pk=conmed_pk, subject=subject)
        if conmed_pk
        else ConcomitantMedication(subject=subject)
    )
    require_add_or_change(request, ConcomitantMedication, exists=conmed_pk is not None)
    form = ConMedForm(request.POST or None, instance=conmed)
    back = reverse("dosing:conmed_list", args=[subject.pk])
    title = _("Concomitant medication of %(s)s") % {"s": subject.subject_number}

    def save() -> str:
        services.conmed_record(
            conmed=form.instance, user=request.user, reason=form.reason_for_change
        )
        messages.success(request, _("Medication saved."))
        return back

    if request.method == "POST" and (done := crf_save(request, form, save=save, back=back)):
        return done
    return crf_page(request, form, title=title, back_url=back)


@permission_required("dosing.view_concomitantmedication", raise_exception=True)
def prior_treatment(request, pk: int):
    """The baseline's prior treatment: the subject's con-med entries started before day 1."""
    subject = subject_or_404(request.user, pk)
    return render(
        request,
        "dosing/prior_treatment.html",
        {
            "subject": subject,
            "conmeds": subject.conmeds.filter(start_date__lt=subject.day1).order_by(
                "start_date", "id"
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def prior_treatment_create(request, pk: int):
    """Add a prior treatment: it is saved as a concomitant medication (one list, one record)."""
    subject = subject_or_404(request.user, pk)
    require_add_or_change(request, ConcomitantMedication, exists=False)
    form = PriorTreatmentForm(request.POST or None, instance=ConcomitantMedication(subject=subject))
    back = reverse("dosing:prior_treatment", args=[subject.pk])

    def save() -> str:
        services.conmed_record(conmed=form.instance, user=request.user)
        messages.success(request, _("Prior treatment saved on the concomitant medication list."))
        return back

    if request.method == "POST" and (done := crf_save(request, form, save=save, back=back)):
        return done
    return crf_page(
        request,
        form,
        title=_("Prior treatment of %(s)s") % {"s": subject.subject_number},
        back_url=back,
        subtitle=_("Started before day 1 (%(d)s); kept on the concomitant medication list.")
        % {"d": subject.day1.isoformat()},
    )


@permission_required("dosing.view_doseadministration", raise_exception=True)
def missing_doses(request):
    return render(
        request,
        "dosing/missing_doses.html",
        {"rows": selectors.subjects_missing_doses(request.user)},
    )
