"""Raising and moving queries: each move checks the role and the site, follows the
transition table and appends one message to the thread, audited, in one transaction."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from datamanagement.models.queries import (
    QUERY_MOVES,
    Query,
    QueryAction,
    QueryMessage,
    QueryState,
)
from datamanagement.queries import records, rules
from trial_edc.accounts.models import Site, User
from trial_edc.accounts.permissions import require
from trial_edc.audit.services import audit_context


def _text_or_refuse(text: str, *, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError({"text": _("Write the text of this step.")}, code="required")
    return text


def query_raise(*, user: User, record, field: str = "", text: str) -> Query:
    """A query on item `field` of `record` ("" for the whole record), anchored to the
    record's latest history entry (the value now, shown later as the value then)."""
    place = records.place_of(record)
    require(user, rules.RAISE_PERMISSION, Site.objects.get(pk=place.site_id))
    text = _text_or_refuse(text, required=True)
    if field and field not in {f.name for f in records.items_of(type(record))}:
        raise ValidationError({"field": _("Choose an item of this form.")}, code="invalid")
    now = timezone.now()
    with transaction.atomic(), audit_context(user=user, reason=_("Query raised")):
        anchor = records.latest_event(record)
        query = Query.objects.create(
            site_id=place.site_id,
            subject=place.subject,
            visit=place.visit,
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            field=field,
            anchor_seq=anchor.pgh_chain_seq if anchor is not None else None,
            anchor_event=anchor._meta.label if anchor is not None else "",
            text=text,
            raised_by=user,
            raised_at=now,
        )
        QueryMessage.objects.create(
            query=query,
            action=QueryAction.RAISE,
            text=text,
            author=user,
            at=now,
            state_after=QueryState.OPEN,
        )
    return query


def query_move(*, user: User, query: Query, action: str, text: str = "") -> Query:
    """Answer, close, re-open or cancel a query (refused if the table or the role does not
    allow it); one message in the thread says who, when and what."""
    move = rules.MOVES.get(action)
    if move is None:
        raise ValidationError(_("Unknown action."), code="invalid")
    require(user, move.permission, query.site)
    text = _text_or_refuse(text, required=move.text_required)
    with transaction.atomic():
        query = Query.objects.select_for_update().get(pk=query.pk)
        if query.state == move.to:
            raise ValidationError(
                _("This query is already '%(state)s'.") % {"state": query.get_state_display()},
                code="transition",
            )
        QUERY_MOVES.move(query, move.to)
        now = timezone.now()
        if move.to == QueryState.ANSWERED and query.first_answered_at is None:
            query.first_answered_at = now
        query.closed_at = now if move.to == QueryState.CLOSED else None
        with audit_context(user=user, reason=text or str(move.label)):
            query.save(update_fields=["state", "first_answered_at", "closed_at"])
            QueryMessage.objects.create(
                query=query, action=action, text=text, author=user, at=now, state_after=move.to
            )
    return query


def query_answer(*, user: User, query: Query, text: str) -> Query:
    return query_move(user=user, query=query, action=QueryAction.ANSWER, text=text)


def query_close(*, user: User, query: Query, text: str = "") -> Query:
    return query_move(user=user, query=query, action=QueryAction.CLOSE, text=text)


def query_reopen(*, user: User, query: Query, text: str) -> Query:
    return query_move(user=user, query=query, action=QueryAction.REOPEN, text=text)


def query_cancel(*, user: User, query: Query, text: str) -> Query:
    return query_move(user=user, query=query, action=QueryAction.CANCEL, text=text)
