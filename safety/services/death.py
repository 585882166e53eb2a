"""A death, recorded on the day it is learnt of: the end of study (date, cause) and the fatal
adverse event it comes from. Remaining visits become not applicable and reminders stop
(enrollment.services.subject_end); a follow-up visit's vital status uses the same service."""

from datetime import date

from django.utils.translation import gettext as _

from enrollment.models import Subject
from enrollment.services import subject_death_reverse, subject_end
from safety import selectors
from safety.models import AdverseEvent, SubjectDeath
from trial_edc.accounts.permissions import require
from trial_edc.audit.services import audit_context, audited_save
from trial_edc.core.clock import site_today
from trial_edc.core.problems import Problem, refuse
from trial_edc.core.transactions import service_transaction


def death_problems(subject: Subject, on: date) -> list[Problem]:
    """A death ends the study only with a fatal adverse event on file (the registered death
    check: enrollment.services.subject_end runs it whatever the path)."""
    if not selectors.fatal_adverse_events(subject.pk):
        return [
            Problem(
                "adverse_event",
                _(
                    "A death must be recorded as an adverse event with a fatal outcome "
                    "(grade 5) first."
                ),
            )
        ]
    return []


@service_transaction
def death_record(
    *,
    subject: Subject,
    user,
    died_on: date,
    cause: str,
    adverse_event: AdverseEvent | None = None,
    reason: str = "",
) -> SubjectDeath:
    """Record (or correct) a death: `adverse_event` is the fatal AE it comes from (None: the
    subject's latest fatal AE)."""
    subject = (
        Subject.objects.select_for_update().select_related("site", "screening").get(pk=subject.pk)
    )
    require(user, "enrollment.change_subject", subject.site)
    fatal = selectors.fatal_adverse_events(subject.pk)
    if adverse_event is None and fatal:
        adverse_event = fatal[0]
    problems = []
    if adverse_event is None or adverse_event.pk not in {ae.pk for ae in fatal}:
        problems += death_problems(subject, died_on) or [
            Problem("adverse_event", _("Choose an adverse event of this subject that was fatal."))
        ]
    elif died_on < adverse_event.aestdtc:
        problems.append(
            Problem("died_on", _("The death cannot precede the onset of its adverse event."))
        )
    if died_on > site_today(subject.site):
        problems.append(Problem("died_on", _("The date of death cannot be in the future.")))
    if not cause.strip():
        problems.append(Problem("cause", _("Give the cause of death.")))
    if subject.status not in (Subject.Status.ON_STUDY, Subject.Status.DIED):
        problems.append(
            Problem(
                "__all__",
                _("This subject left the study (%(status)s) before; correct that first.")
                % {"status": subject.get_status_display().lower()},
            )
        )
    refuse(problems)
    if subject.status == Subject.Status.ON_STUDY:
        subject_end(
            subject=subject,
            user=user,
            status=Subject.Status.DIED,
            on=died_on,
            reason=cause,
            decided_by="",
        )
    elif (subject.ended_on, subject.end_reason) != (died_on, cause):
        # a corrected date or cause of death is the end of study too
        subject.ended_on, subject.end_reason = died_on, cause
        audited_save(instance=subject, user=user, reason=reason or _("death corrected"))
    death = SubjectDeath.objects.filter(subject=subject).first()
    if death is None:
        death = SubjectDeath(subject=subject, adverse_event=adverse_event, recorded_by=user)
        audited_save(instance=death, user=user, reason="death recorded")
    elif death.adverse_event_id != adverse_event.pk:
        death.adverse_event = adverse_event
        audited_save(instance=death, user=user, reason=reason or _("death corrected"))
    return death


@service_transaction
def death_reverse(*, subject: Subject, user, reason: str) -> Subject:
    """A death recorded in error: back on study, and the record of its fatal AE removed
    (kept in the audit trail)."""
    subject = subject_death_reverse(subject=subject, user=user, reason=reason)
    with audit_context(user=user, reason=f"death recorded in error: {reason}"):
        SubjectDeath.objects.filter(subject=subject).delete()
    return subject
