"""Every role's home page is its worklist for today, each line a link to where the work is
done, by each site's own clock, in a constant number of queries whatever the subjects."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from portal.demo.enrollment import eligible_screening, enrolled_subject
from portal.demo.treatment import _dose, _vitals, serious_pneumonia
from safety.services.adverse_events import adverse_event_record
from trial_edc.core.clock import site_today
from trial_edc.notifications.models import Notification


def _worklist(client, key):
    lists = {k: items for k, _, items in client.get(reverse("portal:home")).context["worklists"]}
    return lists[key]


def _texts(client, key):
    return [item.text for item in _worklist(client, key)]


def test_the_coordinator_sees_todays_dose_and_vitals_until_they_are_recorded(
    coordinator_client, coordinator, subject_on_day_6
):
    subject = subject_on_day_6
    dose = _worklist(coordinator_client, "doses_today")
    vitals = _worklist(coordinator_client, "vitals_today")
    assert [i.text for i in dose] == [f"{subject}: today's dose (day 6)"]
    assert [i.text for i in vitals] == [f"{subject}: today's vital signs (day 6)"]
    assert dose[0].url == reverse("portal:treatment_day", args=[subject.pk, 6])
    home = coordinator_client.get(reverse("portal:home")).content.decode()
    assert f'href="{dose[0].url}"' in home

    _dose(subject, 6, coordinator)
    assert _texts(coordinator_client, "doses_today") == []
    assert _texts(coordinator_client, "vitals_today") != []
    _vitals(subject, 6, coordinator)
    assert _texts(coordinator_client, "vitals_today") == []


def test_a_visit_whose_window_is_open_is_on_the_coordinators_list(
    coordinator_client, site, coordinator, investigator
):
    today = site_today(site)
    subject = enrolled_subject(
        site=site,
        coordinator=coordinator,
        investigator=investigator,
        screening_date=today - timedelta(days=16),
        day1=today - timedelta(days=13),
    )
    texts = _texts(coordinator_client, "visits_open")
    assert any(t.startswith(f"{subject}: ") for t in texts), texts


def test_the_investigator_sees_what_to_confirm_and_sign(
    investigator_client, site, coordinator, investigator, subject_on_day_6
):
    screening = eligible_screening(site=site, user=coordinator)
    assert _texts(investigator_client, "eligibility_to_confirm") == [
        f"{screening.screening_number} is eligible: confirm and enrol"
    ]
    ae = adverse_event_record(ae=serious_pneumonia(subject_on_day_6), user=coordinator)
    to_sign = _worklist(investigator_client, "adverse_events_to_sign")
    assert [i.url for i in to_sign] == [reverse("safety:adverse_event_detail", args=[ae.pk])]
    clocks = _texts(investigator_client, "sae_clocks")
    assert clocks == [f"{subject_on_day_6}: report the SAE {ae.aeterm} to the sponsor"]


def test_the_data_manager_sees_failed_notifications(data_manager_client, data_manager, site):
    Notification.objects.create(
        recipient=data_manager,
        site=site,
        kind="dose_today",
        subject="Dose today",
        body="-",
        content_type=ContentType.objects.get_for_model(data_manager),
        object_id=data_manager.pk,
        for_date=site_today(site),
        status=Notification.Status.FAILED,
        last_error="SMTP refused",
    )
    items = _worklist(data_manager_client, "failed_notifications")
    assert [(i.detail, i.site) for i in items] == [("SMTP refused", "01")]


def test_worklists_go_only_to_the_roles_that_do_the_work(
    coordinator_client, monitor_client, investigator_client
):
    def keys(client):
        return {k for k, _, _ in client.get(reverse("portal:home")).context["worklists"]}

    assert {"doses_today", "vitals_today", "visits_open"} <= keys(coordinator_client)
    assert "adverse_events_to_sign" not in keys(coordinator_client)
    assert keys(monitor_client) == {"my_queries", "awaiting_verification"}
    assert {"adverse_events_to_sign", "eligibility_to_confirm"} <= keys(investigator_client)


@pytest.mark.parametrize(
    "role_client",
    ["coordinator_client", "investigator_client", "monitor_client", "data_manager_client"],
)
def test_the_home_page_runs_the_same_queries_for_1_or_6_subjects(
    request, role_client, site, coordinator, investigator
):
    client = request.getfixturevalue(role_client)
    today = site_today(site)

    def enrol(n):
        for i in range(n):
            subject = enrolled_subject(
                site=site,
                coordinator=coordinator,
                investigator=investigator,
                screening_date=today - timedelta(days=6),
                day1=today - timedelta(days=3),
                initials=f"Q{i}X",
            )
            adverse_event_record(ae=serious_pneumonia(subject), user=coordinator)

    def queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("portal:home")).status_code == 200
        return len(captured)

    enrol(1)
    queries()  # the first page of a session reads its caches (permissions, time zone)
    few = queries()
    enrol(5)
    assert queries() == few


def test_data_management_lines_for_each_role(
    monitor_client, data_manager_client, investigator_client, subject_on_day_6, coordinator
):
    """The monitor sees what awaits verification, the data manager what blocks the database
    lock (each line a link), the investigator the casebooks of subjects whose study ended."""
    from enrollment.models import Subject
    from enrollment.services import subject_end

    subject = subject_on_day_6
    awaiting = _worklist(monitor_client, "awaiting_verification")
    assert [i.url for i in awaiting] == [reverse("datamanagement:casebook", args=[subject.pk])]
    blockers = _texts(data_manager_client, "lock_blockers")
    assert any(t.startswith(f"{subject}") for t in blockers), blockers
    assert _texts(investigator_client, "casebooks_to_sign") == []
    subject_end(
        subject=subject,
        user=coordinator,
        status=Subject.Status.WITHDRAWN,
        on=site_today(subject.site),
        reason="Consent withdrawn",
        decided_by="subject",
    )
    (line,) = _worklist(investigator_client, "casebooks_to_sign")
    assert line.url == reverse("datamanagement:casebook", args=[subject.pk])
