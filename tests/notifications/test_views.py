"""The pages, as people use them: my notifications, preferences, the data managers' outbox."""

import re

import pytest
from django.urls import reverse

from tests.factories import SiteFactory
from trial_edc.accounts.roles import Role
from trial_edc.notifications import reminders
from trial_edc.notifications.models import Notification, NotificationPreference
from trial_edc.notifications.services import Message, about, notifications_queue


def link(html: str, text: str) -> str:
    match = re.search(rf'href="([^"]+)"[^>]*>{re.escape(text)}<', html)
    assert match, f"no link {text!r}"
    return match.group(1)


def queue_for(user, *, n: int, site, status="pending", error=""):
    from datetime import date, timedelta

    notifications_queue(
        Message(
            kind="dose_today",
            recipient_id=user.pk,
            for_date=date(2026, 3, 1) + timedelta(days=i),
            subject=f"reminder {i} for {user.username}",
            body="…",
            site_id=site.pk if site else None,
            **about(user),
        )
        for i in range(n)
    )
    Notification.objects.filter(recipient=user).update(status=status, last_error=error)


def test_a_coordinator_follows_the_link_to_their_own_notifications(
    coordinator_client, coordinator, investigator, subject_on_day, at
):
    subject_on_day(22)
    reminders.reminders_run(at(9))
    queue_for(investigator, n=1, site=None)
    home = coordinator_client.get(reverse("portal:home")).content.decode()
    page = coordinator_client.get(link(home, "Notifications"))
    html = page.content.decode()
    assert "Day 28 window opens in 3 day(s)" in html
    assert "reminder 0 for investigator" not in html
    assert page.context["counts"]["pending"] == 2
    only_sent = coordinator_client.get(reverse("notifications:my_notifications") + "?status=sent")
    assert list(only_sent.context["page"]) == []


def test_preferences_are_saved_from_the_form(coordinator_client, coordinator):
    page = coordinator_client.get(reverse("notifications:notification_preferences"))
    assert "Dose not recorded at the end of the day" in page.content.decode()
    assert "New serious adverse event" not in page.content.decode()  # not optional
    response = coordinator_client.post(
        reverse("notifications:notification_preferences"),
        {"email_kinds": ["visit_overdue", "dose_missing"], "daily_digest": "on"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("notifications:my_notifications")
    assert "Your notification preferences are saved." in response.content.decode()
    pref = NotificationPreference.objects.get(user=coordinator)
    assert pref.daily_digest is True
    assert set(pref.email_off) == {
        "visit_window_opens",
        "dose_today",
        "vitals_missing",
        "safety_report",
        "queries_unanswered",
    }


def test_a_bad_choice_is_refused_next_to_the_field(coordinator_client, coordinator):
    response = coordinator_client.post(
        reverse("notifications:notification_preferences"), {"email_kinds": ["sae_alert"]}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email_kinds"]
    assert not NotificationPreference.objects.filter(user=coordinator).exists()


def test_the_data_manager_sees_the_outbox_and_failures_of_their_sites_only(
    data_manager_client, coordinator, make_user, site
):
    elsewhere = SiteFactory(code="09", name="Not theirs")
    stranger = make_user(Role.SITE_COORDINATOR, [elsewhere], username="stranger")
    queue_for(coordinator, n=2, site=site, status="failed", error="SMTPServerDisconnected: gone")
    queue_for(stranger, n=1, site=elsewhere)
    home = data_manager_client.get(reverse("portal:home")).content.decode()
    page = data_manager_client.get(link(home, "Outbox") + "?status=failed")
    html = page.content.decode()
    assert len(page.context["page"]) == 2
    assert "SMTPServerDisconnected: gone" in html
    assert (
        "reminder 0 for stranger"
        not in data_manager_client.get(
            reverse("notifications:notification_outbox")
        ).content.decode()
    )


def test_coordinators_have_no_outbox(coordinator_client):
    assert coordinator_client.get(reverse("notifications:notification_outbox")).status_code == 403


@pytest.mark.parametrize(
    "url_name", ["notifications:my_notifications", "notifications:notification_outbox"]
)
def test_list_pages_run_a_constant_number_of_queries(
    url_name, data_manager, data_manager_client, site, django_assert_max_num_queries
):
    queue_for(data_manager, n=3, site=site)
    data_manager_client.get(reverse(url_name))
    with django_assert_max_num_queries(12) as few:
        data_manager_client.get(reverse(url_name))
    Notification.objects.all().delete()
    queue_for(data_manager, n=60, site=site)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = data_manager_client.get(reverse(url_name))
    assert len(response.context["page"]) == 50
