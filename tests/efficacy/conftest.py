from datetime import timedelta

import pytest

from enrollment.services import site_date
from tests.enrollment.factories import enrolled_subject


@pytest.fixture
def subject(site, coordinator, investigator):
    """A subject whose day 1 was 5 days ago (today is day 6)."""
    today = site_date(site)
    day1 = today - timedelta(days=5)
    return enrolled_subject(
        site=site,
        coordinator=coordinator,
        investigator=investigator,
        screening_date=day1 - timedelta(days=2),
        day1=day1,
    )
