"""The unlock page, fed any text by hypothesis as reason and code: never a server error, and
a refused unlock (no reason, a wrong code) leaves the record locked."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datamanagement.locks import rules, selectors, services
from datamanagement.models.locks import Level, LockState

pytestmark = pytest.mark.django_db

TEXT = st.one_of(
    st.just(""),
    st.text(max_size=30),
    st.text(min_size=2001, max_size=2100),
    st.from_regex(r"\A[0-9 ]{0,10}\Z"),
    st.sampled_from(["000000", "9" * 50, "<script>", "'; DROP TABLE x; --", "\x00"]),
)


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(reason=TEXT, code=TEXT)
def test_any_reason_and_code_is_a_page_never_an_error(
    reason, code, data_manager, data_manager_client, subject_on_day_6
):
    subject = subject_on_day_6
    if selectors.state_of(rules.subject_target(subject.pk)) != LockState.LOCKED:
        services.change_lock(user=data_manager, action="lock", level=Level.SUBJECT, subject=subject)
    url = reverse("datamanagement:lock_change", args=["subject", "unlock", subject.pk])
    response = data_manager_client.post(url, {"reason": reason, "code": code})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.context["form"].errors
        assert selectors.state_of(rules.subject_target(subject.pk)) == LockState.LOCKED
