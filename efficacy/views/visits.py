"""Thin views over efficacy.services: the visit page, its forms, and the change-from-baseline
tables (subject, study, CSV, PDF)."""

from datetime import time

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dosing.selectors import treatment_days
from efficacy import selectors, services
from efficacy.forms import (
    BloodGasForm,
    FollowUpStatusForm,
    HrctScoreForm,
    LabPanelForm,
    PulmonaryFunctionForm,
    VisitDateForm,
)
from efficacy.models import BloodGas, FollowUpStatus, HrctScore, LabPanel, PulmonaryFunctionTest
from enrollment.models import SubjectVisit
from enrollment.schedule import rules as schedule_rules
from enrollment.schedule import services as schedule_services
from enrollment.selectors import subject_or_404, visit_or_404
from safety.views.vitals import day_or_dashboard, moment_of_day
from trial_edc.core.clock import site_moment
from trial_edc.core.forms import crf_page, crf_save, require_add_or_change, study_day_param
from trial_edc.study import study


@require_http_methods(["GET", "POST"])
def blood_gas_edit(request, pk: int, gas_pk: int | None = None):
    subject = subject_or_404(request.user, pk)
    gas = (
        get_object_or_404(BloodGas, pk=gas_pk, subject=subject)
        if gas_pk
        else BloodGas(subject=subject)
    )
    require_add_or_change(request, BloodGas, exists=gas_pk is not None)
    day = gas.study_day if gas_pk else study_day_param(request, treatment_days())
    initial = (
        None if gas_pk else {"sampled_at": moment_of_day(subject, day), "pressure_unit": "mmHg"}
    )
    back = visit_url(gas.visit) if gas.visit_id else day_or_dashboard(subject, day)
    return _blood_gas_page(request, subject, gas, initial, back)


@require_http_methods(["GET", "POST"])
def visit_blood_gas(request, pk: int, code: str):
    """The visit's oxygenation: its first blood gas, or a new one attached to the visit."""
    visit = _visit_with_form(request, pk, code, "oxygenation")
    subject = visit.subject
    gas = visit.blood_gases.order_by("sampled_at").first() or BloodGas(subject=subject, visit=visit)
    require_add_or_change(request, BloodGas, exists=gas.pk is not None)
    initial = None
    if gas.pk is None:
        on = visit.visit_date or visit.target_date
        at = site_moment(on, time(8), subject.site)
        initial = {"pressure_unit": "mmHg", "sampled_at": at}
    return _blood_gas_page(request, subject, gas, initial, visit_url(visit))


def _blood_gas_page(request, subject, gas, initial, back: str):
    form = BloodGasForm(request.POST or None, instance=gas, initial=initial)
    title = _("Arterial blood gas of %(s)s") % {"s": subject.subject_number}
    if gas.visit_id:
        title += f" — {gas.visit.display_name}"

    def save() -> str:
        saved = services.blood_gas_record(
            gas=form.instance, user=request.user, reason=form.reason_for_change
        )
        messages.success(
            request, _("Blood gas saved: PaO2/FiO2 %(pf)s mmHg.") % {"pf": saved.pf_ratio}
        )
        return back if gas.visit_id else day_or_dashboard(subject, saved.study_day)

    if request.method == "POST" and (done := crf_save(request, form, save=save, back=back)):
        return done
    return crf_page(request, form, title=title, back_url=back)


def visit_url(visit: SubjectVisit) -> str:
    return reverse("efficacy:visit_detail", args=[visit.subject_id, visit.code])


def _visit(request, pk: int, code: str) -> SubjectVisit:
    return visit_or_404(request.user, pk, code)


def _visit_with_form(request, pk: int, code: str, key: str) -> SubjectVisit:
    """The visit, if its configuration has this form (a PFT at screening is a 404)."""
    visit = _visit(request, pk, code)
    if key not in schedule_rules.required_forms(study().visit(code).forms, code=code, died=False):
        raise Http404
    return visit


def visit_detail(request, pk: int, code: str):
    subject = subject_or_404(request.user, pk)
    page = selectors.visit_page(subject, code)
    return render(request, "efficacy/visit_detail.html", {"subject": subject, **page})


