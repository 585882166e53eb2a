"""Eligibility and schedule rules of the protocol: pure functions over plain values.

Forms call them to put messages next to fields; services call them again before a state
change. Criteria, ages, windows come from `study()`, never from here.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from trial_edc.accounts.roles import Role
from trial_edc.core.clock import study_day
from trial_edc.core.problems import Problem
from trial_edc.study import Study, study

POSITIVE, NEGATIVE = "POS", "NEG"


def age_in_years(date_of_birth: date, on: date) -> int:
    """Completed years of age on a date (a birthday counts from that day)."""
    return relativedelta(on, date_of_birth).years


@dataclass(frozen=True)
class EligibilityEvidence:
    """What the checklist holds, as plain values (None = not answered yet)."""

    inclusion: dict[int, bool | None]
    exclusion: dict[int, bool | None]
    date_of_birth: date
    screening_date: date
    consent_date: date | None
    anti_mda5_result: str | None
    symptom_onset_date: date | None
    onset_confirmed_by_investigator: bool
    childbearing_potential: bool
    pregnancy_test_result: str | None
    pregnancy_test_date: date | None = None


def consistency_problems(e: EligibilityEvidence, s: Study | None = None) -> list[Problem]:
    """Answers that contradict their evidence: refused, the checklist cannot be saved so."""
    s = s or study()
    problems = []
    if e.inclusion.get(1) and e.anti_mda5_result == NEGATIVE:
        problems.append(
            Problem(
                "inclusion_1",
                _("Inclusion 1 cannot be 'yes' while the anti-MDA5 result is negative."),
            )
        )
    if e.pregnancy_test_result == POSITIVE and e.exclusion.get(1) is not True:
        problems.append(
            Problem(
                "exclusion_1",
                _("The pregnancy test is positive: exclusion 1 must be answered 'yes'."),
            )
        )
    if e.symptom_onset_date and e.screening_date < e.symptom_onset_date:
        problems.append(
            Problem(
                "symptom_onset_date",
                _("Respiratory symptoms cannot start after the screening date."),
            )
        )
    if e.childbearing_potential and e.pregnancy_test_result is None:
        problems.append(
            Problem(
                "pregnancy_test_result",
                _("A woman of child-bearing potential needs a pregnancy test result."),
            )
        )
    return problems


def procedures_before_consent(e: EligibilityEvidence) -> list[Problem]:
    """A study procedure dated before the consent already recorded: consent comes first,
    whichever of the two was entered first (the checklist's side of `consent_problems`)."""
    if e.consent_date is None:
        return []
    return [
        Problem(
            field,
            _(
                "%(what)s (%(day)s) cannot precede consent (%(consent)s): consent comes before "
                "every study procedure."
            )
            % {"what": capfirst(label), "day": day.isoformat(), "consent": e.consent_date},
        )
        for field, label, day in _procedures(e)
        if day is not None and day < e.consent_date
    ]


def _procedures(e: EligibilityEvidence) -> list[tuple[str, str, date | None]]:
    """The study procedures of screening (field, label, date); the anti-MDA5 test and the HRCT
    are clinical results that may predate consent."""
    return [("pregnancy_test_date", _("the pregnancy test"), e.pregnancy_test_date)]


def procedure_dates(e: EligibilityEvidence) -> dict[str, date | None]:
    """The study procedures' dates by label, for `consent_problems`."""
    return {label: day for _field, label, day in _procedures(e)}


def checklist_problems(e: EligibilityEvidence, s: Study | None = None) -> list[Problem]:
    """What refuses a checklist: answers against their evidence, a procedure before consent."""
    return consistency_problems(e, s) + procedures_before_consent(e)


def screening_problems(e: EligibilityEvidence, *, today: date, s: Study | None = None):
    """Every rule that ties the screening, its checklist and its consent together, run again
    whichever record changed last: any of them keeps the screening from being eligible."""
    problems = consistency_problems(e, s)
    if e.consent_date is not None:
        problems += consent_problems(
            consent_date=e.consent_date,
            screening_date=e.screening_date,
            today=today,
            procedure_dates=procedure_dates(e),
            s=s,
        )
    return problems


def demographic_problems(
    *,
    sex: str,
    childbearing_potential: bool,
    date_of_birth: date | None,
    screening_date: date | None,
    today: date,
) -> list[Problem]:
    """The screening's own values: refused whenever they are entered or corrected (a date
    None, already refused by its form field, is left out)."""
    problems = []
    if childbearing_potential and sex and sex != "F":
        problems.append(
            Problem("childbearing_potential", _("Only a woman can be of child-bearing potential."))
        )
    if screening_date is None:
        return problems
    if screening_date > today:
        problems.append(Problem("screening_date", _("The screening date cannot be in the future.")))
    if date_of_birth is not None and date_of_birth >= screening_date:
        problems.append(
            Problem("date_of_birth", _("The date of birth must precede the screening date."))
        )
    return problems


def onset_needs_confirmation(e: EligibilityEvidence, s: Study | None = None) -> bool:
    """RP-ILD progresses within months of onset: an older onset needs an investigator's word."""
    s = s or study()
    if e.symptom_onset_date is None:
        return False
    return e.symptom_onset_date < e.screening_date - relativedelta(months=s.rp_ild_onset_months)


def criterion_failure_text(code: str, s: Study | None = None) -> str | None:
    """The wording of a failed criterion ("inclusion_3", "exclusion_2") in the reader's
    language, from the study configuration; None for another code or a criterion no longer
    configured."""
    kind, _sep, number = code.partition("_")
    if kind not in ("inclusion", "exclusion") or not number.isdigit():
        return None
    s = s or study()
    criterion = next((c for c in getattr(s, kind) if c.number == int(number)), None)
    if criterion is None:
        return None
    facts = {"n": criterion.number, "text": criterion.text}
    if kind == "inclusion":
        return _("Inclusion %(n)d not met: %(text)s") % facts
    return _("Exclusion %(n)d applies: %(text)s") % facts


def eligibility_failures(e: EligibilityEvidence, s: Study | None = None) -> list[Problem]:
    """Criteria that are not met, each with its wording; empty when eligible so far."""
    s = s or study()
    failures = []
    for c in s.inclusion:
        if e.inclusion.get(c.number) is False:
            code = f"inclusion_{c.number}"
            failures.append(Problem(code, criterion_failure_text(code, s)))
    for c in s.exclusion:
        if e.exclusion.get(c.number) is True:
            code = f"exclusion_{c.number}"
            failures.append(Problem(code, criterion_failure_text(code, s)))
    if e.consent_date is not None:
        age = age_in_years(e.date_of_birth, e.consent_date)
        if not s.age_min <= age <= s.age_max:
            failures.append(
                Problem(
                    "date_of_birth",
                    _("Age %(age)d at consent is outside %(min)d–%(max)d years.")
                    % {"age": age, "min": s.age_min, "max": s.age_max},
                )
            )
    return failures


def missing_answers(e: EligibilityEvidence, s: Study | None = None) -> list[Problem]:
    """What must still be answered before eligibility can be decided."""
    s = s or study()
    missing = [
        Problem(f"inclusion_{c.number}", _("Inclusion %(n)d is not answered.") % {"n": c.number})
        for c in s.inclusion
        if e.inclusion.get(c.number) is None
    ] + [
        Problem(f"exclusion_{c.number}", _("Exclusion %(n)d is not answered.") % {"n": c.number})
        for c in s.exclusion
        if e.exclusion.get(c.number) is None
    ]
    if e.anti_mda5_result is None:
        missing.append(Problem("anti_mda5_result", _("The anti-MDA5 result is missing.")))
    if e.symptom_onset_date is None:
        missing.append(Problem("symptom_onset_date", _("The symptom onset date is missing.")))
    if onset_needs_confirmation(e, s) and not e.onset_confirmed_by_investigator:
        missing.append(
            Problem(
                "onset_confirmed_by_investigator",
                _(
                    "Symptoms began more than %(months)d months before screening: an "
                    "investigator must confirm that the RP-ILD criteria are met."
                )
                % {"months": s.rp_ild_onset_months},
            )
        )
    if e.consent_date is None:
        missing.append(Problem("consent", _("Informed consent is not recorded yet.")))
    return missing


# --- consent -----------------------------------------------------------------------------


def consent_problems(
    *,
    consent_date: date,
    screening_date: date,
    today: date,
    procedure_dates: dict[str, date | None],
    s: Study | None = None,
) -> list[Problem]:
    """Consent comes first, inside the screening window, and not in the future."""
    s = s or study()
    problems = []
    if consent_date > today:
        problems.append(Problem("signed_at", _("Consent cannot be signed in the future.")))
    window_end = screening_date + timedelta(days=s.screening_window_days)
    if not screening_date <= consent_date <= window_end:
        problems.append(
            Problem(
                "signed_at",
                _("Consent must be signed within the screening window, %(start)s to %(end)s.")
                % {"start": screening_date.isoformat(), "end": window_end.isoformat()},
            )
        )
    for label, procedure_date in procedure_dates.items():
        if procedure_date is not None and procedure_date < consent_date:
            problems.append(
                Problem(
                    "signed_at",
                    _("Consent must precede every study procedure; %(what)s was on %(day)s.")
                    % {"what": label, "day": procedure_date.isoformat()},
                )
            )
    return problems


def first_dose_date_problems(
    *, first_dose_date: date, consent_date: date, s: Study | None = None
) -> list[Problem]:
    """Consent falls in the screening visit's window before day 1 (days -7 to 0)."""
    s = s or study()
    screening = s.visit("SCREENING")
    consent_day = study_day(first_dose_date, consent_date)
    first_day = screening.target_day - screening.window_before
    last_day = screening.target_day + screening.window_after
    if not first_day <= consent_day <= last_day:
        earliest = consent_date + timedelta(days=1 - last_day)
        latest = consent_date + timedelta(days=1 - first_day)
        return [
            Problem(
                "first_dose_date",
                _(
                    "Consent must fall in the screening window (days %(first)d to %(last)d), "
                    "so day 1 must be between %(earliest)s and %(latest)s."
                )
                % {
                    "first": first_day,
                    "last": last_day,
                    "earliest": earliest.isoformat(),
                    "latest": latest.isoformat(),
                },
            )
        ]
    return []


def enrolment_date_problems(
    *, enrolled_on: date, consent_date: date, first_dose_date: date, today: date
) -> list[Problem]:
    """Enrolment comes after consent, not in the future, and on or before day 1."""
    problems = []
    if enrolled_on < consent_date:
        problems.append(Problem("enrolled_on", _("Enrolment cannot precede consent.")))
    if enrolled_on > today:
        problems.append(Problem("enrolled_on", _("Enrolment cannot be in the future.")))
    if first_dose_date < enrolled_on:
        problems.append(Problem("first_dose_date", _("Day 1 cannot be before the enrolment date.")))
    return problems


def day1_move_problems(
    *,
    new_day1: date,
    day1: date,
    enrolled_on: date,
    consent_date: date,
    dose_recorded: bool,
    reason: str,
) -> list[Problem]:
    """Day 1 is the first dose: it moves only while no dose is recorded, with a reason, and
    stays where enrolment could have put it (consent in the screening window, not before the
    enrolment date)."""
    if dose_recorded:
        return [
            Problem(
                "__all__",
                _("A dose is already recorded: day 1 is the day of the first dose and stays."),
            )
        ]
    problems = []
    if new_day1 == day1:
        problems.append(Problem("day1", _("This is already day 1.")))
    problems += [
        Problem("day1", p.message)
        for p in first_dose_date_problems(first_dose_date=new_day1, consent_date=consent_date)
    ]
    if new_day1 < enrolled_on:
        problems.append(Problem("day1", _("Day 1 cannot be before the enrolment date.")))
    if not reason.strip():
        problems.append(Problem("reason", _("Say why day 1 moves.")))
    return problems


# Consent is taken by the site's own clinical staff (ICH E6 4.8.8: the person who conducted
# the informed consent discussion), never by a monitor or a data manager.
CONSENT_TAKER_ROLES = (Role.SITE_COORDINATOR, Role.INVESTIGATOR)


def consent_taker_problems(*, roles, member_of_site: bool, active: bool) -> list[Problem]:
    """The person recorded as taking consent is an active coordinator or investigator of the
    screening's site. `roles`: that person's roles."""
    if active and member_of_site and any(r in CONSENT_TAKER_ROLES for r in roles):
        return []
    return [
        Problem(
            "taken_by",
            _("Consent is taken by a coordinator or an investigator of this site."),
        )
    ]
