"""The query pages: the list of a user's sites with filters and aging, one query's thread
with the value then and now, and a record's items with their queries (raise one there)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from datamanagement.checks.rules import checks
from datamanagement.queries import records, rules, selectors, services
from datamanagement.queries.forms import QueryFilterForm, QueryMoveForm, QueryRaiseForm
from trial_edc.accounts.models import User
from trial_edc.accounts.selectors import sites_for
from trial_edc.core.forms import apply_errors, crf_save

VIEW = "datamanagement.view_query"


def _int_or_none(raw):
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


@login_required
@permission_required(VIEW, raise_exception=True)
def query_list(request):
    sites = list(sites_for(request.user).order_by("code"))
    raisers = User.objects.filter(
        pk__in=selectors.queries_for(request.user).values("raised_by_id")
    ).order_by("username")
    form = QueryFilterForm(request.GET or None, sites=sites, raisers=raisers)
    filters = form.cleaned_data if form.is_valid() else {}
    subject = _int_or_none(request.GET.get("subject"))
    rows = selectors.query_list(
        request.user,
        state=filters.get("state", ""),
        min_days=filters.get("min_days"),
        form=filters.get("form", ""),
        raised_by=filters.get("raised_by"),
        site=filters.get("site"),
        subject=subject,
    )
    now = timezone.now()
    lines = [
        {
            "query": q,
            "item": records.item_label(q.content_type.model_class(), q.field)
            if q.content_type.model_class()
            else q.field,
            "form": q.content_type.model_class()._meta.verbose_name
            if q.content_type.model_class()
            else q.content_type.model,
            **selectors.aging(q, now),
        }
        for q in rows[:500]
    ]
    return render(
        request,
        "datamanagement/queries/list.html",
        {"form": form, "lines": lines, "total": len(lines)},
    )


@login_required
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def query_detail(request, pk: int):
    query = selectors.query_or_404(request.user, pk)
    model = query.content_type.model_class()
    record = model.objects.filter(pk=query.object_id).first() if model else None
    permissions = request.user.get_all_permissions()
    moves = rules.moves_for(query.state, permissions)
    form = QueryMoveForm(
        request.POST if request.method == "POST" else None, actions=list(rules.MOVES)
    )
    if request.method == "POST" and form.is_valid():
        move = rules.MOVES[form.cleaned_data["action"]]
        if query.state == move.to:  # sent twice: the first one did it
            messages.info(request, _("This was already done: here is the query."))
            return redirect("datamanagement:query_detail", query.pk)
        if move not in moves:
            form.add_error(
                None,
                _("Your role cannot do this to a query that is '%(state)s'.")
                % {"state": query.get_state_display()},
            )
        else:
            try:
                services.query_move(
                    user=request.user,
                    query=query,
                    action=move.action,
                    text=form.cleaned_data["text"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Query: %(step)s.") % {"step": move.label})
                return redirect("datamanagement:query_detail", query.pk)
    then = records.event_at(record, query.anchor_seq) if record is not None else None
    return render(
        request,
        "datamanagement/queries/detail.html",
        {
            "query": query,
            "record": record,
            "form_name": model._meta.verbose_name if model else query.content_type.model,
            "item": records.item_label(model, query.field) if model else query.field,
            "value_then": records.shown(model, query.field, then) if model else "",
            "value_now": records.shown(model, query.field, record) if model else "",
            "thread": query.messages.select_related("author"),
            "moves": moves,
            "form": form,
            "record_url": reverse(
                "datamanagement:record_queries",
                args=[
                    query.content_type.app_label + "." + query.content_type.model,
                    query.object_id,
                ],
            ),
            "check": _check_of(query),
            **selectors.aging(query),
        },
    )


def _check_of(query) -> str:
    """The edit check that raised an automatic query, with its version ("" for a person's)."""
    if not query.check_key:
        return ""
    check = checks.get(query.check_key)
    label = str(check.label) if check is not None else query.check_key
    return _("%(check)s (version %(v)s)") % {"check": label, "v": query.check_version}


@login_required
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def record_queries(request, label: str, pk: int):
    """A record's items and values, each with its queries, and the form to raise one."""
    record = records.record_or_404(request.user, label, pk)
    model = type(record)
    may_raise = request.user.has_perm(rules.RAISE_PERMISSION)
    form = QueryRaiseForm(
        request.POST if request.method == "POST" else None,
        model=model,
        initial=_initial(request, model),
    )
    here = request.path

    def save() -> str:
        query = services.query_raise(
            user=request.user,
            record=record,
            field=form.cleaned_data["field"],
            text=form.cleaned_data["text"],
        )
        messages.success(request, _("Query raised."))
        return reverse("datamanagement:query_detail", args=[query.pk])

    if request.method == "POST":
        if not may_raise:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        if done := crf_save(request, form, save=save, back=here):
            return done
    queries = list(selectors.record_queries(record))
    by_field: dict = {}
    for q in queries:
        by_field.setdefault(q.field, []).append(q)
    items = [
        {
            "name": f.name,
            "label": str(capfirst(f.verbose_name)),
            "value": records.shown(model, f.name, record),
            "queries": by_field.get(f.name, []),
        }
        for f in records.items_of(model)
    ]
    place = records.place_of(record)
    return render(
        request,
        "datamanagement/queries/record.html",
        {
            "record": record,
            "form_name": model._meta.verbose_name,
            "place": place,
            "items": items,
            "whole_record": by_field.get("", []),
            "form": form if may_raise else None,
        },
    )


def _initial(request, model) -> dict:
    field = request.GET.get("field", "")
    return {"field": field} if field in {f.name for f in records.items_of(model)} else {}


@login_required
@permission_required(VIEW, raise_exception=True)
def subject_records(request, pk: int):
    """Every CRF record of a subject, each a link to its items and queries."""
    from datamanagement.queries.parts import subject_records as records_of
    from enrollment.selectors import subject_or_404

    subject = subject_or_404(request.user, pk)
    return render(
        request,
        "datamanagement/queries/subject_records.html",
        {"subject": subject, "records": records_of(subject)},
    )
