"""Screenings at each stage, made through the services (so every rule runs)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from enrollment import services
from enrollment.models import Consent, EligibilityChecklist, Screening
from portal.demo.enrollment import answers_all_met, evidence_supporting


def good_answers() -> dict:
    return answers_all_met()


def good_evidence(screening_date: date) -> dict:
    return evidence_supporting(screening_date)


def open_screening(*, site, user, screening_date=None, **overrides) -> Screening:
    values = {
        "initials": "LWY",
        "date_of_birth": date(1975, 6, 15),
        "sex": "M",
        "childbearing_potential": False,
        "screening_date": screening_date or date.today() - timedelta(days=2),
    } | overrides
    return services.screening_open(user=user, site=site, **values)


def complete_checklist(screening, user, **overrides) -> EligibilityChecklist:
    checklist = EligibilityChecklist(
        screening=screening,
        **(good_answers() | good_evidence(screening.screening_date) | overrides),
    )
    services.checklist_save(checklist=checklist, user=user)
    return checklist


def record_consent(screening, user, on: date | None = None) -> Consent:
    on = on or screening.screening_date
    signed_at = datetime.combine(on, time(2, 0), tzinfo=UTC)
    local = ZoneInfo(screening.site.time_zone)
    if signed_at.astimezone(local).date() != on:  # a site behind UTC: early on its own date
        signed_at = datetime.combine(on, time(0, 30), tzinfo=local)
    consent = Consent(
        screening=screening,
        version="2.1",
        signed_at=signed_at,
        taken_by=user,
    )
    services.consent_save(consent=consent, user=user)
    return consent


def eligible_screening(*, site, user, **overrides) -> Screening:
    screening = open_screening(site=site, user=user, **overrides)
    complete_checklist(screening, user)
    record_consent(screening, user)
    screening.refresh_from_db()
    assert screening.status == Screening.Status.ELIGIBLE, screening.failed_criteria
    return screening


def enrolled_subject(*, site, coordinator, investigator, day1=None, **overrides):
    """Enrolled on the day of consent (the screening date), so past days can be recorded."""
    screening = eligible_screening(site=site, user=coordinator, **overrides)
    return services.subject_enroll(
        screening=screening,
        investigator=investigator,
        first_dose_date=day1 or screening.screening_date + timedelta(days=1),
        enrolled_on=screening.screening_date,
    )
