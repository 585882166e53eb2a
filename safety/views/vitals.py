from datetime import datetime, time

from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dosing.selectors import treatment_days
from enrollment.selectors import subject_or_404
from safety.forms import VitalSignsForm
from safety.models import VitalSigns
from safety.services import vitals as services
from trial_edc.core.clock import site_moment, study_day_date
from trial_edc.core.forms import crf_page, crf_save, require_add_or_change, study_day_param


def day_or_dashboard(subject, day: int | None) -> str:
    """Back to the treatment day the record belongs to, else to the subject's dashboard."""
    if day is not None and day in treatment_days():
        return reverse("portal:treatment_day", args=[subject.pk, day])
    return reverse("portal:subject_dashboard", args=[subject.pk])


def moment_of_day(subject, day: int | None, hour: int = 8) -> datetime | None:
    """A default date-time on a study day, in the site's time zone, to pre-fill a form."""
    if day is None:
        return None
    on = study_day_date(subject.day1, day)
    return site_moment(on, time(hour, 0), subject.site)


@require_http_methods(["GET", "POST"])
def vitals_edit(request, pk: int, vitals_pk: int | None = None):
    subject = subject_or_404(request.user, pk)
    vitals = (
        get_object_or_404(VitalSigns, pk=vitals_pk, subject=subject)
        if vitals_pk
        else VitalSigns(subject=subject)
    )
    vitals.subject = subject  # read once: the service uses it too
    require_add_or_change(request, VitalSigns, exists=vitals_pk is not None)
    day = vitals.study_day if vitals_pk else study_day_param(request, treatment_days())
    initial = (
        None
        if vitals_pk
        else {"measured_at": moment_of_day(subject, day), "oxygen_support": "ROOM_AIR"}
    )
    form = VitalSignsForm(request.POST or None, instance=vitals, initial=initial)
    title = _("Vital signs of %(s)s") % {"s": subject.subject_number}
    if day:
        title += " · " + _("day %(d)d") % {"d": day}
    back = day_or_dashboard(subject, day)

    def save() -> str:
        saved = services.vitals_record(
            vitals=form.instance, user=request.user, reason=form.reason_for_change
        )
        messages.success(request, _("Vital signs saved."))
        return day_or_dashboard(subject, saved.study_day)

    if request.method == "POST" and (done := crf_save(request, form, save=save, back=back)):
        return done
    return crf_page(request, form, title=title, back_url=back)
