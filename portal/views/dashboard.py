from django.contrib.auth.context_processors import PermWrapper
from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string

from enrollment import selectors
from enrollment.models import Subject
from trial_edc.core.clock import site_today, study_day
from trial_edc.core.registry import dashboard_panels


@permission_required("enrollment.view_subject", raise_exception=True)
def subject_dashboard(request, pk: int):
    """The subject's header, then every panel the apps register, in their order."""
    try:
        subject = selectors.subject_dashboard(request.user, pk)
    except Subject.DoesNotExist:
        raise Http404 from None
    today = site_today(subject.site)
    # rendered without the request's context processors (they would run again per panel)
    perms = PermWrapper(request.user)
    panels = [
        render_to_string(panel.template, {"perms": perms, **panel.context(request, subject)})
        for panel in dashboard_panels
        if not panel.permission or request.user.has_perm(panel.permission)
    ]
    return render(
        request,
        "portal/subject_dashboard.html",
        {
            "subject": subject,
            "today": today,
            "study_day": study_day(subject.day1, today),
            "panels": panels,
        },
    )
