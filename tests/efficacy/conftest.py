import pytest


@pytest.fixture
def subject(subject_on_day_6):
    return subject_on_day_6
