"""Reads of vital signs, and the trend series the dashboard and PDFs draw."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Prefetch, Q
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from dosing.rules import dose_was_given, missing_days
from dosing.selectors import DueToday, last_dose_date, last_dose_given, subject_doses
from enrollment.models import Subject
from enrollment.schedule.selectors import subjects_in_treatment
from enrollment.selectors import subject_read
from safety import rules
from safety.models import (
    AdverseEvent,
    AdverseEventFollowUp,
    CtcaeTerm,
    Outcome,
    SafetyReport,
    SeriousAdverseEventReport,
    VitalSigns,
)
from trial_edc.core.clock import site_today, treatment_study_day
from trial_edc.study import study


@dataclass
class Trends:
    """Per study day: SpO2 and heart rate (lowest SpO2, highest HR of the day), P/F."""

    spo2: dict[int, float] = field(default_factory=dict)
    heart_rate: dict[int, float] = field(default_factory=dict)
    pf_ratio: dict[int, float] = field(default_factory=dict)
    dose_days: set[int] = field(default_factory=set)


def subject_vitals(subject: Subject) -> list[VitalSigns]:
    """The subject's vital signs in time order (one query; once for the subject dashboard's
    panels, `enrollment.selectors.subject_read`)."""
    return subject_read(subject, "vitals", lambda: list(subject.vitals.order_by("measured_at")))


def subject_blood_gases(subject: Subject) -> list:
    """The subject's blood gases in time order (one query; once for the dashboard's panels)."""
    return subject_read(
        subject, "blood_gases", lambda: list(subject.blood_gases.order_by("sampled_at"))
    )


def latest_first(rows: list, moment: str, n: int = 5) -> list:
    """The `n` latest of rows in time order (what `.order_by("-<moment>")[:n]` gives)."""
    return sorted(rows, key=lambda row: getattr(row, moment), reverse=True)[:n]


def subject_trends(subject: Subject) -> Trends:
    """Three queries (vitals, blood gases, doses), shared with the dashboard's panels."""
    trends = Trends()
    for v in subject_vitals(subject):
        day, spo2, hr = v.study_day, v.oxysat, v.hr
        if spo2 is not None:
            trends.spo2[day] = min(trends.spo2.get(day, 101), spo2)
        if hr is not None:
            trends.heart_rate[day] = max(trends.heart_rate.get(day, 0), hr)
    for gas in subject_blood_gases(subject):
        day, pf = gas.study_day, gas.pf_ratio
        trends.pf_ratio[day] = min(trends.pf_ratio.get(day, 10_000), float(pf))
    trends.dose_days = {
        dose.study_day for dose in subject_doses(subject) if dose_was_given(dose.status)
    }
    return trends


def vitals_of_day(subject: Subject, day: int):
    return VitalSigns.objects.filter(subject=subject, study_day=day).order_by("measured_at")


def vitals_missing_days(subject: Subject, today) -> list[int]:
    """Treatment days already past with no vital signs (one query)."""
    recorded = {v.study_day for v in subject_vitals(subject)}
    return missing_days(
        day1=subject.day1, recorded_days=recorded, today=today, ended_on=subject.ended_on
    )


def fatal_adverse_events(subject_id: int) -> list[AdverseEvent]:
    """The subject's AEs whose outcome, after their follow-ups, is fatal (latest onset first;
    two queries)."""
    fatal = Outcome.FATAL
    candidates = (
        AdverseEvent.objects.filter(
            Q(aeout=fatal) | Q(follow_ups__aeout=fatal), subject_id=subject_id
        )
        .distinct()
        .order_by("-aestdtc", "-id")
        .prefetch_related(follow_ups_prefetch())
    )
    return [ae for ae in candidates if current_state(ae).fatal]


def has_fatal_adverse_event(subject_id: int) -> bool:
    """An AE of the subject is fatal after its follow-ups."""
    return bool(fatal_adverse_events(subject_id))


# --- adverse events: derived flags, worst grade, current outcome, the SAE clock -----------


