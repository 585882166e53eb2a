"""manage.py reminders --dry-run --date: what a day's run would queue, at every site."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from trial_edc.core.clock import site_today
from trial_edc.notifications.models import Notification


def run(*args) -> str:
    out = StringIO()
    call_command("reminders", *args, stdout=out)
    return out.getvalue()


def test_dry_run_of_a_date_prints_the_days_reminders_and_queues_nothing(
    subject_on_day, site, coordinator
):
    subject = subject_on_day(
        20, missed=()
    )  # on day 22 (two days on) DAY28's window opens in 3 days
    on = site_today(site) + timedelta(days=2)
    out = run("--dry-run", "--date", on.isoformat())
    assert f"{subject}: Day 28 window opens in 3 day(s)" in out
    assert f"{subject}: no vital signs" not in out  # day 22: treatment is over
    assert f"{on:%Y-%m-%d} 08:00 CST" in out  # the site's own morning
    assert "1 reminder(s) due; dry run, nothing queued." in out
    assert not Notification.objects.exists()


def test_without_dry_run_the_reminders_are_queued_once(subject_on_day, site, coordinator):
    subject_on_day(6)
    on = site_today(site).isoformat()
    run("--date", on)
    run("--date", on)
    assert sorted(Notification.objects.values_list("kind", flat=True)) == [
        "dose_missing",
        "dose_today",
        "vitals_missing",
    ]


def test_a_bad_date_is_refused_with_the_format_to_use(db):
    with pytest.raises(CommandError, match="use YYYY-MM-DD"):
        run("--dry-run", "--date", "25/11/2026")
