"""Is a queued message still worth sending? Asked again just before it goes out, of the
reminder source that registered its kind (core.registry)."""

from trial_edc.core.registry import reminder_source_of
from trial_edc.notifications.models import Notification


def why_not_relevant(n: Notification) -> str:
    """Why the message should not go out any more, or "" if it should."""
    source = reminder_source_of(n.kind)
    return source.why_not_needed(n) if source else ""
