"""GET /api/events/{id}/history/: the event's audit trail (coordinators only)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers

from common.audit import HISTORY_TYPES, Interface


class HistoryParams(serializers.Serializer):
    since = serializers.DateTimeField(required=False)
    interface = serializers.ChoiceField(choices=Interface.choices, required=False)


HISTORY_PARAMETERS = [
    OpenApiParameter(
        "since", OpenApiTypes.DATETIME, description="Only changes at or after this instant."
    ),
    OpenApiParameter(
        "interface",
        OpenApiTypes.STR,
        enum=Interface.values,
        description="Only changes made through this interface.",
    ),
]


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "array", "minItems": 2, "maxItems": 2, "items": {}},
        "description": "field name: [old value, new value] (foreign keys as ids)",
    }
)
class ChangesField(serializers.JSONField):
    pass


class HistoryEntrySerializer(serializers.Serializer):
    model = serializers.ChoiceField(choices=["event", "participation", "occurrence_change"])
    object_id = serializers.IntegerField()
    when = serializers.DateTimeField()
    who = serializers.CharField(allow_null=True, help_text="username; null when not known")
    interface = serializers.ChoiceField(choices=Interface.choices)
    type = serializers.ChoiceField(choices=sorted(HISTORY_TYPES.values()))
    changes = ChangesField()


def filter_entries(entries: list[dict[str, Any]], params: dict[str, Any]) -> list[dict[str, Any]]:
    """After the diffs are computed, so the first entry shown is diffed against its
    predecessor even when that one is filtered out."""
    since = params.get("since")
    interface = params.get("interface")
    return [
        e
        for e in entries
        if (since is None or e["when"] >= since)
        and (interface is None or e["interface"] == interface)
    ]
