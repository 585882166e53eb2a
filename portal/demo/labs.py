"""Demo safety laboratory: the site's reference ranges, a pre-dose baseline and day-7 and
day-14 panels per subject, one with ALT at 6 x ULN on day 7 (grade 3, proposed to the
investigators as an AE). Builders shared by the demo, the tests and the benchmark."""

from datetime import date, datetime, time
from decimal import Decimal

from enrollment.models import Subject
from safety.labs import services
from safety.labs.selectors import reference_ranges
from safety.models import LabReferenceRange, SafetyLabPanel
from trial_edc.accounts.models import User
from trial_edc.audit.services import audit_context
from trial_edc.core.clock import site_moment, study_day_date
from trial_edc.study import study

# the demo laboratory's adult limits (in the study unit): LLN, ULN
DEMO_RANGES = {
    "HGB": ("115", "150"),
    "WBC": ("3.5", "9.5"),
    "NEUT": ("1.8", "6.3"),
    "LYM": ("1.1", "3.2"),
    "PLAT": ("125", "350"),
    "ALT": ("7", "40"),
    "AST": ("13", "35"),
    "BILI": (None, "21"),
    "CREAT": ("45", "84"),
    "ALP": ("35", "100"),
    "CK": ("40", "200"),
}
# a normal panel (study units)
NORMAL = {
    "HGB": "128",
    "WBC": "6.2",
    "NEUT": "4.1",
    "LYM": "1.4",
    "PLAT": "231",
    "ALT": "24",
    "AST": "22",
    "BILI": "11",
    "CREAT": "62",
    "ALP": "71",
    "CK": "95",
}


def lab_ranges_seed(site, user=None, effective_from: date = date(2020, 1, 1)) -> None:
    """The site's reference range for every safety laboratory test (once)."""
    with audit_context(user=user, reason="demo seed"):
        for test in study().safety_labs:
            lln, uln = DEMO_RANGES[test.code]
            LabReferenceRange.objects.get_or_create(
                site=site,
                test_code=test.code,
                effective_from=effective_from,
                defaults={
                    "unit": test.unit,
                    "lln": None if lln is None else Decimal(lln),
                    "uln": None if uln is None else Decimal(uln),
                    "recorded_by": user or User.objects.filter(is_active=True).first(),
                },
            )


def safety_lab_panel(
    subject, day: int, user, values: dict | None = None, *, at: time = time(7, 0), **overrides
) -> SafetyLabPanel:
    """A panel on a study day (before the day's dose at 09:00 by default): `values` (code ->
    value in the study unit) over a normal panel, limits from the site's ranges."""
    on = study_day_date(subject.day1, day)
    ranges = reference_ranges(subject.site_id, on)
    entered = NORMAL | (values or {}) | overrides
    results = {}
    for test in study().safety_labs:
        r = ranges.get(test.code)
        results[test.code] = (
            Decimal(str(entered[test.code])),
            test.unit,
            r.lln if r else None,
            r.uln if r else None,
        )
    panel = SafetyLabPanel(subject=subject, specimen_at=site_moment(on, at, subject.site))
    return services.safety_lab_record(panel=panel, results=results, user=user)


def specimen_moment(subject, day: int, at: time) -> datetime:
    return site_moment(study_day_date(subject.day1, day), at, subject.site)


def labs_demo_seed(today: date) -> None:
    coord = User.objects.get(username="coordinator")
    subjects = list(
        Subject.objects.filter(site__code="01").select_related("site").order_by("subject_number")
    )
    if subjects:
        lab_ranges_seed(subjects[0].site, coord)
    alt_high = False
    for subject in subjects:
        last = (min(today, subject.ended_on or today) - subject.day1).days + 1
        if last < 1:
            continue
        if last <= 1:
            continue
        safety_lab_panel(subject, 1, coord)  # the baseline, before the day-1 dose
        if last > 7:
            # the first subject past day 7: ALT at 6 x ULN on day 7, grade 3, an AE to decide
            safety_lab_panel(subject, 7, coord, {"NEUT": "1.6"} if alt_high else {"ALT": "240"})
            alt_high = True
        if last > 14:
            safety_lab_panel(subject, 14, coord, {"ALT": "60", "PLAT": "140"})


def dose_given(subject, day: int, user, start: time = time(9, 0)) -> None:
    """The day's nebulization, completed, starting at `start` (site time)."""
    from portal.demo.treatment import _dose

    _dose(subject, day, user, start_time=start)
