"""Recording doses and concomitant medication; the rules run again before each save."""

from django.utils.translation import gettext as _

from dosing import rules
from dosing.models import ConcomitantMedication, DoseAdministration
from enrollment.models import Subject
from enrollment.schedule.services import after_last_dose_replan
from trial_edc.accounts.permissions import require_change
from trial_edc.audit.services import audited_save
from trial_edc.core.clock import site_today
from trial_edc.core.problems import Problem, refuse
from trial_edc.core.transactions import service_transaction


def treatment_context(subject: Subject) -> rules.SubjectTreatment:
    return rules.SubjectTreatment(
        day1=subject.day1,
        enrolled_on=subject.enrolled_on,
        ended_on=subject.ended_on,
        today=site_today(subject.site),
    )


def dose_record_of(dose: DoseAdministration) -> rules.DoseRecord:
    return rules.DoseRecord(
        study_day=dose.study_day,
        date=dose.date,
        status=dose.status,
        start_time=dose.start_time,
        stop_time=dose.stop_time,
        volume_ml=dose.volume_ml,
        particles=dose.particles,
        reason_not_completed=dose.reason_not_completed,
        spo2_pre=dose.spo2_pre,
        spo2_post=dose.spo2_post,
        desaturation=dose.desaturation,
    )


@service_transaction
def dose_record(*, dose: DoseAdministration, user, reason: str = "") -> DoseAdministration:
    """Save one day's administration: at most one per study day, inside days 1-14."""
    subject = Subject.objects.select_for_update().select_related("site").get(pk=dose.subject_id)
    require_change(user, dose, subject.site)
    problems = rules.dose_problems(dose_record_of(dose), treatment_context(subject))
    duplicate = (
        DoseAdministration.objects.filter(subject=subject, study_day=dose.study_day)
        .exclude(pk=dose.pk)
        .exists()
    )
    if duplicate:
        problems.append(
            Problem(
                "study_day", _("Day %(d)d already has an administration.") % {"d": dose.study_day}
            )
        )
    refuse(problems)
    if dose.recorded_by_id is None:
        dose.recorded_by = user
    audited_save(instance=dose, user=user, reason=reason)
    # the last treatment day recorded, or a correction of what was given: the safety close
    # follows the last dose given (rules.treatment_over), in this transaction
    after_last_dose_replan(
        subject=subject, user=user, reason=f"dose of day {dose.study_day}: from the last dose"
    )
    return dose


@service_transaction
def conmed_record(*, conmed: ConcomitantMedication, user, reason: str = "") -> None:
    require_change(user, conmed, conmed.subject.site)
    problems = rules.conmed_dose_problems(conmed.dose) + rules.conmed_problems(
        start=conmed.start_date, stop=conmed.stop_date, ongoing=conmed.ongoing
    )
    refuse(problems)
    audited_save(instance=conmed, user=user, reason=reason)
