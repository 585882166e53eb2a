"""State changes of screening and enrolment, each in one transaction with its audit context."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment import rules
from enrollment.models import (
    Consent,
    EligibilityChecklist,
    Screening,
    SiteSequence,
    Subject,
    SubjectVisit,
)
from trial_edc.accounts.models import Site, SiteMembership
from trial_edc.audit.services import audit_context, audited_save


class TransitionNotAllowed(ValidationError):
    """A state change that the screening's or subject's current status does not allow."""


# allowed moves of a screening
SCREENING_TRANSITIONS = {
    Screening.Status.IN_SCREENING: {
        Screening.Status.ELIGIBLE,
        Screening.Status.SCREEN_FAILURE,
        Screening.Status.WITHDRAWN,
    },
    Screening.Status.ELIGIBLE: {
        Screening.Status.IN_SCREENING,
        Screening.Status.SCREEN_FAILURE,
        Screening.Status.ENROLLED,
        Screening.Status.WITHDRAWN,
    },
    Screening.Status.SCREEN_FAILURE: {Screening.Status.IN_SCREENING, Screening.Status.ELIGIBLE},
    Screening.Status.ENROLLED: set(),
    Screening.Status.WITHDRAWN: set(),
}


def _move(screening: Screening, to: str) -> None:
    if to != screening.status and to not in SCREENING_TRANSITIONS[screening.status]:
        raise TransitionNotAllowed(
            _("A screening that is '%(now)s' cannot become '%(to)s'.")
            % {"now": screening.get_status_display(), "to": Screening.Status(to).label}
        )
    screening.status = to


def _next_number(site: Site, kind: str) -> int:
    """Take the site's next number; the row lock makes concurrent callers wait their turn."""
    SiteSequence.objects.get_or_create(site=site, kind=kind)
    sequence = SiteSequence.objects.select_for_update().get(site=site, kind=kind)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last


def site_date(site: Site, moment: datetime | None = None) -> date:
    """The calendar date at the site of a moment (now by default)."""
    return (moment or timezone.now()).astimezone(ZoneInfo(site.time_zone)).date()


def _check_member(user, site: Site) -> None:
    if not SiteMembership.objects.filter(user=user, site=site).exists():
        raise PermissionDenied(_("You are not a member of site %(site)s.") % {"site": site.code})


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
    _check_member(user, site)
    if rescreen_of is not None and rescreen_of.status != Screening.Status.SCREEN_FAILURE:
        raise TransitionNotAllowed(_("Only a screen failure can be re-screened."))
    with transaction.atomic():
        number = _next_number(site, "screening")
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
        consent_date=site_date(screening.site, consent.signed_at) if consent else None,
        anti_mda5_result=checklist.anti_mda5_result if checklist else None,
        symptom_onset_date=checklist.symptom_onset_date if checklist else None,
        onset_confirmed_by_investigator=bool(
            checklist and checklist.onset_confirmed_by_investigator
        ),
        childbearing_potential=screening.childbearing_potential,
        pregnancy_test_result=(checklist.pregnancy_test_result or None) if checklist else None,
    )


def screening_evaluate(screening: Screening) -> Screening.Status:
    """Eligible, screen failure or still in screening, from the saved answers."""
    evidence = evidence_of(screening)
    failures = rules.eligibility_failures(evidence)
    screening.failed_criteria = [{"code": f.field, "text": f.message} for f in failures]
    if failures:
        return Screening.Status.SCREEN_FAILURE
    if rules.missing_answers(evidence):
        return Screening.Status.IN_SCREENING
    return Screening.Status.ELIGIBLE


def _reassess(screening: Screening, *, user, reason: str) -> None:
    if screening.status in (Screening.Status.ENROLLED, Screening.Status.WITHDRAWN):
        return
    before = (screening.status, list(screening.failed_criteria))
    _move(screening, screening_evaluate(screening))
    if (screening.status, screening.failed_criteria) != before:
        audited_save(instance=screening, user=user, reason=reason)


