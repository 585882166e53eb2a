"""Reads of the outbox: a person's own notifications, and a data manager's sites' outbox."""

from django.db.models import Count, Q, QuerySet

from trial_edc.accounts.selectors import site_ids_of
from trial_edc.notifications.models import Notification, NotificationPreference


def status_counts(rows: QuerySet) -> dict[str, int]:
    counts = dict(rows.order_by().values_list("status").annotate(n=Count("id")))
    return {s.value: counts.get(s.value, 0) for s in Notification.Status}


def notifications_of(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=user.pk).select_related("site")


def outbox_for(user) -> QuerySet[Notification]:
    """Rows of the user's sites, and study-wide rows (no site) sent to data managers."""
    return (
        Notification.objects.filter(Q(site__in=site_ids_of(user)) | Q(site__isnull=True))
        .select_related("site", "recipient")
        .order_by("-send_after", "-id")
    )


def preference_of(user) -> NotificationPreference:
    """The user's preferences (unsaved defaults if they never changed them)."""
    return NotificationPreference.objects.filter(user_id=user.pk).first() or (
        NotificationPreference(user_id=user.pk)
    )
