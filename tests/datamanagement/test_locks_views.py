"""Freeze and lock on the pages: the lock console of a data manager (a fixed number of
queries whatever the subjects), the confirmation pages (reason, second factor), the state on
the subject dashboard and on a CRF page — no save button, and a save sent anyway is a
message, never a server error."""

import pytest
from django.urls import reverse

from datamanagement.locks import rules, selectors
from datamanagement.models.locks import LockState
from portal.demo.enrollment import enrolled_subject
from safety.models import VitalSigns
from tests.factories import totp_code
from tests.safety.test_views import VITALS, _at, _new

pytestmark = pytest.mark.django_db


def _console():
    return reverse("datamanagement:lock_console")


def _change(level, action, pk):
    return reverse("datamanagement:lock_change", args=[level, action, pk])


def test_only_data_managers_see_the_console(
    data_manager_client, monitor_client, coordinator_client, investigator_client
):
    assert data_manager_client.get(_console()).status_code == 200
    for client in (monitor_client, coordinator_client, investigator_client):
        assert client.get(_console()).status_code == 403


def test_the_console_takes_a_fixed_number_of_queries(
    data_manager_client, site, coordinator, investigator, django_assert_max_num_queries
):
    def add(n):
        for _i in range(n):
            enrolled_subject(site=site, coordinator=coordinator, investigator=investigator)

    add(2)
    with django_assert_max_num_queries(40) as few:
        assert data_manager_client.get(_console()).status_code == 200
    add(6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = data_manager_client.get(_console()).content.decode()
    assert html.count('data-testid="subject-') == 8


def test_freeze_then_unlock_through_the_pages(data_manager, data_manager_client, subject_on_day_6):
    subject = subject_on_day_6
    target = rules.subject_target(subject.pk)
    response = data_manager_client.post(_change("subject", "lock", subject.pk), {"reason": ""})
    assert response.status_code == 302
    assert selectors.state_of(target) == LockState.LOCKED
    # unlock: the reason and the code are asked for, next to their fields
    page = data_manager_client.post(_change("subject", "unlock", subject.pk), {"reason": ""})
    assert page.status_code == 200
    assert set(page.context["form"].errors) == {"reason", "code"}
    page = data_manager_client.post(
        _change("subject", "unlock", subject.pk), {"reason": "correction", "code": "12345x"}
    )
    assert "code" in page.context["form"].errors
    assert selectors.state_of(target) == LockState.LOCKED
    response = data_manager_client.post(
        _change("subject", "unlock", subject.pk),
        {"reason": "correction", "code": totp_code(data_manager)},
    )
    assert response.status_code == 302
    assert selectors.state_of(target) == LockState.OPEN


def test_a_verb_the_state_does_not_allow_is_a_message(data_manager_client, subject_on_day_6):
    page = data_manager_client.post(
        _change("subject", "unfreeze", subject_on_day_6.pk), {"reason": "x"}
    )
    assert page.status_code == 200
    assert page.context["form"].non_field_errors()


def test_another_sites_subject_is_404(data_manager_client, make_user, other_site, investigator):
    from trial_edc.accounts.roles import Role

    far = enrolled_subject(
        site=other_site,
        coordinator=make_user(Role.SITE_COORDINATOR, [other_site], username="c2"),
        investigator=make_user(Role.INVESTIGATOR, [other_site], username="i2"),
    )
    assert data_manager_client.get(_change("subject", "freeze", far.pk)).status_code == 404
    assert data_manager_client.get(_change("nonsense", "freeze", far.pk)).status_code == 404


def test_a_frozen_record_shows_its_state_and_refuses_a_save_with_a_message(
    data_manager_client, coordinator_client, subject_on_day_6
):
    subject = subject_on_day_6
    coordinator_client.post(_new(subject), VITALS | {"measured_at": _at(subject)})
    vitals = VitalSigns.objects.get()
    url = reverse("safety:vitals_edit", args=[subject.pk, vitals.pk])
    data_manager_client.post(_change("subject", "freeze", subject.pk))
    html = coordinator_client.get(url).content.decode()
    assert 'data-testid="record-lock-state"' in html
    assert "This record is frozen" in html
    assert ">Save</button>" not in html
    response = coordinator_client.post(
        url,
        VITALS | {"measured_at": _at(subject), "hr": "99", "reason_for_change": "typo"},
    )
    assert response.status_code == 200
    assert "frozen or locked" in " ".join(response.context["form"].non_field_errors())
    vitals.refresh_from_db()
    assert vitals.hr != 99
    dashboard = coordinator_client.get(reverse("portal:subject_dashboard", args=[subject.pk]))
    assert 'data-testid="subject-lock-state"' in dashboard.content.decode()


def test_a_record_level_lock_from_the_crf_page(
    data_manager_client, coordinator_client, subject_on_day_6
):
    subject = subject_on_day_6
    coordinator_client.post(_new(subject), VITALS | {"measured_at": _at(subject)})
    vitals = VitalSigns.objects.get()
    url = reverse("safety:vitals_edit", args=[subject.pk, vitals.pk])
    lock = reverse(
        "datamanagement:lock_change_record", args=["lock", "safety.vitalsigns", vitals.pk]
    )
    assert data_manager_client.post(lock).status_code == 302
    assert selectors.record_state(vitals) == (LockState.LOCKED, "record")
    assert ">Save</button>" not in coordinator_client.get(url).content.decode()


def test_the_dashboard_shows_what_is_frozen_or_locked(
    data_manager_client, coordinator_client, subject_on_day_6
):
    subject = subject_on_day_6
    url = reverse("portal:subject_dashboard", args=[subject.pk])
    assert 'data-testid="subject-lock-state"' not in coordinator_client.get(url).content.decode()
    visit = subject.visits.order_by("pk").first()
    data_manager_client.post(_change("visit", "freeze", visit.pk))
    html = coordinator_client.get(url).content.decode()
    assert 'data-testid="subject-lock-state"' in html
    assert f"Visit {visit.code}: Frozen" in html  # the state as a label, not its code


def test_a_write_outside_a_crf_form_is_a_message_too(
    data_manager_client, investigator_client, subject_on_day_6
):
    """Ending the study of a locked subject (a service behind its own page): the database
    refuses, the page says why (RecordLockedMiddleware), nothing changes, no server error."""
    from trial_edc.core.clock import site_today

    subject = subject_on_day_6
    data_manager_client.post(_change("subject", "lock", subject.pk))
    url = reverse("enrollment:subject_end", args=[subject.pk])
    response = investigator_client.post(
        url,
        {
            "status": "withdrawn",
            "on": site_today(subject.site).isoformat(),
            "reason": "consent withdrawn",
            "decided_by": "the subject",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "frozen or locked" in response.content.decode()
    subject.refresh_from_db()
    assert subject.status == "on_study"
