"""Queries (discrepancy management): a question about one item of one CRF record, anchored to
the history entry of the value when it was raised, and its thread of messages (append-only)."""

import pgtrigger
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from enrollment.models import Subject, SubjectVisit
from trial_edc.accounts.models import Site
from trial_edc.audit.models import truncate_guard
from trial_edc.audit.tracking import audited
from trial_edc.core.transitions import Transitions


class QueryState(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


@audited(reason_required=False)
class Query(models.Model):
    """One question about a record (`field` "" for the whole record). `anchor_seq` is the
    pgh_chain_seq of the record's latest history entry when the query was raised (the value
    then); the record itself holds the value now."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="queries"
    )
    visit = models.ForeignKey(
        SubjectVisit, null=True, blank=True, on_delete=models.PROTECT, related_name="queries"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    field = models.CharField(_("item"), max_length=100, blank=True)
    anchor_seq = models.BigIntegerField(_("history entry of the value"), null=True, blank=True)
    anchor_event = models.CharField(max_length=100, blank=True)  # event model label
    state = models.CharField(
        _("state"), max_length=10, choices=QueryState.choices, default=QueryState.OPEN
    )
    text = models.TextField(_("question"))
    raised_by = models.ForeignKey(  # None: the system (an automatic query)
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(_("raised at"))
    first_answered_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # an automatic query (raised by an edit check, `raised_by` None): the check's key and
    # version, and whether the check failed at its last run (a query closed while its check
    # still fails stays closed; once the check has passed, a new failure re-opens it)
    check_key = models.CharField(_("edit check"), max_length=60, blank=True)
    check_version = models.PositiveSmallIntegerField(_("edit check version"), null=True, blank=True)
    check_failing = models.BooleanField(default=False)

    site_path = "site"

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("query")
        verbose_name_plural = _("queries")
        default_permissions = ("view",)
        permissions = [
            ("raise_query", "Raise, close, re-open and cancel queries (monitor, data manager)"),
            ("answer_query", "Answer queries of the site (coordinator, investigator)"),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="query_record"),
            models.Index(fields=["site", "state"], name="query_site_state"),
        ]
        triggers = [
            pgtrigger.Protect(name="query_no_delete", operation=pgtrigger.Delete),
            truncate_guard("query_no_truncate"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="answered") | models.Q(first_answered_at__isnull=False),
                name="query_answered_has_time",
            ),
            # an edit check raises at most one query per (check, version, record, item)
            models.UniqueConstraint(
                fields=["check_key", "check_version", "content_type", "object_id", "field"],
                condition=~models.Q(check_key=""),
                name="query_one_per_check_item",
            ),
        ]

    def __str__(self) -> str:
        return f"Query {self.pk}"


QUERY_MOVES = Transitions(
    QueryState,
    {
        QueryState.OPEN: {QueryState.ANSWERED, QueryState.CANCELLED},
        QueryState.ANSWERED: {QueryState.CLOSED, QueryState.OPEN},  # closed, or re-opened
        QueryState.CLOSED: {QueryState.OPEN},  # re-opened with a reason
        QueryState.CANCELLED: set(),  # raised in error: final
    },
    field="state",
    noun=_("A query"),
)

# The moves of the system on an automatic query: it closes an open or answered query when
# its check passes again (nobody needs to answer a value that was corrected), and re-opens
# a closed one when the check fails again. A person's moves stay those of QUERY_MOVES
# (a person never closes an unanswered query: they cancel it).
SYSTEM_QUERY_MOVES = Transitions(
    QueryState,
    {
        QueryState.OPEN: {QueryState.CLOSED},
        QueryState.ANSWERED: {QueryState.CLOSED},
        QueryState.CLOSED: {QueryState.OPEN},
        QueryState.CANCELLED: set(),  # raised in error: final for the system too
    },
    field="state",
    noun=_("An automatic query"),
)


class QueryAction(models.TextChoices):
    RAISE = "raise", _("Raised")
    ANSWER = "answer", _("Answered")
    CLOSE = "close", _("Closed")
    REOPEN = "reopen", _("Re-opened")
    CANCEL = "cancel", _("Cancelled")


@audited(reason_required=False)
class QueryMessage(models.Model):
    """One move of a query: who, when, what they wrote and the state it left. Append-only."""

    query = models.ForeignKey(Query, on_delete=models.PROTECT, related_name="messages")
    action = models.CharField(_("action"), max_length=10, choices=QueryAction.choices)
    text = models.TextField(_("text"), blank=True)
    author = models.ForeignKey(  # None: the system
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    state_after = models.CharField(max_length=10, choices=QueryState.choices)

    site_path = "query__site"

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("query message")
        default_permissions = ("view",)
        triggers = [
            pgtrigger.Protect(
                name="query_message_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
            truncate_guard("query_message_no_truncate"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"
