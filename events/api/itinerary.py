"""A delegation visit's itinerary, nested under its event:

``/api/events/{event}/itinerary/`` (GET: legs and programme items together),
``/api/events/{event}/itinerary/legs/`` (GET, POST), ``…/legs/{id}/`` (GET, PATCH, DELETE),
``/api/events/{event}/itinerary/programme/`` (GET, POST), ``…/programme/{id}/`` (GET, PATCH,
DELETE). Whoever may see the event reads its itinerary; coordinators write. Times in: ISO 8601
with an offset (an instant) or without one (wall-clock time in the zone of the city the time
belongs to). Times out: UTC, and local with the city's offset.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api.base import ServiceViewSet, etag_of
from common.api.errors import READ_ERRORS, WRITE_ERRORS
from events import selectors, services
from events.api.fields import WallClockOrAwareDateTimeField, ZonedDateTimeField, named_choice_field
from events.api.inputs import MAX_ID
from events.api.serializers import CityBriefSerializer
from events.itinerary import leg_times
from events.models import Event, ItineraryLeg, ProgrammeItem

_WALL_HELP = (
    "ISO 8601. With an offset: that instant. Without: wall-clock time in the zone of the city "
    "this time belongs to (a time skipped or repeated by a DST change is refused)."
)


class _CityWallClockField(WallClockOrAwareDateTimeField):
    default_error_messages = {
        **WallClockOrAwareDateTimeField.default_error_messages,
        "invalid": _(
            "Give an ISO 8601 date and time, e.g. 2030-05-08T22:00 (local to this end's city) "
            "or 2030-05-08T22:00-08:00."
        ),
    }


def _city_id(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class LegInput(serializers.Serializer):
    mode = named_choice_field("LegMode", ItineraryLeg.Mode.choices, required=False)
    departure_city = _city_id()
    departure_place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    departs_at = _CityWallClockField(help_text=_WALL_HELP + " Departure city's zone.")
    arrival_city = _city_id()
    arrival_place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    arrives_at = _CityWallClockField(help_text=_WALL_HELP + " Arrival city's zone.")
    reference = serializers.CharField(max_length=80, required=False, allow_blank=True)


class ProgrammeItemInput(serializers.Serializer):
    kind = named_choice_field("ProgrammeItemKind", ProgrammeItem.Kind.choices, required=False)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    title_ru = serializers.CharField(max_length=200, required=False, allow_blank=True)
    city = _city_id(required=False, help_text="Default: the event's host city.")
    venue_en = serializers.CharField(max_length=300, required=False, allow_blank=True)
    venue_ru = serializers.CharField(max_length=300, required=False, allow_blank=True)
    starts_at = _CityWallClockField(help_text=_WALL_HELP + " The item city's zone.")
    ends_at = _CityWallClockField(required=False, allow_null=True)


class LegSerializer(serializers.ModelSerializer):
    mode = named_choice_field("LegMode", ItineraryLeg.Mode.choices, read_only=True)
    departure_city = CityBriefSerializer(read_only=True)
    arrival_city = CityBriefSerializer(read_only=True)
    departs_local = ZonedDateTimeField(
        source="local_departure", help_text="Departure in the departure city's zone."
    )
    arrives_local = ZonedDateTimeField(
        source="local_arrival", help_text="Arrival in the arrival city's zone."
    )
    day_shift = serializers.SerializerMethodField(
        help_text="Arrival's local date minus departure's local date (1: arrives the next day)."
    )
    crosses_date_line = serializers.SerializerMethodField()

    class Meta:
        model = ItineraryLeg
        fields = [
            "id",
            "mode",
            "reference",
            "departure_city",
            "departure_place",
            "departs_at",
            "departs_local",
            "arrival_city",
            "arrival_place",
            "arrives_at",
            "arrives_local",
            "day_shift",
            "crosses_date_line",
            "sequence",
        ]
        read_only_fields = fields

    def get_day_shift(self, leg: ItineraryLeg) -> int:
        return leg_times(leg).day_shift

    def get_crosses_date_line(self, leg: ItineraryLeg) -> bool:
        return leg_times(leg).crosses_date_line


class ProgrammeItemSerializer(serializers.ModelSerializer):
    kind = named_choice_field("ProgrammeItemKind", ProgrammeItem.Kind.choices, read_only=True)
    city = CityBriefSerializer(read_only=True)
    starts_local = ZonedDateTimeField(source="local_start", help_text="In the item city's zone.")
    ends_local = ZonedDateTimeField(source="local_end")

    class Meta:
        model = ProgrammeItem
        fields = [
            "id",
            "kind",
            "title_en",
            "title_ru",
            "city",
            "venue_en",
            "venue_ru",
            "starts_at",
            "starts_local",
            "ends_at",
            "ends_local",
            "sequence",
        ]
        read_only_fields = fields


def _visible_event(request: Request, event_pk: str) -> Event:
    event = selectors.events_visible_to(request.user).filter(pk=event_pk).first()
    if event is None:
        raise Http404
    return event


class _NestedViewSet(ServiceViewSet):
    """Rows of one visible event; the event's absence (or invisibility) is a 404."""

    pagination_class = None
    filter_backends: list = []

    def event(self) -> Event:
        if not hasattr(self, "_event"):
            self._event = _visible_event(self.request, self.kwargs.get("event_pk", "0"))
        return self._event


