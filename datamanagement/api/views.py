"""The read API's endpoints: one read-only viewset per `selectors.endpoints()` entry, and
every call written to the access log with the token's name (one INSERT a call, whatever the
page size)."""

from datetime import UTC

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets

from datamanagement.api import rules, selectors
from datamanagement.api.serializers import serializer_for
from trial_edc.accounts.access_log import access_event_record
from trial_edc.accounts.models import AccessEvent

MODIFIED_SINCE = OpenApiParameter(
    "modified_since",
    OpenApiTypes.DATETIME,
    description=(
        "Only records whose latest audit-trail entry (an insert or an update, by any path) "
        "is at or after this time; ISO 8601, UTC if no offset is given. Deleted records are "
        "not listed."
    ),
)


def modified_since(request):
    """The `modified_since` parameter as an aware datetime (None if absent); a refused value
    is a 400 naming the parameter."""
    raw = request.query_params.get("modified_since")
    if raw in (None, ""):
        return None
    try:
        value = parse_datetime(raw.strip())
        if value is not None:
            if value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
            value = value.astimezone(UTC)
    except (ValueError, OverflowError):
        value = None
    if value is None:
        raise serializers.ValidationError(
            {"modified_since": [_("Give a date and time in ISO 8601, e.g. 2026-05-01T00:00:00Z.")]}
        )
    return value


class MayView(permissions.BasePermission):
    """The view permission of the endpoint's model, as the pages ask it (403 without)."""

    def has_permission(self, request, view):
        return request.user.has_perm(view.endpoint.permission)


class AccessLogged:
    """Writes one access-log entry for each call: the token's name, method, path and status."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        token = getattr(request, "auth", None)
        user = request.user if request.user.is_authenticated else None
        who = f"token {token.name!r}" if token is not None else "no valid token"
        access_event_record(
            kind=AccessEvent.Kind.API_CALL,
            request=request,
            user=user,
            detail=f"{who}: {request.method} {request.get_full_path()} → {response.status_code}",
        )
        return response


@extend_schema_view(list=extend_schema(parameters=[MODIFIED_SINCE]))
class RecordViewSet(AccessLogged, viewsets.ReadOnlyModelViewSet):
    """Read-only records of the token owner's sites."""

    endpoint: selectors.Endpoint
    lookup_value_converter = "int"
    permission_classes = [permissions.IsAuthenticated, MayView]

    def get_queryset(self):
        since = modified_since(self.request) if self.action == "list" else None
        return selectors.rows(self.endpoint, self.request.user, modified_since=since)

    def get_serializer_class(self):
        return serializer_for(self.endpoint)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        user = self.request.user
        context["identifiers"] = user.is_authenticated and rules.may_see_identifiers(user)
        return context


def viewset_for(endpoint: selectors.Endpoint) -> type[RecordViewSet]:
    model = endpoint.model
    name = f"{model.__name__}ViewSet"
    label = str(model._meta.verbose_name_plural)
    return extend_schema_view(
        list=extend_schema(summary=f"List {label}", tags=[endpoint.path.split("/")[0]]),
        retrieve=extend_schema(summary=f"One of the {label}", tags=[endpoint.path.split("/")[0]]),
    )(
        type(
            name,
            (RecordViewSet,),
            {"endpoint": endpoint, "queryset": model.objects.none(), "__doc__": None},
        )
    )
