"""Screenings and subjects at every stage, made through the services (so every rule runs):
the builders the demo, the tests and the benchmarks share, and the demo's own cases."""

from datetime import UTC, date, datetime, time, timedelta

from enrollment import services
from enrollment.models import Consent, EligibilityChecklist, Screening
from trial_edc.accounts.models import Site, User
from trial_edc.core.clock import site_moment, site_today
from trial_edc.study import study


def answers_all_met(**overrides) -> dict:
    s = study()
    return (
        {f"inclusion_{c.number}": True for c in s.inclusion}
        | {f"exclusion_{c.number}": False for c in s.exclusion}
        | overrides
    )


def evidence_supporting(screened: date, **overrides) -> dict:
    return {
        "anti_mda5_result": "POS",
        "anti_mda5_method": "Line immunoblot (Euroimmun)",
        "anti_mda5_titre": "+++",
        "anti_mda5_date": screened - timedelta(days=9),
        "symptom_onset_date": screened - timedelta(days=35),
        "hrct_date": screened - timedelta(days=4),
        "hrct_finding": "Bilateral lower-lobe ground-glass and consolidation, new since 4 weeks",
        "worst_pf_ratio": 168,
    } | overrides


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
    """Every criterion met with supporting evidence, but for `overrides`."""
    checklist = EligibilityChecklist(
        screening=screening,
        **(answers_all_met() | evidence_supporting(screening.screening_date) | overrides),
    )
    services.checklist_save(checklist=checklist, user=user)
    return checklist


def record_consent(screening, user, on: date | None = None) -> Consent:
    """Consent signed early on the screening date at the site (whatever its time zone)."""
    on = on or screening.screening_date
    signed_at = datetime.combine(on, time(2, 0), tzinfo=UTC)
    if site_today(screening.site, signed_at) != on:  # a site behind UTC: early on its own date
        signed_at = site_moment(on, time(0, 30), screening.site)
    consent = Consent(screening=screening, version="2.1", signed_at=signed_at, taken_by=user)
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


def _screen(site, user, screened, initials, born, *, checklist=None, consent=True):
    """A demo screening: `checklist` None leaves it unanswered, else the answers that differ
    from "every criterion met"."""
    screening = open_screening(
        site=site, user=user, screening_date=screened, initials=initials, date_of_birth=born
    )
    if checklist is not None:
        complete_checklist(screening, user, **checklist)
    if consent:
        record_consent(screening, user)
    return screening


def _enrol(site, coordinator, investigator, day1: date, initials: str, born: date):
    return enrolled_subject(
        site=site,
        coordinator=coordinator,
        investigator=investigator,
        day1=day1,
        screening_date=day1 - timedelta(days=3),
        initials=initials,
        date_of_birth=born,
    )


def enrollment_demo_seed(today: date) -> None:
    site = Site.objects.get(code="01")
    coord = User.objects.get(username="coordinator")
    inv = User.objects.get(username="investigator")
    # subjects at different days of the schedule
    for days_ago, initials, born in [
        (3, "LWY", date(1968, 4, 2)),
        (10, "ZHM", date(1979, 11, 20)),
        (20, "CXL", date(1961, 7, 9)),
        (100, "HJF", date(1985, 1, 30)),
    ]:
        _enrol(site, coord, inv, today - timedelta(days=days_ago), initials, born)
    withdrawn = _enrol(site, coord, inv, today - timedelta(days=8), "WQS", date(1972, 3, 3))
    services.subject_end(
        subject=withdrawn,
        user=coord,
        status="withdrawn",
        on=today - timedelta(days=2),
        reason="Withdrew consent (transfer to another hospital)",
        decided_by="the subject",
    )
    # screen failures on different criteria
    screened = today - timedelta(days=5)
    _screen(
        site,
        coord,
        screened,
        "YTP",
        date(1990, 5, 5),
        checklist={"exclusion_4": True},
    )
    _screen(
        site,
        coord,
        screened,
        "GLN",
        date(1958, 8, 8),
        checklist={"inclusion_1": False, "anti_mda5_result": "NEG"},
    )
    _screen(
        site,
        coord,
        screened,
        "SUM",
        date(1948, 2, 2),
        checklist={},
    )  # aged 76+ at consent
    _screen(
        site,
        coord,
        screened,
        "FRK",
        date(1983, 9, 9),
        checklist={"exclusion_5": True},
    )
    # one still in screening, one eligible waiting for the investigator
    _screen(site, coord, today - timedelta(days=1), "NEW", date(1988, 12, 1), consent=False)
    _screen(
        site,
        coord,
        today - timedelta(days=1),
        "ELG",
        date(1966, 6, 16),
        checklist={},
    )
    # site 02 has its own subject (invisible to site 01's staff)
    other = Site.objects.get(code="02")
    coord02 = User.objects.get(username="coordinator02")
    inv02 = User.objects.get(username="investigator02")
    _enrol(other, coord02, inv02, today - timedelta(days=6), "VDB", date(1970, 10, 10))


def enrollment_bulk_seed(n: int, today: date, site_code: str = "01") -> int:
    """N more enrolled subjects at a site (01 by default), day 1 spread over the past year
    (benchmarks); the demo coordinator and investigator must be members of the site."""
    site = Site.objects.get(code=site_code)
    coord = User.objects.get(username="coordinator")
    inv = User.objects.get(username="investigator")
    for i in range(n):
        _enrol(site, coord, inv, today - timedelta(days=i % 365), "BEN", date(1960 + i % 30, 1, 1))
    return Screening.objects.count()
