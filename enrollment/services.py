"""State changes of screening and enrolment, each in one transaction with its audit context."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment import rules
from enrollment.models import (
    SCREENING_MOVES,
    SUBJECT_MOVES,
    Consent,
    EligibilityChecklist,
    EligibilityDeviation,
    Screening,
    SiteSequence,
    Subject,
)
from enrollment.schedule.services import (
    schedule_create,
    schedule_replan,
    visits_close,
    visits_reopen,
)
from trial_edc.accounts.models import Site
from trial_edc.accounts.permissions import require, require_change
from trial_edc.accounts.roles import user_roles
from trial_edc.audit.services import audit_context, audited_save
from trial_edc.core.clock import site_today
from trial_edc.core.problems import Problem, refuse
from trial_edc.core.registry import death_checks
from trial_edc.core.transactions import service_transaction
from trial_edc.core.transitions import TransitionNotAllowed


def _next_number(site: Site, kind: str) -> int:
    """Take the site's next number; the row lock makes concurrent callers wait their turn."""
    SiteSequence.objects.get_or_create(site=site, kind=kind)
    sequence = SiteSequence.objects.select_for_update().get(site=site, kind=kind)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last


def screening_open(
    *,
    user,
    site: Site,
    initials: str,
    date_of_birth: date,
    sex: str,
    childbearing_potential: bool,
    screening_date: date,
    rescreen_of: Screening | None = None,
) -> Screening:
    """A new entry in the screening log, numbered per site (e.g. 01-S004)."""
    require(user, "enrollment.add_screening", site)
    refuse(
        rules.demographic_problems(
            sex=sex,
            childbearing_potential=childbearing_potential,
            date_of_birth=date_of_birth,
            screening_date=screening_date,
            today=site_today(site),
        )
    )
    if rescreen_of is not None and rescreen_of.status != Screening.Status.SCREEN_FAILURE:
        raise TransitionNotAllowed(_("Only a screen failure can be re-screened."))
    with transaction.atomic():
        number = _next_number(site, "screening")  # waits for a concurrent re-screening
        if rescreen_of is not None and Screening.objects.filter(rescreen_of=rescreen_of).exists():
            raise TransitionNotAllowed(_("A screen failure is re-screened only once."))
        screening = Screening(
            site=site,
            screening_number=f"{site.code}-S{number:03d}",
            initials=initials.upper(),
            date_of_birth=date_of_birth,
            sex=sex,
            childbearing_potential=childbearing_potential,
            screening_date=screening_date,
            rescreen_of=rescreen_of,
            created_by=user,
        )
        audited_save(instance=screening, user=user)
    return screening


def evidence_of(screening: Screening, checklist: EligibilityChecklist | None = None):
    """The plain values the rules read, from the saved (or about to be saved) records."""
    checklist = checklist or getattr(screening, "checklist", None)
    consent = getattr(screening, "consent", None)
    if checklist is None:
        inclusion, exclusion = {}, {}
    else:
        inclusion, exclusion = checklist.answers("inclusion"), checklist.answers("exclusion")
    return rules.EligibilityEvidence(
        inclusion=inclusion,
        exclusion=exclusion,
        date_of_birth=screening.date_of_birth,
        screening_date=screening.screening_date,
        consent_date=site_today(screening.site, consent.signed_at) if consent else None,
        anti_mda5_result=checklist.anti_mda5_result if checklist else None,
        symptom_onset_date=checklist.symptom_onset_date if checklist else None,
        onset_confirmed_by_investigator=bool(
            checklist and checklist.onset_confirmed_by_investigator
        ),
        childbearing_potential=screening.childbearing_potential,
        pregnancy_test_result=(checklist.pregnancy_test_result or None) if checklist else None,
        pregnancy_test_date=checklist.pregnancy_test_date if checklist else None,
    )


def screening_problems(screening: Screening, evidence=None) -> list[Problem]:
    """The rules tying the screening's records together, as of today at its site."""
    return rules.screening_problems(
        evidence or evidence_of(screening), today=site_today(screening.site)
    )


