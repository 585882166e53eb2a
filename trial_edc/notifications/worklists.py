"""The data managers' line of the home-page worklists: notifications that failed to send
(registered in NotificationsConfig.ready)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trial_edc.core.registry import WorkItem, Worklist, worklists
from trial_edc.notifications.models import Notification
from trial_edc.notifications.selectors import outbox_for


def failed_notifications(user) -> list[WorkItem]:
    url = reverse("notifications:notification_outbox") + "?status=failed"
    return [
        WorkItem(
            _("Not sent to %(to)s: %(subject)s") % {"to": n.recipient, "subject": n.subject},
            url,
            site=n.site.code if n.site else "",
            detail=n.last_error[:120],
        )
        for n in outbox_for(user).filter(status=Notification.Status.FAILED)[:50]
    ]


def register() -> None:
    worklists.register(
        Worklist(
            "failed_notifications",
            gettext_lazy("Notifications that could not be sent"),
            failed_notifications,
            "notifications.view_notification",
            order=90,
        )
    )
