"""The subject list, the end of study, the enrolment summary and the deviation log."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from enrollment import selectors, services
from enrollment.forms import Day1MoveForm, SubjectEndForm, VisitMissedForm
from enrollment.models import Subject
from enrollment.schedule import selectors as schedule_selectors
from enrollment.schedule import services as schedule_services
from enrollment.views import PAGE_SIZE, form_page
from trial_edc.core.forms import apply_errors


@permission_required("enrollment.view_subject", raise_exception=True)
def subject_list(request):
    status = request.GET.get("status", "")
    if status not in Subject.Status.values:
        status = ""
    overdue = request.GET.get("overdue") == "1"
    today = timezone.localdate()
    rows, counts = selectors.subject_list(request.user, today=today, status=status, overdue=overdue)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "enrollment/subject_list.html",
        {
            "page": page,
            "subjects": page.object_list,
            "counts": counts,
            "status": status,
            "overdue": overdue,
            "statuses": Subject.Status.choices,
        },
    )


@permission_required("enrollment.change_subject", raise_exception=True)
@require_http_methods(["GET", "POST"])
def subject_end(request, pk: int):
    subject = get_object_or_404(selectors.subjects_for(request.user), pk=pk)
    form = SubjectEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.subject_end(subject=subject, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Subject %(n)s has left the study.") % {"n": subject.subject_number}
            )
            return redirect("portal:subject_dashboard", pk=pk)
    return form_page(
        request,
        form,
        _("End of study for %(n)s") % {"n": subject.subject_number},
        back_subject=subject,
    )


@permission_required("enrollment.enroll_subject", raise_exception=True)
@require_http_methods(["GET", "POST"])
def subject_day1_move(request, pk: int):
    """The investigator moves day 1 while no dose is recorded; the schedule follows."""
    subject = get_object_or_404(selectors.subjects_for(request.user), pk=pk)
    form = Day1MoveForm(request.POST or None, initial={"day1": subject.day1})
    if request.method == "POST" and form.is_valid():
        try:
            services.subject_day1_move(subject=subject, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Day 1 is now %(d)s; the visits not yet done are planned again.")
                % {"d": form.cleaned_data["day1"].isoformat()},
            )
            return redirect("portal:subject_dashboard", pk=pk)
    return form_page(
        request,
        form,
        _("Move day 1 of %(s)s") % {"s": subject.subject_number},
        back_subject=subject,
        intro=_(
            "Day 1 is %(d)s. It is the day of the first dose: it can move only while no "
            "dose is recorded."
        )
        % {"d": subject.day1.isoformat()},
    )


@permission_required("enrollment.change_subjectvisit", raise_exception=True)
@require_http_methods(["GET", "POST"])
def visit_missed(request, pk: int, code: str):
    """Mark a planned visit past its window as missed, with the reason."""
    subject = get_object_or_404(selectors.subjects_for(request.user), pk=pk)
    visit = get_object_or_404(subject.visits, code=code)
    form = VisitMissedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            schedule_services.visit_mark_missed(
                visit=visit, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(visit)s marked missed.") % {"visit": visit.display_name})
            return redirect("efficacy:visit_detail", pk=pk, code=code)
    return form_page(
        request,
        form,
        _("%(visit)s of %(s)s: mark missed")
        % {"visit": visit.display_name, "s": subject.subject_number},
        back_subject=subject,
        intro=_("Window %(start)s – %(end)s. A missed visit takes no data; its reminders stop.")
        % {"start": visit.window_start, "end": visit.window_end},
    )


@permission_required("enrollment.view_screening", raise_exception=True)
def consort(request):
    return render(
        request, "enrollment/consort.html", {"flow": selectors.consort_flow(request.user)}
    )


@permission_required("enrollment.view_subjectvisit", raise_exception=True)
def deviations(request):
    """The protocol deviation log: visits out of their window, of the user's sites."""
    return render(
        request,
        "enrollment/deviations.html",
        {"visits": schedule_selectors.deviations(request.user)},
    )
