import pytest

from portal.demo.enrollment import enrolled_subject, open_screening


@pytest.fixture
def screening(site, coordinator):
    return open_screening(site=site, user=coordinator)


@pytest.fixture
def subject(site, coordinator, investigator):
    return enrolled_subject(site=site, coordinator=coordinator, investigator=investigator)
