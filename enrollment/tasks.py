"""Enrollment tasks: take ids or nothing, load fresh state, are safe to run twice."""

from celery import shared_task

from enrollment.schedule.services import after_last_dose_replan_due


@shared_task(name="enrollment.after_last_dose_replan")
def after_last_dose_replan_task() -> int:
    """Daily: plan the safety close of subjects whose treatment period is over (an early
    stop with no further record) from their last dose given; returns the visits moved."""
    return after_last_dose_replan_due()
