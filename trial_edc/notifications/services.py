"""The outbox: queue messages once, send each once, re-check it first, retry with back-off."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from trial_edc.accounts.selectors import languages_of
from trial_edc.notifications import relevance, rules
from trial_edc.notifications.models import (
    MANDATORY_KINDS,
    NOTIFICATION_MOVES,
    OPTIONAL_KINDS,
    Kind,
    Notification,
    NotificationPreference,
)
from trial_edc.notifications.texts import Later

Status = Notification.Status


@dataclass(frozen=True)
class Message:
    """A message to queue: one recipient, about one object, for one site-local date."""

    kind: str
    recipient_id: int
    content_type_id: int
    object_id: int
    for_date: date
    subject: "str | Later"  # texts.later(...): written in the recipient's language when queued
    body: "str | Later"
    site_id: int | None = None
    send_after: datetime | None = None

    @property
    def key(self) -> tuple:
        return (self.kind, self.content_type_id, self.object_id, self.for_date, self.recipient_id)


def messages_to(recipients, **fields) -> list[Message]:
    """The same message to each recipient (ids)."""
    return [Message(recipient_id=r, **fields) for r in recipients]


def content_type_id(model) -> int:
    return ContentType.objects.get_for_model(model).pk


def about(obj) -> dict:
    """The content type and id of the object a message is about (cached content type)."""
    return {
        "content_type_id": ContentType.objects.get_for_model(obj, for_concrete_model=False).pk,
        "object_id": obj.pk,
    }


def notifications_queue(messages: Iterable[Message]) -> None:
    """Insert the messages not queued yet, in one statement (INSERT ... ON CONFLICT DO
    NOTHING): two runs at once, or one run twice, leave one row per key."""
    now = timezone.now()
    messages = list(messages)
    languages = languages_of({m.recipient_id for m in messages})
    rows = [
        Notification(
            kind=m.kind,
            recipient_id=m.recipient_id,
            content_type_id=m.content_type_id,
            object_id=m.object_id,
            for_date=m.for_date,
            **_written_for(m, languages.get(m.recipient_id, settings.LANGUAGE_CODE)),
            site_id=m.site_id,
            send_after=m.send_after or now,
            created_at=now,
        )
        for m in messages
    ]
    if rows:
        Notification.objects.bulk_create(rows, ignore_conflicts=True)


def _written_for(m: Message, language: str) -> dict:
    """The subject and body in the recipient's language (texts.later, or plain text)."""
    with translation.override(language):
        return {"subject": str(m.subject)[:300], "body": str(m.body)}


def notify(*, kind: str, obj, for_date: date, recipients, subject: str, body: str, site_id=None):
    """Queue one message to each recipient (users) and return their outbox rows."""
    recipients = [u for u in recipients if u.email and u.is_active]
    key = {"kind": kind, **about(obj), "for_date": for_date}
    notifications_queue(
        Message(recipient_id=u.pk, subject=subject, body=body, site_id=site_id, **key)
        for u in recipients
    )
    return list(
        Notification.objects.filter(recipient__in=recipients, **key).values_list("pk", flat=True)
    )


# --- sending ------------------------------------------------------------------------------


def due_for_sending(now: datetime | None = None):
    """Pending rows whose time has come, except reminders of people who chose a digest."""
    return (
        Notification.objects.filter(status=Status.PENDING, send_after__lte=now or timezone.now())
        .exclude(
            Q(kind__in=OPTIONAL_KINDS) & Q(recipient__notification_preference__daily_digest=True)
        )
        .order_by("send_after", "id")
    )


def outbox_send_due(now: datetime | None = None, limit: int = 1000) -> dict[str, int]:
    """Send what is due, one row per transaction; safe on many workers at once."""
    counts: dict[str, int] = {}
    for pk in list(due_for_sending(now).values_list("pk", flat=True)[:limit]):
        outcome = notification_send(pk, now=now)
        if outcome:
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def outbox_send(ids: Iterable[int]) -> None:
    """Send these rows now, if due (a reminder of someone who chose the digest waits)."""
    for pk in due_for_sending().filter(pk__in=list(ids)).values_list("pk", flat=True):
        notification_send(pk)


