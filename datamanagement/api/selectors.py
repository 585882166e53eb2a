"""What each endpoint of the read API reads, for a user: the pages' site scoping
(`accounts.selectors.scope_to_sites` along the model's `site_path`), the same view permission
as the pages, and `modified` = the time of the record's latest audit-trail entry (written by
PostgreSQL on every insert and update, whatever path wrote), which `modified_since` filters on.

Every list is one query a page whatever its size: relations are read as ids and the site
code, subject number and modified time are columns of that query."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Case, CharField, F, Max, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Concat

from datamanagement.models import Query, SourceVerification
from datamanagement.places import subject_lookup
from trial_edc.accounts.selectors import scope_to_sites
from trial_edc.core import registry


@dataclass(frozen=True)
class Endpoint:
    """One read-only endpoint: `/api/v1/<path>/` lists the rows of `model` of the user's sites
    to users with `permission`; `subject` is the lookup to the record's subject (None: none);
    `annotations` are extra columns (name -> expression) and `exclude` fields left out."""

    path: str
    model: type
    permission: str
    subject: str | None
    annotations: dict = field(default_factory=dict, hash=False, compare=False)
    exclude: tuple[str, ...] = ()

    @property
    def basename(self) -> str:
        return self.path.replace("/", "-")


def _view_permission(model) -> str:
    return f"{model._meta.app_label}.view_{model._meta.model_name}"


def endpoints() -> list[Endpoint]:
    """Every endpoint: one per registered CRF (named ones — subjects, visits, adverse events —
    at their own path, the others at forms/<app_label>.<model_name>), then queries and source
    data verification."""
    found = []
    for crf in registry.crf_models:
        lookup = subject_lookup(crf)
        found.append(
            Endpoint(
                path=crf.api_name or f"forms/{crf.key}",
                model=crf.model,
                permission=_view_permission(crf.model),
                subject="" if lookup == "pk" else lookup,
            )
        )
    found.append(
        Endpoint(
            path="queries",
            model=Query,
            permission=_view_permission(Query),
            subject="subject",
            annotations={
                "api_form": Concat(
                    F("content_type__app_label"),
                    Value("."),
                    F("content_type__model"),
                    output_field=CharField(),
                )
            },
            exclude=("content_type", "anchor_event"),
        )
    )
    found.append(
        Endpoint(
            path="sdv",
            model=SourceVerification,
            permission=_view_permission(SourceVerification),
            subject="subject",
            annotations={
                "api_status": Case(
                    When(changed_at__isnull=False, then=Value("changed_since_verified")),
                    default=Value("verified"),
                    output_field=CharField(),
                )
            },
            exclude=("record_table", "column"),
        )
    )
    return found


def last_modified(model) -> Subquery | None:
    """The time of the record's latest audit-trail entry (None: the model has no history)."""
    events = getattr(model, "events", None)
    if events is None:
        return None
    history = events.rel.related_model
    latest = (
        history.objects.filter(pgh_obj_id=OuterRef("pk"))
        .order_by()
        .values("pgh_obj_id")
        .annotate(latest=Max("pgh_created_at"))
        .values("latest")
    )
    return Subquery(latest)


def rows(endpoint: Endpoint, user, *, modified_since: datetime | None = None) -> QuerySet:
    """The endpoint's records of the user's sites (nothing without the view permission)."""
    model = endpoint.model
    if not user.has_perm(endpoint.permission):
        return model.objects.none()
    queryset = scope_to_sites(model.objects.all(), user, model.site_path)
    subject_number = (
        F("subject_number")
        if endpoint.subject == ""
        else F(f"{endpoint.subject}__subject_number")
        if endpoint.subject
        else Value(None, output_field=CharField())
    )
    modified = last_modified(model)
    queryset = queryset.annotate(
        api_site=F(f"{model.site_path}__code"),
        api_subject=subject_number,
        **endpoint.annotations,
    )
    if modified is not None:
        queryset = queryset.annotate(api_modified=modified)
        if modified_since is not None:
            queryset = queryset.filter(api_modified__gte=modified_since)
    return queryset.order_by("pk")