@extend_schema_view(
    list=extend_schema(responses={200: LegSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(responses={200: LegSerializer, **READ_ERRORS}),
    create=extend_schema(request=LegInput, responses={201: LegSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(request=LegInput, responses={200: LegSerializer, **WRITE_ERRORS}),
    destroy=extend_schema(responses={204: None, **WRITE_ERRORS}),
)
class LegViewSet(_NestedViewSet):
    """Legs of a delegation visit (flight, train, ferry, transfer), in departure order."""

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    serializer_class = LegSerializer
    input_class = LegInput
    queryset = ItineraryLeg.objects.none()  # schema introspection

    def get_queryset(self) -> QuerySet[ItineraryLeg]:
        return ItineraryLeg.objects.filter(event=self.event()).select_related(
            "departure_city", "arrival_city"
        )

    def create_object(self, data: dict[str, Any]) -> ItineraryLeg:
        return services.add_leg(event=self.event(), actor=self.request.user, **data)

    def update_object(self, instance: ItineraryLeg, data: dict[str, Any]) -> ItineraryLeg:
        return services.update_leg(leg=instance, actor=self.request.user, **data)

    def delete_object(self, instance: ItineraryLeg) -> None:
        services.delete_leg(leg=instance, actor=self.request.user)


@extend_schema_view(
    list=extend_schema(responses={200: ProgrammeItemSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(responses={200: ProgrammeItemSerializer, **READ_ERRORS}),
    create=extend_schema(
        request=ProgrammeItemInput, responses={201: ProgrammeItemSerializer, **WRITE_ERRORS}
    ),
    partial_update=extend_schema(
        request=ProgrammeItemInput, responses={200: ProgrammeItemSerializer, **WRITE_ERRORS}
    ),
    destroy=extend_schema(responses={204: None, **WRITE_ERRORS}),
)
class ProgrammeItemViewSet(_NestedViewSet):
    """Programme items of a delegation visit (meetings, ceremonies …), in time order."""

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    serializer_class = ProgrammeItemSerializer
    input_class = ProgrammeItemInput
    queryset = ProgrammeItem.objects.none()  # schema introspection

    def get_queryset(self) -> QuerySet[ProgrammeItem]:
        return ProgrammeItem.objects.filter(event=self.event()).select_related("city")

    def create_object(self, data: dict[str, Any]) -> ProgrammeItem:
        return services.add_programme_item(event=self.event(), actor=self.request.user, **data)

    def update_object(self, instance: ProgrammeItem, data: dict[str, Any]) -> ProgrammeItem:
        return services.update_programme_item(item=instance, actor=self.request.user, **data)

    def delete_object(self, instance: ProgrammeItem) -> None:
        services.delete_programme_item(item=instance, actor=self.request.user)


ItinerarySerializer = inline_serializer(
    "Itinerary",
    {
        "legs": LegSerializer(many=True),
        "programme": ProgrammeItemSerializer(many=True),
    },
)


class ItineraryView(APIView):
    """The whole itinerary of an event: legs and programme items, each in time order."""

    @extend_schema(responses={200: ItinerarySerializer, **READ_ERRORS})
    def get(self, request: Request, event_pk: str) -> Response:
        event = _visible_event(request, event_pk)
        legs = ItineraryLeg.objects.filter(event=event).select_related(
            "departure_city", "arrival_city"
        )
        items = ProgrammeItem.objects.filter(event=event).select_related("city")
        data = {
            "legs": LegSerializer(legs, many=True).data,
            "programme": ProgrammeItemSerializer(items, many=True).data,
        }
        return Response(data, headers={"ETag": etag_of(data)})