def enrolment_problems(screening: Screening) -> list[Problem]:
    """Everything that stands between the screening and enrolment, every rule run again:
    criteria not met, answers missing, records that contradict each other."""
    evidence = evidence_of(screening)
    return (
        rules.eligibility_failures(evidence)
        + rules.missing_answers(evidence)
        + screening_problems(screening, evidence)
    )


def screening_evaluate(screening: Screening) -> Screening.Status:
    """Eligible, screen failure or still in screening, from the saved answers."""
    evidence = evidence_of(screening)
    failures = rules.eligibility_failures(evidence)
    screening.failed_criteria = [{"code": f.field, "text": f.message} for f in failures]
    if failures:
        return Screening.Status.SCREEN_FAILURE
    if rules.missing_answers(evidence) or screening_problems(screening, evidence):
        return Screening.Status.IN_SCREENING
    return Screening.Status.ELIGIBLE


def _reassess(screening: Screening, *, user, reason: str) -> None:
    if screening.status in (Screening.Status.ENROLLED, Screening.Status.WITHDRAWN):
        return
    before = (screening.status, list(screening.failed_criteria))
    SCREENING_MOVES.move(screening, screening_evaluate(screening))
    if (screening.status, screening.failed_criteria) != before:
        audited_save(instance=screening, user=user, reason=reason)


def _deviation_flag(screening: Screening, *, user, reason: str) -> EligibilityDeviation | None:
    """An enrolled subject's corrected screening is checked again; if it now fails, the
    deviation is recorded for the investigator (once while the same one is open)."""
    problems = enrolment_problems(screening)
    if not problems:
        return None
    found = [{"code": p.field, "text": p.message} for p in problems]
    if screening.eligibility_deviations.filter(reviewed_at=None, problems=found).exists():
        return None
    deviation = EligibilityDeviation(
        screening=screening, problems=found, correction_reason=reason, found_by=user
    )
    audited_save(instance=deviation, user=user, reason="protocol deviation: eligibility")
    return deviation


@service_transaction
def screening_update(*, screening: Screening, user, reason: str) -> EligibilityDeviation | None:
    """Save corrected demographics and, as age, sex, child-bearing potential or the screening
    date may change, decide eligibility again. An enrolled subject stays enrolled; if the
    correction makes them ineligible, that is flagged as a protocol deviation (returned)."""
    require(user, "enrollment.change_screening", screening.site)
    Screening.objects.select_for_update().filter(pk=screening.pk).first()
    refuse(
        rules.demographic_problems(
            sex=screening.sex,
            childbearing_potential=screening.childbearing_potential,
            date_of_birth=screening.date_of_birth,
            screening_date=screening.screening_date,
            today=site_today(screening.site),
        )
    )
    audited_save(instance=screening, user=user, reason=reason)
    if screening.status == Screening.Status.ENROLLED:
        return _deviation_flag(screening, user=user, reason=reason)
    _reassess(screening, user=user, reason=reason)
    return None


@service_transaction
def eligibility_deviation_review(
    *, deviation: EligibilityDeviation, user, note: str
) -> EligibilityDeviation:
    """The investigator's assessment of an eligibility deviation (kept with the record)."""
    deviation = EligibilityDeviation.objects.select_for_update().get(pk=deviation.pk)
    site = deviation.screening.site
    require(user, "enrollment.confirm_eligibility", site)
    if not note.strip():
        refuse([Problem("review_note", _("Say what the deviation means for the subject."))])
    if deviation.reviewed_at is not None:
        refuse([Problem("review_note", _("This deviation has already been reviewed."))])
    deviation.reviewed_at, deviation.reviewed_by = timezone.now(), user
    deviation.review_note = note.strip()
    audited_save(instance=deviation, user=user, reason="eligibility deviation reviewed")
    return deviation


def _check_open(screening: Screening) -> None:
    if screening.status in (Screening.Status.ENROLLED, Screening.Status.WITHDRAWN):
        raise TransitionNotAllowed(
            _("This screening is %(status)s; its checklist and consent can no longer change.")
            % {"status": screening.get_status_display().lower()}
        )


