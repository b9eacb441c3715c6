"""Events, their occurrences and partnership anniversaries."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from common.api.base import BoundedCountPagination, Pagination, ServiceViewSet, etag_of
from common.api.errors import BAD_REQUEST, READ_ERRORS, WRITE_ERRORS
from common.api.history import history_response, history_schema
from common.api.permissions import CoordinatorOnly
from events import selectors, services
from events.api import inputs
from events.api.filters import EventFilter, OccurrenceFilter
from events.api.params import WINDOW_PARAMETERS, AnniversaryParams, WindowParams, utc_window
from events.api.proposals import ProposalSerializer
from events.api.serializers import (
    AnniversarySerializer,
    EventSerializer,
    OccurrenceChangeSerializer,
    OccurrenceSerializer,
)
from events.models import Event, Participation
from events.occurrence_index import read as occurrence_index
from events.services import proposals


def _event_fields(data: dict[str, Any]) -> dict[str, Any]:
    if "participations" in data:
        data["participations"] = [
            services.ParticipationInput(
                city_id=p["city"],
                role=p.get("role", Participation.Role.PARTICIPANT),
                venue=p.get("venue", ""),
                venue_ru=p.get("venue_ru", ""),
            )
            for p in data["participations"]
        ]
    return data


@extend_schema_view(
    list=extend_schema(responses={200: EventSerializer, **READ_ERRORS}),
    retrieve=extend_schema(responses={200: EventSerializer, **READ_ERRORS}),
    create=extend_schema(
        request=inputs.EventInput, responses={201: EventSerializer, **WRITE_ERRORS}
    ),
    update=extend_schema(
        request=inputs.EventInput, responses={200: EventSerializer, **WRITE_ERRORS}
    ),
    partial_update=extend_schema(
        request=inputs.EventInput,
        responses={200: EventSerializer, 202: ProposalSerializer, **WRITE_ERRORS},
        description="A partner team's new time or place (start, end, start_date, end_date, "
        "location) for an event another city hosts is stored as a proposal: 202.",
    ),
)
class EventViewSet(ServiceViewSet):
    """Events with participating cities (role, venue, local time in each city).

    Anonymous users see confirmed and cancelled public events only; a city team also the
    events its cities take part in, and changes those its cities host or co-host (plus its own
    cities' participations in any event); programme administrators see and change all.
    Events are not deleted: cancel them (they stay in calendars as CANCELLED).
    """

    http_method_names = ["get", "post", "patch", "head", "options"]  # events are cancelled
    serializer_class = EventSerializer
    input_class = inputs.EventInput
    filterset_class = EventFilter
    search_fields = [
        "title_en",
        "title_ru",
        "description_en",
        "description_ru",
        "location",
        "location_ru",
        "slug",
    ]
    ordering_fields = ["start", "start_date", "title_en", "updated_at", "id"]
    ordering = ["start", "start_date", "id"]

    def get_queryset(self) -> QuerySet[Event]:
        return selectors.with_related(selectors.events_visible_to(self.request.user))

    def create_object(self, data: dict[str, Any]) -> Event:
        return services.create_event(actor=self.request.user, **_event_fields(data))

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A partner team's new time or place for an event another city hosts is a proposal
        (202, the pending proposal); anything else is an edit, refused when not allowed."""
        event = self.get_object()
        data = self.parse(partial=True)
        if proposals.must_propose(actor=request.user, event=event, fields=data):
            proposal = proposals.propose_change(event=event, actor=request.user, fields=data)
            return Response(ProposalSerializer(proposal).data, status=status.HTTP_202_ACCEPTED)
        return super().update(request, *args, **kwargs)

    def update_object(self, instance: Event, data: dict[str, Any]) -> Event:
        return services.update_event(event=instance, actor=self.request.user, **_event_fields(data))

    @extend_schema(
        request=None,
        responses={200: EventSerializer, **WRITE_ERRORS},
        summary="Cancel the event (idempotent); it stays in calendars as CANCELLED",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        with transaction.atomic():
            event = self._lock(self.get_object())
            self._check_if_match(event)
            event = services.cancel_event(event=event, actor=request.user)
        data = self._represent(event)
        return Response(data, headers={"ETag": etag_of(data)})

    @extend_schema(
        methods=["GET"],
        responses={200: OccurrenceChangeSerializer(many=True), **READ_ERRORS},
        summary="Changed (moved or cancelled) occurrences of a recurring event",
    )
    @extend_schema(
        methods=["POST"],
        request=inputs.OccurrenceChangeInput,
        responses={201: OccurrenceChangeSerializer, **WRITE_ERRORS},
        summary="Move, re-place or cancel one occurrence of a recurring event",
    )
    @action(
        detail=True, methods=["get", "post"], url_path="occurrence-changes", pagination_class=None
    )
    def occurrence_changes(self, request: Request, pk: str | None = None) -> Response:
        event = self.get_object()
        if request.method == "GET":
            return Response(OccurrenceChangeSerializer(event.changes.all(), many=True).data)
        parser = inputs.OccurrenceChangeInput(data=request.data)
        parser.is_valid(raise_exception=True)
        with transaction.atomic():
            self._lock(event)
            self._check_if_match(event)  # the event's ETag, as for a PATCH
            change = services.change_occurrence(
                event=event, actor=request.user, **parser.validated_data
            )
        return Response(OccurrenceChangeSerializer(change).data, status=status.HTTP_201_CREATED)

    @history_schema(
        "Audit trail of the event, its cities and its changed occurrences, newest first"
    )
    @action(detail=True, methods=["get"], permission_classes=[CoordinatorOnly], filter_backends=[])
    def history(self, request: Request, pk: str | None = None) -> Response:
        return history_response(self, request, lambda event: selectors.event_history(event.pk))


@extend_schema(
    parameters=WINDOW_PARAMETERS,
    responses={200: OccurrenceSerializer(many=True), 400: BAD_REQUEST, **READ_ERRORS},
    summary="Every occurrence in a date window, in UTC, the event's zone and each city's zone",
)
class OccurrenceListView(generics.ListAPIView):
    """Occurrences with per-occurrence changes applied; cancelled ones are flagged. Read from
    the occurrence index inside its horizon, expanded outside it (same answer).

    The window is the UTC days ``start``..``end`` inclusive; an occurrence is listed when it
    touches the window anywhere (in LOCAL mode: in any participating city). ``count`` is
    exact up to 1,000 occurrences; beyond, it is null, ``count_at_least`` says 1,000 (or more,
    on deep pages) and ``next`` leads on while there are more (``page=last`` counts them all).
    """

    serializer_class = OccurrenceSerializer
    filterset_class = OccurrenceFilter
    pagination_class = BoundedCountPagination
    filter_backends = generics.ListAPIView.filter_backends[:1]

    def get_queryset(self) -> QuerySet[Event]:
        return selectors.events_visible_to(self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        params = WindowParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        lo, hi = utc_window(params.validated_data["start"], params.validated_data["end"])
        # From the index (only the page asked for is read and built, counted no further than
        # needed) when it covers the window, else expanded, where more than
        # MAX_OCCURRENCES_PER_REQUEST are refused.
        query = self.filter_queryset(self.get_queryset())  # 400 on a bad filter value
        occurrences = occurrence_index.occurrences_in(
            query,
            lo,
            hi,
            max_total=settings.MAX_OCCURRENCES_PER_REQUEST,
            scope=_list_scope(request, self.get_queryset()),
        )
        page = self.paginate_queryset(occurrences)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(
    parameters=[
        OpenApiParameter("start", OpenApiTypes.DATE, description="Default: today."),
        OpenApiParameter("end", OpenApiTypes.DATE, description="Default: start + 365 days."),
        OpenApiParameter(
            "milestones_only",
            OpenApiTypes.BOOL,
            description="Only 5, 10, 15 ... years (default true).",
        ),
    ],
    responses={200: AnniversarySerializer(many=True), 400: BAD_REQUEST, **READ_ERRORS},
    summary="Partnership anniversaries in a date window",
)
class AnniversaryListView(generics.ListAPIView):
    serializer_class = AnniversarySerializer
    pagination_class = Pagination
    filter_backends: list = []

    def get_queryset(self):  # only for schema introspection; list() reads the selector
        return selectors.partnerships_with_history().none()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        params = AnniversaryParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        anniversaries = selectors.upcoming_anniversaries(
            data["start"], data["end"], milestones_only=data["milestones_only"]
        )
        page = self.paginate_queryset(anniversaries)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


def _list_scope(request: Request, visible: QuerySet[Event]) -> occurrence_index.ListScope | None:
    """One partnership's, city's or country's list rows when the (already validated) filters
    name one: the filtered events all lie on it (the first of them given), with the visible
    events by the other filters as ``within`` (see ListScope)."""
    params = request.query_params
    form = OccurrenceFilter(params).form
    if not form.is_valid():
        return None
    for name in ("partnership", "city", "country"):
        if found := form.cleaned_data.get(name):
            rest = params.copy()
            rest.pop(name)
            within = OccurrenceFilter(rest, queryset=visible, request=request).qs
            if name == "partnership":
                return occurrence_index.ListScope(partnership_id=found, within=within)
            if name == "city":
                return occurrence_index.ListScope(city_id=found, within=within)
            return occurrence_index.ListScope(country=found.upper(), within=within)
    return None
