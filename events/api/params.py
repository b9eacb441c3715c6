"""Query-parameter parsing for the window endpoints (occurrences, anniversaries)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from events.api.fields import BoundedDateField


class WindowParams(serializers.Serializer):
    """``start``..``end`` inclusive dates; refused when inverted or wider than the limit."""

    start = BoundedDateField()
    end = BoundedDateField()

    def validate(self, attrs: dict) -> dict:
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": [_("end is before start.")]})
        days = (attrs["end"] - attrs["start"]).days + 1
        limit = settings.MAX_OCCURRENCE_WINDOW_DAYS
        if days > limit:
            raise serializers.ValidationError(
                {"end": [_("The window may span at most %(n)d days.") % {"n": limit}]}
            )
        return attrs


class AnniversaryParams(WindowParams):
    start = BoundedDateField(required=False)
    end = BoundedDateField(required=False)
    milestones_only = serializers.BooleanField(required=False, default=True)

    def validate(self, attrs: dict) -> dict:
        attrs.setdefault("start", timezone.localdate())
        attrs.setdefault("end", attrs["start"] + dt.timedelta(days=365))
        return super().validate(attrs)


def utc_window(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Inclusive UTC dates as the half-open instant window [start 00:00Z, end+1 00:00Z)."""
    return (
        dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC),
    )


WINDOW_PARAMETERS = [
    OpenApiParameter(
        "start",
        OpenApiTypes.DATE,
        required=True,
        description="First day of the window (UTC), inclusive.",
    ),
    OpenApiParameter(
        "end",
        OpenApiTypes.DATE,
        required=True,
        description="Last day of the window (UTC), inclusive. At most "
        "MAX_OCCURRENCE_WINDOW_DAYS days after start.",
    ),
]