@transaction.atomic
def screening_update(*, screening: Screening, user, reason: str) -> None:
    """Save corrected demographics and, as age or child-bearing potential may change, decide
    eligibility again."""
    audited_save(instance=screening, user=user, reason=reason)
    _reassess(screening, user=user, reason=reason)


def _check_open(screening: Screening) -> None:
    if screening.status in (Screening.Status.ENROLLED, Screening.Status.WITHDRAWN):
        raise TransitionNotAllowed(
            _("This screening is %(status)s; its checklist and consent can no longer change.")
            % {"status": screening.get_status_display().lower()}
        )


@transaction.atomic
def checklist_save(*, checklist: EligibilityChecklist, user, reason: str = "") -> None:
    """Save the checklist (refused if inconsistent) and re-assess the screening."""
    screening = Screening.objects.select_for_update().get(pk=checklist.screening_id)
    _check_open(screening)
    problems = rules.consistency_problems(evidence_of(screening, checklist))
    if problems:
        raise ValidationError({p.field: p.message for p in problems})
    if checklist.onset_confirmed_by_investigator and checklist.onset_confirmed_by_id is None:
        if not user.has_perm("enrollment.confirm_eligibility"):
            raise PermissionDenied(_("Only an investigator can confirm the RP-ILD criteria."))
        checklist.onset_confirmed_by = user
    if not checklist.onset_confirmed_by_investigator:
        checklist.onset_confirmed_by = None
    audited_save(instance=checklist, user=user, reason=reason)
    screening.checklist = checklist
    _reassess(screening, user=user, reason=reason or "eligibility assessed")


@transaction.atomic
def consent_save(*, consent: Consent, user, reason: str = "") -> None:
    """Save the consent (refused out of order or out of window) and re-assess."""
    screening = Screening.objects.select_for_update().get(pk=consent.screening_id)
    _check_open(screening)
    checklist = getattr(screening, "checklist", None)
    procedures = {_("the pregnancy test"): checklist.pregnancy_test_date if checklist else None}
    problems = rules.consent_problems(
        consent_date=site_date(screening.site, consent.signed_at),
        screening_date=screening.screening_date,
        today=site_date(screening.site),
        procedure_dates=procedures,
    )
    if problems:
        raise ValidationError({"signed_at": [p.message for p in problems]})
    audited_save(instance=consent, user=user, reason=reason)
    screening.consent = consent
    _reassess(screening, user=user, reason=reason or "consent recorded")


def subject_enroll(
    *, screening: Screening, investigator, first_dose_date: date, enrolled_on: date | None = None
) -> Subject:
    """Enrol an eligible, consented screening: subject number, day 1 and the visit schedule."""
    if not investigator.has_perm("enrollment.enroll_subject"):
        raise PermissionDenied(_("Only an investigator can enrol a subject."))
    _check_member(investigator, screening.site)
    with transaction.atomic():
        # the site's sequence first, then the screening: every enrolment locks in this order
        number = _next_number(screening.site, "subject")
        screening = Screening.objects.select_for_update().get(pk=screening.pk)
        evidence = evidence_of(screening)
        problems = rules.eligibility_failures(evidence) + rules.missing_answers(evidence)
        if screening.status != Screening.Status.ELIGIBLE or problems:
            raise TransitionNotAllowed(
                [p.message for p in problems] or _("Only an eligible screening can be enrolled.")
            )
        enrolled_on = enrolled_on or site_date(screening.site)
        date_problems = rules.first_dose_date_problems(
            first_dose_date=first_dose_date, consent_date=evidence.consent_date
        ) + rules.enrolment_date_problems(
            enrolled_on=enrolled_on,
            consent_date=evidence.consent_date,
            first_dose_date=first_dose_date,
            today=site_date(screening.site),
        )
        if date_problems:
            raise ValidationError(rules.problems_as_errors(date_problems))
        with audit_context(user=investigator, reason="enrolled"):
            subject = Subject.objects.create(
                site=screening.site,
                screening=screening,
                subject_number=f"{screening.site.code}-{number:03d}",
                day1=first_dose_date,
                enrolled_on=enrolled_on,
                enrolled_by=investigator,
            )
            SubjectVisit.objects.bulk_create(
                SubjectVisit(
                    subject=subject,
                    code=planned.code,
                    name=planned.name,
                    order=order,
                    target_date=planned.target_date,
                    window_start=planned.window_start,
                    window_end=planned.window_end,
                    outcome=(
                        SubjectVisit.Outcome.DONE
                        if planned.code == "SCREENING"
                        else SubjectVisit.Outcome.PLANNED
                    ),
                    visit_date=screening.screening_date if planned.code == "SCREENING" else None,
                )
                for order, planned in enumerate(rules.visit_schedule(day1=first_dose_date))
            )
            _move(screening, Screening.Status.ENROLLED)
            screening.save(update_fields=["status"])
    return subject


