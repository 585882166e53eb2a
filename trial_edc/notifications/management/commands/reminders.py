"""manage.py reminders [--dry-run] [--date YYYY-MM-DD]: what the reminder run queues."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from trial_edc.accounts.models import User
from trial_edc.notifications import reminders
from trial_edc.notifications.models import Kind
from trial_edc.notifications.services import notifications_queue


class Command(BaseCommand):
    help = (
        "Queue the reminders due now (what the beat task does). With --date, the whole of "
        "that day at every site (morning and end of day); with --dry-run, print them only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print, queue nothing.")
        parser.add_argument("--date", help="A site-local date, YYYY-MM-DD (default: now).")

    def handle(self, *args, dry_run=False, date=None, **options):
        on = self._date(date)
        now = timezone.now()
        if not dry_run and on is not None and on < timezone.localdate() - timedelta(days=1):
            # a past day's "dose today" would go out now, days late
            raise CommandError("Only --dry-run looks at past days; queue today or later.")
        due = reminders.reminders_due(now, whole_day=on is not None, on=on)
        names = dict(
            User.objects.filter(pk__in={m.recipient_id for m in due}).values_list("pk", "username")
        )
        for m in sorted(
            due, key=lambda m: (m.send_after, m.kind, m.subject, names[m.recipient_id])
        ):
            self.stdout.write(
                f"{m.send_after:%Y-%m-%d %H:%M %Z}  {Kind(m.kind).label:<45.45}  "
                f"{names[m.recipient_id]:<16} {m.subject}"
            )
        if dry_run:
            self.stdout.write(f"{len(due)} reminder(s) due; dry run, nothing queued.")
            return
        notifications_queue(due)
        self.stdout.write(f"{len(due)} reminder(s) due, queued once each (already queued kept).")

    @staticmethod
    def _date(value: str | None) -> date | None:
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise CommandError(f"--date {value!r}: use YYYY-MM-DD, e.g. 2026-12-01.") from None
