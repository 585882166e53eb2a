"""Reads of vital signs, and the trend series the dashboard and PDFs draw."""

from dataclasses import dataclass, field

from dosing.rules import dose_was_given, missing_days
from enrollment.models import Subject
from safety.models import VitalSigns


@dataclass
class Trends:
    """Per study day: SpO2 and heart rate (lowest SpO2, highest HR of the day), P/F."""

    spo2: dict[int, float] = field(default_factory=dict)
    heart_rate: dict[int, float] = field(default_factory=dict)
    pf_ratio: dict[int, float] = field(default_factory=dict)
    dose_days: set[int] = field(default_factory=set)


def subject_trends(subject: Subject) -> Trends:
    """Three queries: vitals, blood gases, doses."""
    trends = Trends()
    for day, spo2, hr in subject.vitals.values_list("study_day", "oxysat", "hr"):
        if spo2 is not None:
            trends.spo2[day] = min(trends.spo2.get(day, 101), spo2)
        if hr is not None:
            trends.heart_rate[day] = max(trends.heart_rate.get(day, 0), hr)
    for day, pf in subject.blood_gases.values_list("study_day", "pf_ratio"):
        trends.pf_ratio[day] = min(trends.pf_ratio.get(day, 10_000), float(pf))
    trends.dose_days = {
        day
        for day, status in subject.doses.values_list("study_day", "status")
        if dose_was_given(status)
    }
    return trends


def vitals_of_day(subject: Subject, day: int):
    return VitalSigns.objects.filter(subject=subject, study_day=day).order_by("measured_at")


def vitals_missing_days(subject: Subject, today) -> list[int]:
    """Treatment days already past with no vital signs (one query)."""
    recorded = set(subject.vitals.values_list("study_day", flat=True))
    return missing_days(
        day1=subject.day1, recorded_days=recorded, today=today, ended_on=subject.ended_on
    )
