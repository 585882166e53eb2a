from datetime import timedelta

import pytest


@pytest.fixture
def subject(subject_on_day_6):
    return subject_on_day_6


def subject_on_day(n: int, *, site, coordinator, investigator):
    """A subject whose day 1 was n-1 days ago at the site (today is study day n)."""
    from portal.demo.enrollment import enrolled_subject
    from trial_edc.core.clock import site_today

    day1 = site_today(site) - timedelta(days=n - 1)
    return enrolled_subject(
        site=site,
        coordinator=coordinator,
        investigator=investigator,
        screening_date=day1 - timedelta(days=2),
        day1=day1,
    )


@pytest.fixture
def subject_on_day_30(site, coordinator, investigator):
    """Baseline and day 14 are past (overdue), day 28 due, month 3 upcoming."""
    return subject_on_day(30, site=site, coordinator=coordinator, investigator=investigator)