@require_http_methods(["GET", "POST"])
def visit_date_edit(request, pk: int, code: str):
    visit = _visit_with_form(request, pk, code, schedule_rules.VISIT_DATE)
    require_add_or_change(request, SubjectVisit, exists=True)
    form = VisitDateForm(request.POST or None, instance=visit)
    title = _("%(visit)s of %(s)s: visit date") % {
        "visit": visit.display_name,
        "s": visit.subject.subject_number,
    }
    subtitle = _("Window %(start)s – %(end)s (target %(target)s).") % {
        "start": visit.window_start,
        "end": visit.window_end,
        "target": visit.target_date,
    }

    def save() -> str:
        saved = schedule_services.visit_date_record(
            visit=SubjectVisit.objects.get(pk=visit.pk),
            visit_date=form.cleaned_data["visit_date"],
            deviation_reason=form.cleaned_data["deviation_reason"],
            user=request.user,
            reason=form.reason_for_change,
        )
        if saved.out_of_window:
            messages.warning(request, _("Visit date saved, out of window: a deviation."))
        else:
            messages.success(request, _("Visit date saved."))
        return visit_url(visit)

    back = visit_url(visit)
    if request.method == "POST" and (done := crf_save(request, form, save=save, back=back)):
        return done
    return crf_page(request, form, title=title, subtitle=subtitle, back_url=visit_url(visit))


def _visit_record_page(request, pk, code, *, key, model, form_class, save, title, template=None):
    """The add-or-change page of a one-per-visit form; `save(form, user)`."""
    visit = _visit_with_form(request, pk, code, key)
    record = model.objects.filter(visit=visit).first() or model(visit=visit)
    require_add_or_change(request, model, exists=record.pk is not None)
    form = form_class(request.POST or None, instance=record)
    title = _("%(visit)s of %(s)s: %(form)s") % {
        "visit": visit.display_name,
        "s": visit.subject.subject_number,
        "form": title,
    }

    def save_it() -> str:
        save(form, request.user)
        messages.success(
            request, _("%(form)s saved.") % {"form": capfirst(model._meta.verbose_name)}
        )
        return visit_url(visit)

    back = visit_url(visit)
    if request.method == "POST" and (done := crf_save(request, form, save=save_it, back=back)):
        return done
    if template is None:
        return crf_page(request, form, title=title, back_url=visit_url(visit))
    return render(request, template, {"form": form, "title": title, "back_url": visit_url(visit)})


@require_http_methods(["GET", "POST"])
def pft_edit(request, pk: int, code: str):
    return _visit_record_page(
        request,
        pk,
        code,
        key="pft",
        model=PulmonaryFunctionTest,
        form_class=PulmonaryFunctionForm,
        title=_("pulmonary function"),
        save=lambda form, user: services.pft_record(
            pft=form.instance, user=user, reason=form.reason_for_change
        ),
    )


@require_http_methods(["GET", "POST"])
def hrct_edit(request, pk: int, code: str):
    return _visit_record_page(
        request,
        pk,
        code,
        key="hrct",
        model=HrctScore,
        form_class=HrctScoreForm,
        title=_("chest HRCT score"),
        template="efficacy/hrct_form.html",
        save=lambda form, user: services.hrct_record(
            hrct=form.instance, user=user, reason=form.reason_for_change
        ),
    )


@require_http_methods(["GET", "POST"])
def lab_panel_edit(request, pk: int, code: str):
    return _visit_record_page(
        request,
        pk,
        code,
        key="labs",
        model=LabPanel,
        form_class=LabPanelForm,
        title=_("laboratory / serology"),
        template="efficacy/lab_form.html",
        save=lambda form, user: services.lab_panel_record(
            panel=form.instance, results=form.results(), user=user, reason=form.reason_for_change
        ),
    )


@require_http_methods(["GET", "POST"])
def follow_up_edit(request, pk: int, code: str):
    return _visit_record_page(
        request,
        pk,
        code,
        key="follow_up",
        model=FollowUpStatus,
        form_class=FollowUpStatusForm,
        title=_("follow-up status"),
        save=lambda form, user: services.follow_up_record(
            follow_up=form.instance, user=user, reason=form.reason_for_change
        ),
    )
