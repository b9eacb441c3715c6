"""``GET /api/planner/``: the city-clock planner (the desk's Planner page asks it as you type).

Public read, like ``/api/cities/``: it computes only from the cities' public names and zones,
writes nothing and is bounded (at most 12 cities, one week of hourly slots), and anonymous
callers are throttled like every other public endpoint.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api.errors import BAD_REQUEST, THROTTLED
from events.planning import build_plan
from events.planning.display import present
from events.planning.query import MAX_CITIES, parse_query


class _City(serializers.Serializer):
    city = serializers.CharField(help_text="The city's slug.")
    name = serializers.CharField(help_text="The city's name in the response language.")
    zone = serializers.CharField(help_text="IANA time zone.")


class _Moment(_City):
    local = serializers.CharField(help_text="Local date-time with its UTC offset (ISO 8601).")
    weekday = serializers.CharField()
    date = serializers.CharField(help_text="The local date in the response language.")
    time = serializers.CharField(help_text="HH:MM on the city's clock.")
    utc_offset = serializers.CharField(help_text="+11:00")
    offset_label = serializers.CharField(help_text="UTC+11")
    abbreviation = serializers.CharField(help_text="AKDT, MSK; empty where tzdata has none.")
    day_shift = serializers.IntegerField(help_text="Local date minus the reference date.")
    day_note = serializers.CharField(help_text="'next day', 'previous day' or empty.")
    dst = serializers.ChoiceField(choices=["", "gap", "fold"])


class PlannerClock(_Moment):
    is_reference = serializers.BooleanField()
    night = serializers.BooleanField()
    weekend = serializers.BooleanField()
    working = serializers.BooleanField()


class PlannerFit(_City):
    local = serializers.CharField()
    text = serializers.CharField(help_text="Short weekday, date and time.")
    inside = serializers.BooleanField(help_text="The whole slot is within working hours.")
    hours_outside = serializers.FloatField(help_text="How far the slot must move to fit.")
    note = serializers.CharField()
    night = serializers.BooleanField()
    weekend = serializers.BooleanField()
    day_shift = serializers.IntegerField()
    day_note = serializers.CharField()


class PlannerSlot(serializers.Serializer):
    rank = serializers.IntegerField()
    start = serializers.CharField(help_text="UTC, ISO 8601.")
    end = serializers.CharField(help_text="UTC, ISO 8601.")
    outside = serializers.IntegerField(help_text="Cities outside working hours.")
    hours_outside = serializers.FloatField(help_text="Their hours outside, summed.")
    summary = serializers.CharField()
    cities = PlannerFit(many=True)


class _WindowCity(_City):
    text = serializers.CharField()


class PlannerWindow(serializers.Serializer):
    start = serializers.CharField()
    end = serializers.CharField()
    cities = _WindowCity(many=True)


class PlannerWeek(serializers.Serializer):
    start = serializers.DateField(help_text="Monday of the week, in the reference city.")
    label = serializers.CharField()
    common = serializers.BooleanField(help_text="Some hour suits every city.")
    message = serializers.CharField(help_text="Says so plainly when none does.")
    considered = serializers.IntegerField()
    windows = PlannerWindow(many=True, help_text="The hours that suit every city, merged.")
    slots = PlannerSlot(many=True, help_text="Best first: fewest cities outside, fewest hours.")


class PlannerRoll(_Moment):
    utc = serializers.CharField()
    utc_text = serializers.CharField()
    in_reference = serializers.CharField(help_text="The same instant on the reference clock.")
    in_reference_name = serializers.CharField()
    after_first_hours = serializers.FloatField()
    after_first = serializers.CharField()


class PlannerReference(_City):
    wall = serializers.CharField(help_text="The typed local date-time.")
    instant = serializers.CharField(help_text="The instant it was read as (UTC).")
    dst = serializers.ChoiceField(choices=["", "gap", "fold"])
    fold = serializers.IntegerField()
    other_fold = serializers.IntegerField(
        allow_null=True, help_text="For a time that happens twice: the fold value of the other."
    )
    caption = serializers.CharField(help_text="The typed time and its UTC instant, worded.")


class PlannerRules(serializers.Serializer):
    work = serializers.CharField()
    night = serializers.CharField()
    weekends_work = serializers.BooleanField()
    duration_minutes = serializers.IntegerField()


class PlannerSerializer(serializers.Serializer):
    reference = PlannerReference()
    rules = PlannerRules()
    warnings = serializers.ListField(child=serializers.CharField())
    clocks = PlannerClock(many=True)
    week = PlannerWeek()
    same_local = PlannerRoll(
        many=True, help_text="The typed wall time in each city, earliest first."
    )


def _param(name: str, kind: object, description: str, **options: object) -> OpenApiParameter:
    return OpenApiParameter(name, kind, description=description, **options)  # type: ignore[arg-type]


PARAMETERS = [
    _param(
        "cities",
        OpenApiTypes.STR,
        f"City slugs (or exact names in any language), repeated or comma-separated; at most "
        f"{MAX_CITIES}.",
        required=True,
        many=True,
        explode=True,
    ),
    _param("ref", OpenApiTypes.STR, "Reference city (default: the first); added if missing."),
    _param("date", OpenApiTypes.DATE, "Date in the reference city (default: today there)."),
    _param("time", OpenApiTypes.STR, "HH:MM in the reference city (default 10:00)."),
    _param("fold", OpenApiTypes.INT, "For a time that happens twice: 0 the first, 1 the second."),
    _param("work_start", OpenApiTypes.STR, "Start of working hours, HH:MM (default 08:00)."),
    _param("work_end", OpenApiTypes.STR, "End of working hours, HH:MM (default 20:00)."),
    _param("night_start", OpenApiTypes.STR, "Start of night, HH:MM (default 22:00)."),
    _param("night_end", OpenApiTypes.STR, "End of night, HH:MM (default 07:00)."),
    _param("weekends", OpenApiTypes.BOOL, "Count Saturdays and Sundays as working days."),
    _param("duration", OpenApiTypes.INT, "Meeting length in minutes, 15 to 720 (default 60)."),
    _param("limit", OpenApiTypes.INT, "How many ranked slots to return, 1 to 50 (default 10)."),
]


class PlannerView(APIView):
    """Local clocks in every chosen city at one moment, the week's meeting slots, and the
    instants of a same-local-time ceremony. Responses are worded in the request's language."""

    http_method_names = ["get", "head", "options"]

    @extend_schema(
        operation_id="planner",
        parameters=PARAMETERS,
        responses={200: PlannerSerializer, 400: BAD_REQUEST, 429: THROTTLED},
    )
    def get(self, request: Request) -> Response:
        query = parse_query(request.query_params)
        return Response(present(build_plan(query)))
