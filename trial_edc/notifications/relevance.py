"""Is a queued message still worth sending? Asked again just before it goes out."""

from django.utils.translation import gettext as _

from trial_edc.notifications import rules
from trial_edc.notifications.models import Kind, Notification


def _visit(n: Notification) -> str:
    from enrollment.models import Subject, SubjectVisit

    visit = SubjectVisit.objects.select_related("subject").filter(pk=n.object_id).first()
    if visit is None:
        return _("The visit no longer exists.")
    if visit.outcome != SubjectVisit.Outcome.PLANNED:
        return _("The visit is %(outcome)s.") % {"outcome": visit.get_outcome_display().lower()}
    if visit.subject.status != Subject.Status.ON_STUDY:
        return _("The subject is no longer on study.")
    return ""


def _treatment_day(n: Notification) -> str:
    from dosing.models import DoseAdministration
    from enrollment.models import Subject
    from safety.models import VitalSigns

    subject = Subject.objects.filter(pk=n.object_id).first()
    if subject is None or subject.status != Subject.Status.ON_STUDY:
        return _("The subject is no longer on study.")
    if n.kind == Kind.VITALS_MISSING:
        day = rules.treatment_study_day(subject.day1, n.for_date)
        if VitalSigns.objects.filter(subject=subject, study_day=day).exists():
            return _("The day's vital signs have been recorded.")
    elif DoseAdministration.objects.filter(subject=subject, date=n.for_date).exists():
        return _("The day's dose has been recorded.")
    return ""


def _sae_open(n: Notification) -> str:
    from safety.models import SeriousAdverseEventReport

    report = (
        SeriousAdverseEventReport.objects.filter(pk=n.object_id)
        .select_related("adverse_event")
        .first()
    )
    if report is None or report.reported_at is not None:
        return _("The SAE has been reported to the sponsor.")
    if not report.adverse_event.aeser:
        return _("The adverse event is no longer serious.")
    return ""


CHECKS = {
    Kind.VISIT_WINDOW_OPENS: _visit,
    Kind.VISIT_OVERDUE: _visit,
    Kind.DOSE_TODAY: _treatment_day,
    Kind.DOSE_MISSING: _treatment_day,
    Kind.VITALS_MISSING: _treatment_day,
    Kind.SAE_REMINDER: _sae_open,
    Kind.SAE_ESCALATION: _sae_open,
}


def why_not_relevant(n: Notification) -> str:
    """Why the message should not go out any more, or "" if it should."""
    check = CHECKS.get(n.kind)
    return check(n) if check else ""