@service_transaction
def checklist_save(*, checklist: EligibilityChecklist, user, reason: str = "") -> None:
    """Save the checklist (refused if inconsistent) and re-assess the screening."""
    screening = Screening.objects.select_for_update().get(pk=checklist.screening_id)
    require_change(user, checklist, screening.site)
    _check_open(screening)
    refuse(rules.checklist_problems(evidence_of(screening, checklist)))
    _onset_confirmation(checklist, user)
    audited_save(instance=checklist, user=user, reason=reason)
    screening.checklist = checklist
    _reassess(screening, user=user, reason=reason or "eligibility assessed")


def _onset_confirmation(checklist: EligibilityChecklist, user) -> None:
    """The investigator's confirmation belongs to the onset date it was given for: a new onset
    date clears it, unless an investigator confirms it again in the same save."""
    saved = EligibilityChecklist.objects.filter(pk=checklist.pk).first() if checklist.pk else None
    onset_changed = saved is not None and saved.symptom_onset_date != checklist.symptom_onset_date
    can_confirm = user.has_perm("enrollment.confirm_eligibility")
    if not checklist.onset_confirmed_by_investigator:
        checklist.onset_confirmed_by = None
    elif onset_changed and not can_confirm:
        checklist.onset_confirmed_by_investigator, checklist.onset_confirmed_by = False, None
    elif onset_changed or checklist.onset_confirmed_by_id is None:
        if not can_confirm:
            raise PermissionDenied(_("Only an investigator can confirm the RP-ILD criteria."))
        checklist.onset_confirmed_by = user


@service_transaction
def consent_save(*, consent: Consent, user, reason: str = "") -> None:
    """Save the consent (refused out of order or out of window) and re-assess."""
    screening = Screening.objects.select_for_update().get(pk=consent.screening_id)
    require_change(user, consent, screening.site)
    _check_open(screening)
    taker = consent.taken_by
    refuse(
        rules.consent_taker_problems(
            roles=user_roles(taker),
            member_of_site=taker.memberships.filter(site_id=screening.site_id).exists(),
            active=taker.is_active,
        )
    )
    screening.consent = consent
    problems = rules.consent_problems(
        consent_date=site_today(screening.site, consent.signed_at),
        screening_date=screening.screening_date,
        today=site_today(screening.site),
        procedure_dates=rules.procedure_dates(evidence_of(screening)),
    )
    if problems:
        raise ValidationError({"signed_at": [p.message for p in problems]})
    audited_save(instance=consent, user=user, reason=reason)
    _reassess(screening, user=user, reason=reason or "consent recorded")


def subject_enroll(
    *, screening: Screening, investigator, first_dose_date: date, enrolled_on: date | None = None
) -> Subject:
    """Enrol an eligible, consented screening: subject number, day 1 and the visit schedule."""
    if not investigator.has_perm("enrollment.enroll_subject"):
        raise PermissionDenied(_("Only an investigator can enrol a subject."))
    require(investigator, "enrollment.enroll_subject", screening.site)
    with transaction.atomic():
        # the site's sequence first, then the screening: every enrolment locks in this order
        number = _next_number(screening.site, "subject")
        screening = Screening.objects.select_for_update().get(pk=screening.pk)
        evidence = evidence_of(screening)
        problems = enrolment_problems(screening)
        if screening.status != Screening.Status.ELIGIBLE or problems:
            raise TransitionNotAllowed(
                [p.message for p in problems] or _("Only an eligible screening can be enrolled.")
            )
        enrolled_on = enrolled_on or site_today(screening.site)
        date_problems = rules.first_dose_date_problems(
            first_dose_date=first_dose_date, consent_date=evidence.consent_date
        ) + rules.enrolment_date_problems(
            enrolled_on=enrolled_on,
            consent_date=evidence.consent_date,
            first_dose_date=first_dose_date,
            today=site_today(screening.site),
        )
        if date_problems:
            refuse(date_problems)
        with audit_context(user=investigator, reason="enrolled"):
            subject = Subject.objects.create(
                site=screening.site,
                screening=screening,
                subject_number=f"{screening.site.code}-{number:03d}",
                day1=first_dose_date,
                enrolled_on=enrolled_on,
                enrolled_by=investigator,
            )
            schedule_create(subject)
            SCREENING_MOVES.move(screening, Screening.Status.ENROLLED)
            screening.save(update_fields=["status"])
    return subject


