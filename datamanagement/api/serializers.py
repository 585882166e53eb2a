"""One read-only serializer per endpoint, generated from its model: every concrete field
under its own name (a relation as the id of the related record, a coded value as its code,
with the code list in the schema), plus the site code, the subject number and the time of
the latest audit-trail entry. Identifiers (initials, date of birth) are null for a user who
may not see them (`rules.may_see_identifiers`)."""

from functools import cache

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from datamanagement.api import rules

COMMON_FIELDS = ("site_code", "subject_number", "modified")


@extend_schema_field(
    {"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$", "example": "09:22:00"}
)
class LocalTimeField(serializers.TimeField):
    """A time of day at the site (no offset: it is a time a person typed), so not an RFC 3339
    `time` in the schema, which would need one."""


class RecordSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.TimeField: LocalTimeField,
    }
    site_code = serializers.CharField(source="api_site", read_only=True)
    subject_number = serializers.CharField(source="api_subject", read_only=True, allow_null=True)
    modified = serializers.DateTimeField(
        source="api_modified",
        read_only=True,
        allow_null=True,
        help_text="Time of the record's latest audit-trail entry (UTC).",
    )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("identifiers", False):
            for name in rules.IDENTIFIERS & data.keys():
                data[name] = None
        return data


@extend_schema_field({"type": "string", "enum": ["verified", "changed_since_verified"]})
class _SdvStatusField(serializers.CharField):
    pass


def _field_names(endpoint) -> list[str]:
    model = endpoint.model
    names = [
        f.name
        for f in model._meta.concrete_fields
        if f.name not in endpoint.exclude and not f.name.startswith("pgh_")
    ]
    return names


@cache
def serializer_for(endpoint):
    """The serializer class of an endpoint (made once)."""
    names = _field_names(endpoint)
    attrs: dict = {}
    if "api_form" in endpoint.annotations:
        attrs["form"] = serializers.CharField(
            source="api_form", read_only=True, help_text="The CRF's model label."
        )
    if "api_status" in endpoint.annotations:
        attrs["status"] = _SdvStatusField(source="api_status", read_only=True)
    extra = list(attrs)
    meta = type(
        "Meta",
        (),
        {
            "model": endpoint.model,
            "fields": ["id", *[n for n in names if n != "id"], *extra, *COMMON_FIELDS],
            "extra_kwargs": {n: {"allow_null": True} for n in rules.IDENTIFIERS if n in names},
        },
    )
    attrs["Meta"] = meta
    name = "".join(part.capitalize() for part in endpoint.basename.replace(".", "-").split("-"))
    return type(f"{name}Serializer", (RecordSerializer,), attrs)
