from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import render

from dosing import selectors
from dosing.models import DoseAdministration
from efficacy.models import BloodGas
from enrollment.selectors import subject_or_404
from safety.labs.selectors import graded_results
from safety.models import VitalSigns
from trial_edc.core.clock import site_today, study_day_date


@permission_required("dosing.view_doseadministration", raise_exception=True)
def treatment_day(request, pk: int, day: int):
    """One treatment day: its nebulization, vital signs and blood gases, with their forms."""
    subject = subject_or_404(request.user, pk)
    if day not in selectors.treatment_days():
        raise Http404
    on = study_day_date(subject.day1, day)
    return render(
        request,
        "portal/treatment_day.html",
        {
            "subject": subject,
            "day": day,
            "date": on,
            "dose": DoseAdministration.objects.filter(subject=subject, study_day=day).first(),
            "vitals": VitalSigns.objects.filter(subject=subject, study_day=day).order_by(
                "measured_at"
            ),
            "blood_gases": BloodGas.objects.filter(subject=subject, study_day=day).order_by(
                "sampled_at"
            ),
            # the day's safety laboratory values, graded (two queries)
            "lab_rows": [g for g in graded_results([subject.pk]) if g.study_day == day],
            "previous_day": day - 1 if day > 1 else None,
            "next_day": day + 1 if day < selectors.treatment_days()[-1] else None,
            "is_future": on > site_today(subject.site),
        },
    )