def notification_send(pk: int, *, now: datetime | None = None) -> str | None:
    """Send one pending row, or cancel it if what it is about no longer needs it.

    The row stays locked until its new status commits: a second worker skips it, and a
    worker killed mid-send leaves it pending (its transaction rolls back) for the next run.
    Returns the new status, or None if the row was not this run's to send."""
    now = now or timezone.now()
    with transaction.atomic():
        n = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient", "recipient__notification_preference")
            .filter(pk=pk, status=Status.PENDING, send_after__lte=now)
            .first()
        )
        if n is None:
            return None
        why_not = _why_not_send(n)
        if why_not:
            return _close(n, Status.CANCELLED, cancelled_reason=why_not[:200])
        items = None
        if n.kind == Kind.DIGEST:
            with translation.override(languages_of([n.recipient_id])[n.recipient_id]):
                items, n.body = _digest_body(n, now)
            if not items:
                return _close(n, Status.CANCELLED, cancelled_reason=_("Nothing left to send."))
        try:
            _deliver(n)
        except Exception as exc:  # any failure of the channel is kept on the row, not lost
            n.attempts += 1
            n.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            # safety alerts never give up: they keep trying, at the longest back-off
            if n.kind not in MANDATORY_KINDS and rules.gives_up(n.attempts):
                NOTIFICATION_MOVES.move(n, Status.FAILED)
            else:
                n.send_after = now + rules.retry_delay(n.attempts)
            n.save(update_fields=["attempts", "last_error", "status", "send_after", "body"])
            return n.status
        n.attempts += 1
        if items is not None:
            NOTIFICATION_MOVES.move_all(
                Notification.objects.filter(pk__in=items),
                from_status=Status.PENDING,
                to=Status.SENT,
            )
            Notification.objects.filter(pk__in=items).update(sent_at=now, digest=n)
        return _close(n, Status.SENT, sent_at=now, body=n.body)


def _close(n: Notification, status: str, **fields) -> str:
    NOTIFICATION_MOVES.move(n, status)
    for name, value in fields.items():
        setattr(n, name, value)
    n.save(update_fields=["status", "attempts", *fields])
    return status


def _preference(user) -> NotificationPreference | None:
    try:
        return user.notification_preference
    except NotificationPreference.DoesNotExist:
        return None


def _why_not_send(n: Notification) -> str:
    if not n.recipient.is_active or not n.recipient.email:
        return _("The recipient is deactivated or has no e-mail address.")
    pref = _preference(n.recipient)
    if n.kind not in MANDATORY_KINDS and pref and n.kind in pref.email_off:
        return _("Not e-mailed: turned off in the recipient's preferences.")
    return relevance.why_not_relevant(n)


def _deliver(n: Notification) -> None:
    """Send by the row's channel (e-mail is the only one so far)."""
    EmailMessage(n.subject, n.body, settings.DEFAULT_FROM_EMAIL, [n.recipient.email]).send()


def _digest_body(digest: Notification, now: datetime) -> tuple[list[int], str]:
    """The recipient's pending reminders still worth sending; the others are cancelled."""
    rows = list(
        Notification.objects.select_for_update(skip_locked=True)
        .filter(
            recipient_id=digest.recipient_id,
            status=Status.PENDING,
            kind__in=OPTIONAL_KINDS,
            send_after__lte=now,
        )
        .order_by("send_after", "id")
    )
    carried, parts = [], []
    for row in rows:
        why_not = _why_not_send(row)  # relevance and the recipient's kinds turned off
        if why_not:
            NOTIFICATION_MOVES.move(row, Status.CANCELLED)
            row.cancelled_reason = why_not[:200]
            row.save(update_fields=["status", "cancelled_reason"])
            continue
        carried.append(row.pk)
        parts.append(f"* {row.subject}\n{row.body}")
    return carried, "\n\n".join(parts)


# --- preferences --------------------------------------------------------------------------


def preference_save(*, user, email_off: list[str], daily_digest: bool) -> NotificationPreference:
    pref, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email_off": email_off, "daily_digest": daily_digest}
    )
    return pref