def screening_withdraw(*, screening: Screening, user, on: date, reason: str) -> None:
    """A candidate leaves before treatment; the log keeps the entry."""
    with transaction.atomic():
        screening = Screening.objects.select_for_update().get(pk=screening.pk)
        _move(screening, Screening.Status.WITHDRAWN)
        screening.withdrawn_on, screening.withdrawal_reason = on, reason
        audited_save(instance=screening, user=user, reason=f"withdrawn: {reason}")


def subject_end(*, subject: Subject, user, status: str, on: date, reason: str, decided_by: str):
    """Withdrawal, completion or death: remaining visits become not applicable."""
    if status not in (Subject.Status.WITHDRAWN, Subject.Status.COMPLETED, Subject.Status.DIED):
        raise TransitionNotAllowed(_("A subject can only be withdrawn or complete the study."))
    with transaction.atomic():
        subject = Subject.objects.select_for_update().get(pk=subject.pk)
        if subject.status != Subject.Status.ON_STUDY:
            raise TransitionNotAllowed(_("This subject has already left the study."))
        if on < subject.screening.screening_date:
            raise ValidationError({"on": _("The end date cannot precede screening.")})
        subject.status, subject.ended_on = status, on
        subject.end_reason, subject.end_decided_by = reason, decided_by
        label = Subject.Status(status).label.lower()
        audited_save(instance=subject, user=user, reason=f"{label}: {reason}")
        with audit_context(user=user, reason=f"subject {label}"):
            subject.visits.filter(outcome=SubjectVisit.Outcome.PLANNED).update(
                outcome=SubjectVisit.Outcome.NOT_APPLICABLE
            )
    return subject


def subject_death_reverse(*, subject: Subject, user, reason: str) -> Subject:
    """A death recorded in error: back on study; the visits the death made not applicable
    are planned again (a subject who died had no other way to leave)."""
    with transaction.atomic():
        subject = Subject.objects.select_for_update().get(pk=subject.pk)
        if subject.status != Subject.Status.DIED:
            raise TransitionNotAllowed(_("Only a subject recorded as died can be restored."))
        subject.status, subject.ended_on = Subject.Status.ON_STUDY, None
        subject.end_reason = subject.end_decided_by = ""
        audited_save(instance=subject, user=user, reason=f"death recorded in error: {reason}")
        with audit_context(user=user, reason=f"death recorded in error: {reason}"):
            subject.visits.filter(outcome=SubjectVisit.Outcome.NOT_APPLICABLE).update(
                outcome=SubjectVisit.Outcome.PLANNED
            )
    return subject


def subject_accepts_data(subject: Subject, on: date, *, adverse_event_follow_up: bool = False):
    """After withdrawal or completion only AE follow-up is still accepted."""
    if subject.status == Subject.Status.ON_STUDY or adverse_event_follow_up:
        return True
    return subject.ended_on is None or on <= subject.ended_on