def facts_of(ae: AdverseEvent) -> rules.AdverseEventFacts:
    """The AE's values for its rules, with its current state after the follow-ups already
    saved (none for a new AE), the site's date and the chosen CTCAE term's grades."""
    consent = ae.subject.screening.consent
    state = current_state(ae) if ae.pk else None
    term = CtcaeTerm.objects.filter(pk=ae.ctcae_term_id).first() if ae.ctcae_term_id else None
    return rules.AdverseEventFacts(
        onset=ae.aestdtc,
        end=ae.aeendtc,
        ongoing=ae.ongoing,
        grade=ae.aetoxgr,
        serious=ae.aeser,
        criteria={name: getattr(ae, name) for name in AdverseEvent.SERIOUSNESS_CRITERIA},
        outcome=ae.aeout,
        consent_date=site_today(ae.subject.site, consent.signed_at),
        current_grade=state.grade if state else None,
        current_outcome=state.outcome if state else None,
        today=site_today(ae.subject.site),
        grade_definitions=term.grade_definitions() if term else None,
        term=term.term if term else "",
    )


def follow_up_facts(follow_up: AdverseEventFollowUp) -> rules.FollowUpFacts:
    ae = follow_up.adverse_event
    term = CtcaeTerm.objects.filter(pk=ae.ctcae_term_id).first() if ae.ctcae_term_id else None
    return rules.FollowUpFacts(
        assessed_on=follow_up.assessed_on,
        grade=follow_up.aetoxgr,
        outcome=follow_up.aeout,
        end=follow_up.aeendtc,
        serious=follow_up.aeser,
        criteria={n: getattr(follow_up, n) for n in AdverseEvent.SERIOUSNESS_CRITERIA},
        onset=ae.aestdtc,
        ae_serious=ae.aeser,
        today=site_today(ae.subject.site),
        grade_definitions=term.grade_definitions() if term else None,
        term=term.term if term else "",
    )


def sae_deadline(report: SeriousAdverseEventReport):
    return report.serious_since + timedelta(hours=study().sae_reporting_hours)


@dataclass
class SaeClock:
    report: SeriousAdverseEventReport
    deadline: object
    hours_left: float  # negative when overdue

    @property
    def overdue(self) -> bool:
        return self.report.reported_at is None and self.hours_left < 0


def sae_clock(report: SeriousAdverseEventReport, now=None) -> SaeClock:
    now = now or timezone.now()
    deadline = sae_deadline(report)
    return SaeClock(report, deadline, (deadline - now).total_seconds() / 3600)


def with_last_dose_given(queryset):
    """Annotate each AE with its subject's last dose actually given (one subquery), and
    fetch its follow-ups and serious periods (one query each, whatever the number of AEs):
    what `current_state` and the SAE clocks read."""
    return queryset.annotate(last_dose_given=last_dose_given("subject")).prefetch_related(
        follow_ups_prefetch(),
        Prefetch(
            "sae_reports",
            queryset=SeriousAdverseEventReport.objects.order_by("serious_since", "id"),
            to_attr="sae_periods",
        ),
    )


def follow_ups_prefetch() -> Prefetch:
    """The AEs' follow-ups in order, as `follow_up_list` (what `follow_ups_of` reads)."""
    return Prefetch(
        "follow_ups",
        queryset=AdverseEventFollowUp.objects.order_by("assessed_on", "id"),
        to_attr="follow_up_list",
    )


def derived(ae: AdverseEvent) -> rules.AdverseEventDerived:
    """Needs `last_dose_given` annotated (with_last_dose_given) or queries it."""
    last = getattr(ae, "last_dose_given", None)
    if not hasattr(ae, "last_dose_given"):
        last = last_dose_date(ae.subject_id)
    return rules.adverse_event_derived(
        onset=ae.aestdtc,
        day1=ae.subject.day1,
        last_dose_given=last,
        serious=ae.aeser,
        relationship=ae.aerel,
        expected=ae.expected,
    )


