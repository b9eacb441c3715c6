"""GET /api/{events,partnerships,contacts,reminder-rules}/{id}/history/: audit trails
(coordinators only), filterable by ``since`` and ``interface``, paginated like the lists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from common.api.errors import BAD_REQUEST, DENIED, READ_ERRORS
from common.audit import HISTORY_TYPES, Interface

# The "model" of an entry: which table the row is from.
ENTRY_MODELS = [
    "event",
    "participation",
    "occurrence_change",
    "partnership",
    "status_change",
    "contact",
    "reminder_rule",
]


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
        "description": (
            "field name: [old value, new value] (foreign keys as ids; a contact's addresses"
            ' are "hidden" from a viewer who may not see the contact)'
        ),
    }
)
class ChangesField(serializers.JSONField):
    pass


class HistoryEntrySerializer(serializers.Serializer):
    model = serializers.ChoiceField(choices=ENTRY_MODELS)
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


def history_schema(summary: str) -> Callable[[Any], Any]:
    """The OpenAPI description shared by every history action."""
    return extend_schema(
        parameters=HISTORY_PARAMETERS,
        responses={
            200: HistoryEntrySerializer(many=True),
            400: BAD_REQUEST,
            401: DENIED,
            403: DENIED,
            **READ_ERRORS,
        },
        summary=summary,
    )


def history_response(
    view: Any, request: Request, entries_of: Callable[[Any], list[dict[str, Any]]]
) -> Response:
    """A history action's answer: the filters checked (400 naming the bad one), the object
    looked up as the view's detail (404), its trail filtered and paginated."""
    params = HistoryParams(data=request.query_params)
    params.is_valid(raise_exception=True)
    entries = filter_entries(entries_of(view.get_object()), params.validated_data)
    page = view.paginate_queryset(entries)
    return view.get_paginated_response(HistoryEntrySerializer(page, many=True).data)
