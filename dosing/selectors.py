"""Reads of the treatment period; each a fixed number of queries whatever the rows."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, time

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, Max, OuterRef, Q, Subquery

from dosing import rules
from dosing.models import ConcomitantMedication, DoseAdministration
from enrollment.models import Subject
from enrollment.schedule.selectors import subjects_in_treatment
from enrollment.selectors import subject_read
from trial_edc.accounts.selectors import scope_to_sites
from trial_edc.core.clock import site_today, treatment_study_day
from trial_edc.core.registry import TreatmentFacts
from trial_edc.study import study


def last_dose_given(subject_ref: str) -> Subquery:
    """The date of the subject's last dose actually given (completed or interrupted), as a
    subquery; `subject_ref` names the subject's id in the outer query ("pk", "subject")."""
    return Subquery(
        DoseAdministration.objects.filter(
            subject=OuterRef(subject_ref),
            status__in=rules.GIVEN_STATUSES,
        )
        .order_by()
        .values("subject")
        .annotate(last=Max("date"))
        .values("last")
    )


def last_dose_date(subject_id: int) -> date | None:
    """The date of the subject's last dose actually given (one query)."""
    return DoseAdministration.objects.filter(
        subject_id=subject_id, status__in=rules.GIVEN_STATUSES
    ).aggregate(last=Max("date"))["last"]


def last_day_recorded(subject_ref: str) -> Exists:
    """The subject's last treatment day has its record (given or not), as a subquery."""
    return Exists(
        DoseAdministration.objects.filter(
            subject=OuterRef(subject_ref), study_day=study().treatment_days
        )
    )


def treatment_facts(subject_id: int) -> TreatmentFacts:
    """The last dose given and whether the last treatment day is recorded (one query); what
    dosing tells the schedule through `core.registry.treatment_sources`."""
    facts = DoseAdministration.objects.filter(subject_id=subject_id).aggregate(
        last=Max("date", filter=Q(status__in=rules.GIVEN_STATUSES)),
        last_day=Max("study_day"),
    )
    return TreatmentFacts(
        last_given=facts["last"],
        last_day_recorded=facts["last_day"] is not None
        and facts["last_day"] >= study().treatment_days,
    )


@dataclass(frozen=True)
class DoseDay:
    """What the dashboard's panels read of a dose record."""

    study_day: int
    status: str
    date: date
    start_time: time | None


def subject_doses(subject: Subject) -> list[DoseDay]:
    """The subject's dose records by study day: from the subject when it was read with
    `dose_facts` (the dashboard's subject), else one query (once for the dashboard's panels,
    `enrollment.selectors.subject_read`)."""
    if hasattr(subject, "dose_starts"):
        return [
            DoseDay(*row)
            for row in zip(
                subject.dose_days,
                subject.dose_statuses,
                subject.dose_dates,
                subject.dose_starts,
                strict=True,
            )
        ]
    return subject_read(
        subject,
        "doses",
        lambda: [
            DoseDay(*row)
            for row in subject.doses.order_by("study_day").values_list(
                "study_day", "status", "date", "start_time"
            )
        ],
    )


def dose_statuses(subject: Subject) -> dict[int, str]:
    return {dose.study_day: dose.status for dose in subject_doses(subject)}


@dataclass
class TreatmentOverview:
    strip: list[rules.StripCell]
    compliance: rules.Compliance


def treatment_overview(subject: Subject, today: date) -> TreatmentOverview:
    """The 14-cell strip and compliance of one subject (one query)."""
    statuses = dose_statuses(subject)
    args = {
        "day1": subject.day1,
        "statuses": statuses,
        "today": today,
        "ended_on": subject.ended_on,
    }
    return TreatmentOverview(rules.treatment_strip(**args), rules.compliance(**args))


@dataclass
class MissingDoses:
    subject: Subject
    days: list[int]


def subjects_missing_doses(user) -> list[MissingDoses]:
    """Subjects of the user's sites in or past treatment with a day that has no dose record.

    Two queries: the subjects, then the recorded days of all of them."""
    subjects = list(
        scope_to_sites(Subject.objects.all(), user)
        .select_related("site", "screening")
        .order_by("subject_number")
    )
    recorded: dict[int, set[int]] = defaultdict(set)
    rows = DoseAdministration.objects.filter(subject__in=[s.pk for s in subjects]).values_list(
        "subject_id", "study_day"
    )
    for subject_id, day in rows:
        recorded[subject_id].add(day)
    return _missing_doses(subjects, recorded)


def dose_facts() -> dict:
    """What the home page's and the dashboard's subjects are read with for dosing (a
    registered SubjectFact): its dose records by study day (day, status, date, start)."""
    doses = DoseAdministration.objects.filter(subject=OuterRef("pk")).order_by("study_day")
    return {
        "dose_days": ArraySubquery(doses.values("study_day")),
        "dose_statuses": ArraySubquery(doses.values("status")),
        "dose_dates": ArraySubquery(doses.values("date")),
        "dose_starts": ArraySubquery(doses.values("start_time")),
    }


def missing_doses_of(subjects) -> list[MissingDoses]:
    """`subjects_missing_doses` over subjects read with `dose_facts` (no query)."""
    return _missing_doses(subjects, {s.pk: set(s.dose_days) for s in subjects})


def _missing_doses(subjects, recorded) -> list[MissingDoses]:
    result = []
    for subject in subjects:
        days = rules.missing_days(
            day1=subject.day1,
            recorded_days=recorded.get(subject.pk, set()),
            today=site_today(subject.site),
            ended_on=subject.ended_on,
        )
        if days:
            result.append(MissingDoses(subject, days))
    return result


def treatment_days() -> range:
    return range(1, study().treatment_days + 1)


@dataclass(frozen=True)
class DueToday:
    """A subject in treatment today at their site whose day's record is still missing."""

    subject: Subject
    site_day: object  # anything with `site` and `today` (a reminder run's SiteDay, SiteToday)
    day: int  # the treatment day


def without_dose_today(days) -> list[DueToday]:
    """Subjects in treatment today at their site (`days`: each site with its date) with no
    dose record for that date (2 queries); the reminders and the worklist both ask this."""
    subjects = subjects_in_treatment(days)
    if not subjects:
        return []
    by_site = {d.site.pk: d for d in days}
    dosed = set(
        DoseAdministration.objects.filter(
            subject_id__in=[s.pk for s in subjects],
            date__in={by_site[s.site_id].today for s in subjects},
        ).values_list("subject_id", "date")
    )
    due = []
    for s in subjects:
        d = by_site[s.site_id]
        if (s.pk, d.today) not in dosed:
            due.append(DueToday(s, d, treatment_study_day(s.day1, d.today)))
    return due


def treatments_at_baseline(subject_ids) -> dict[int, set[str]]:
    """{subject id: the con-med categories taken at baseline (rules.at_baseline)}, of these
    subjects (ids or a subquery of them): one query."""
    rows = ConcomitantMedication.objects.filter(subject__in=subject_ids).values_list(
        "subject_id", "category", "start_date", "stop_date", "ongoing", "subject__day1"
    )
    found: dict[int, set[str]] = defaultdict(set)
    for subject_id, category, start, stop, ongoing, day1 in rows:
        if rules.at_baseline(start=start, stop=stop, ongoing=ongoing, day1=day1):
            found[subject_id].add(category)
    return dict(found)
