"""Recording a death on any day: the end of study with its fatal adverse event."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from enrollment.selectors import subject_or_404
from safety import selectors
from safety.forms import DeathForm
from safety.services.death import death_record
from trial_edc.core.forms import apply_errors, crf_page


@require_http_methods(["GET", "POST"])
def death_record_view(request, pk: int):
    subject = subject_or_404(request.user, pk)
    if not request.user.has_perm("enrollment.change_subject"):
        raise PermissionDenied
    dashboard = reverse("portal:subject_dashboard", args=[subject.pk])
    if subject.status == subject.Status.DIED:
        messages.info(request, _("The death of this subject is recorded."))
        return redirect(dashboard)
    fatal = selectors.fatal_adverse_events(subject.pk)
    form = DeathForm(request.POST or None, fatal_events=fatal)
    if request.method == "POST" and form.is_valid():
        try:
            death_record(
                subject=subject,
                user=request.user,
                died_on=form.cleaned_data["died_on"],
                cause=form.cleaned_data["cause"],
                adverse_event=form.cleaned_data["adverse_event"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("The death of %(s)s is recorded.") % {"s": subject.subject_number}
            )
            return redirect(dashboard)
    if not fatal and request.method == "GET":
        messages.warning(
            request,
            _(
                "No adverse event of this subject is fatal yet: record the fatal adverse event "
                "(or its fatal follow-up) first."
            ),
        )
    return crf_page(
        request,
        form,
        title=_("Death of %(s)s") % {"s": subject.subject_number},
        back_url=dashboard,
        subtitle=_("The end of study: remaining visits become not applicable, reminders stop."),
    )
