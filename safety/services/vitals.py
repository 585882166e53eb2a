"""Recording vital signs: impossible values refused, abnormal ones saved and flagged."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from enrollment.models import Subject
from enrollment.schedule.services import subject_accepts_data
from safety import rules
from safety.models import VitalSigns
from trial_edc.accounts.permissions import require_change
from trial_edc.audit.services import audited_save
from trial_edc.core.clock import site_today, study_day
from trial_edc.core.problems import problems_as_errors


def check_subject_accepts(subject: Subject, moment, field: str) -> None:
    """No data after a subject left the study, none before enrolment, none in the future."""
    on = site_today(subject.site, moment)
    if not subject_accepts_data(subject, on):
        raise ValidationError(
            {field: _("The subject left the study on %(d)s.") % {"d": subject.ended_on}}
        )
    if on > site_today(subject.site):
        raise ValidationError({field: _("This cannot be in the future.")})
    if on < subject.enrolled_on:
        raise ValidationError({field: _("This is before the subject was enrolled.")})


@transaction.atomic
def vitals_record(*, vitals: VitalSigns, user, reason: str = "") -> VitalSigns:
    subject = Subject.objects.select_related("site").get(pk=vitals.subject_id)
    require_change(user, vitals, subject.site)
    problems = rules.vital_problems(vitals.values())
    if problems:
        raise ValidationError(problems_as_errors(problems))
    check_subject_accepts(subject, vitals.measured_at, "measured_at")
    vitals.study_day = study_day(subject.day1, site_today(subject.site, vitals.measured_at))
    if vitals.recorded_by_id is None:
        vitals.recorded_by = user
    audited_save(instance=vitals, user=user, reason=reason)
    return vitals
