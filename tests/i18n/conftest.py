from datetime import time as clock
from datetime import timedelta

import pytest

from portal.demo.enrollment import enrolled_subject
from trial_edc.core.clock import site_today
from trial_edc.notifications.rules import site_moment


@pytest.fixture
def subject_on_day_6(site, coordinator, investigator):
    day1 = site_today(site) - timedelta(days=5)
    return enrolled_subject(
        site=site,
        coordinator=coordinator,
        investigator=investigator,
        screening_date=day1 - timedelta(days=2),
        day1=day1,
    )


@pytest.fixture
def at(site):
    def moment(hour: int, minute: int = 0):
        return site_moment(site_today(site), clock(hour, minute), site.time_zone)

    return moment


@pytest.fixture
def chinese(db):
    """chinese(user): the user reads trial-edc in Simplified Chinese from now on."""

    def make(user):
        user.language = "zh-hans"
        user.save(update_fields=["language"])
        return user

    return make