def subject_day1_move(*, subject: Subject, user, day1: date, reason: str) -> Subject:
    """The investigator moves day 1 while no dose is recorded (the first dose is delayed or
    brought forward); the visits not yet done are planned again from it, in one audited
    transaction. A dose recorded meanwhile waits for this lock (dose_record takes it too)."""
    with transaction.atomic():
        subject = (
            Subject.objects.select_for_update(of=("self",))
            .select_related("site", "screening__consent")
            .get(pk=subject.pk)
        )
        require(user, "enrollment.enroll_subject", subject.site)
        if subject.status != Subject.Status.ON_STUDY:
            raise TransitionNotAllowed(_("This subject has left the study; day 1 stays."))
        refuse(
            rules.day1_move_problems(
                new_day1=day1,
                day1=subject.day1,
                enrolled_on=subject.enrolled_on,
                consent_date=site_today(subject.site, subject.screening.consent.signed_at),
                # the doses' reverse relation: asked, not imported (dosing is a later layer)
                dose_recorded=subject.doses.exists(),
                reason=reason,
            )
        )
        old_day1, subject.day1 = subject.day1, day1
        why = f"day 1 moved from {old_day1.isoformat()}: {reason.strip()}"
        audited_save(instance=subject, user=user, reason=why)
        schedule_replan(subject=subject, old_day1=old_day1, user=user, reason=why)
    return subject


def screening_withdraw(*, screening: Screening, user, on: date, reason: str) -> None:
    """A candidate leaves before treatment; the log keeps the entry."""
    with transaction.atomic():
        screening = Screening.objects.select_for_update().get(pk=screening.pk)
        require(user, "enrollment.change_screening", screening.site)
        SCREENING_MOVES.move(screening, Screening.Status.WITHDRAWN)
        screening.withdrawn_on, screening.withdrawal_reason = on, reason
        audited_save(instance=screening, user=user, reason=f"withdrawn: {reason}")


def subject_end(*, subject: Subject, user, status: str, on: date, reason: str, decided_by: str):
    """Withdrawal, completion or death: remaining visits become not applicable."""
    with transaction.atomic():
        subject = Subject.objects.select_for_update().get(pk=subject.pk)
        require(user, "enrollment.change_subject", subject.site)
        if subject.status != Subject.Status.ON_STUDY or status == Subject.Status.ON_STUDY:
            raise TransitionNotAllowed(_("This subject has already left the study."))
        if on < subject.screening.screening_date:
            raise ValidationError({"on": _("The end date cannot precede screening.")})
        if on > site_today(subject.site):
            raise ValidationError({"on": _("The end of study cannot be in the future.")})
        if status == Subject.Status.DIED:
            refuse([p for check in death_checks for p in check.problems(subject, on)])
        SUBJECT_MOVES.move(subject, status)
        subject.ended_on = on
        subject.end_reason, subject.end_decided_by = reason, decided_by
        label = Subject.Status(status).label.lower()
        audited_save(instance=subject, user=user, reason=f"{label}: {reason}")
        visits_close(subject=subject, user=user, reason=f"subject {label}")
    return subject


def subject_death_reverse(*, subject: Subject, user, reason: str) -> Subject:
    """A death recorded in error: back on study; the visits the death made not applicable
    are planned again (a subject who died had no other way to leave)."""
    with transaction.atomic():
        subject = Subject.objects.select_for_update().get(pk=subject.pk)
        require(user, "enrollment.change_subject", subject.site)
        if subject.status != Subject.Status.DIED:
            raise TransitionNotAllowed(_("Only a subject recorded as died can be restored."))
        SUBJECT_MOVES.move(subject, Subject.Status.ON_STUDY)
        subject.ended_on = None
        subject.end_reason = subject.end_decided_by = ""
        audited_save(instance=subject, user=user, reason=f"death recorded in error: {reason}")
        visits_reopen(subject=subject, user=user, reason=f"death recorded in error: {reason}")
    return subject