def follow_ups_of(ae: AdverseEvent) -> list[AdverseEventFollowUp]:
    """The AE's follow-ups in order (prefetched by with_last_dose_given, else one query)."""
    prefetched = getattr(ae, "follow_up_list", None)
    if prefetched is not None:
        return prefetched
    return list(ae.follow_ups.order_by("assessed_on", "id")) if ae.pk else []


def current_state(ae: AdverseEvent) -> rules.CurrentState:
    """Worst grade, current grade, outcome and end date after the follow-ups."""
    return rules.current_state(
        grade=ae.aetoxgr,
        outcome=ae.aeout,
        end=ae.aeendtc,
        ongoing=ae.ongoing,
        follow_ups=[
            rules.FollowUpValues(f.assessed_on, f.pk, f.aetoxgr, f.aeout, f.aeendtc)
            for f in follow_ups_of(ae)
        ],
    )


def worst_grade(ae: AdverseEvent) -> int:
    return current_state(ae).worst_grade


def outcome_label(outcome: str) -> str:
    return str(Outcome(outcome).label) if outcome in Outcome.values else outcome


def current_outcome(ae: AdverseEvent) -> str:
    """The latest follow-up's outcome, else the AE's own (its label)."""
    return outcome_label(current_state(ae).outcome)


def sae_periods_of(ae: AdverseEvent) -> list[SeriousAdverseEventReport]:
    prefetched = getattr(ae, "sae_periods", None)
    if prefetched is not None:
        return prefetched
    return list(ae.sae_reports.order_by("serious_since", "id")) if ae.pk else []


def open_sae_reports():
    """SAE clocks still running: the AE is serious now, in this period, and it has not been
    reported to the sponsor."""
    return SeriousAdverseEventReport.objects.filter(
        reported_at__isnull=True, ended_at__isnull=True, adverse_event__aeser=True
    )


def serious_filter(serious_only: bool) -> Q:
    return Q(aeser=True) if serious_only else Q()


def vitals_facts() -> dict:
    """What `enrollment.schedule.selectors.subjects_of` reads with each subject for safety (a
    registered SubjectFact): the study days of its vital signs."""
    days = VitalSigns.objects.filter(subject=OuterRef("pk")).order_by().values("study_day")
    return {"vitals_days": ArraySubquery(days)}


REPORTS = "safety_report_rows"


def report_facts() -> dict:
    """The subject's 30-day safety reports, newest first, read with the dashboard's subject (a
    registered SubjectFact, for the vital-signs panel)."""
    reports = SafetyReport.objects.filter(subject=OuterRef("pk")).order_by("-created_at")
    row = JSONObject(pk="pk", status="status", finished_at="finished_at", file="file")
    return {REPORTS: ArraySubquery(reports.values(row=row))}


def subject_reports(subject) -> list:
    """The subject's safety reports, newest first: from `report_facts` when the subject was
    read with them, else one query."""
    rows = getattr(subject, REPORTS, None)
    if rows is None:
        return list(subject.safety_reports.order_by("-created_at"))
    return [
        SafetyReport(
            pk=r["pk"],
            subject_id=subject.pk,
            status=r["status"],
            finished_at=parse_datetime(r["finished_at"]) if r["finished_at"] else None,
            file=r["file"] or "",
        )
        for r in rows
    ]


def without_vitals_today(days) -> list[DueToday]:
    """Subjects in treatment today at their site (`days`: each site with its date) with no
    vital signs for that treatment day (2 queries); the reminders and the worklist ask this."""
    subjects = subjects_in_treatment(days)
    if not subjects:
        return []
    by_site = {d.site.pk: d for d in days}
    due = []
    for s in subjects:
        d = by_site[s.site_id]
        due.append(DueToday(s, d, treatment_study_day(s.day1, d.today)))
    measured = set(
        VitalSigns.objects.filter(
            subject_id__in=[x.subject.pk for x in due], study_day__in={x.day for x in due}
        ).values_list("subject_id", "study_day")
    )
    return [x for x in due if (x.subject.pk, x.day) not in measured]
