"""Cities, partnerships and contacts."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from common.api.base import ServiceViewSet
from common.api.errors import READ_ERRORS, WRITE_ERRORS
from common.api.history import history_response, history_schema
from common.api.permissions import CoordinatorOnly
from events import selectors, services
from events.api import inputs
from events.api.filters import CityFilter, ContactFilter, PartnershipFilter
from events.api.serializers import (
    CitySerializer,
    ContactSerializer,
    PartnershipSerializer,
    StatusChangeSerializer,
)
from events.models import City


def _crud_schema(name: str, input_class: type, output_class: type):
    return extend_schema_view(
        list=extend_schema(summary=f"List {name}", responses={200: output_class, **READ_ERRORS}),
        retrieve=extend_schema(responses={200: output_class, **READ_ERRORS}),
        create=extend_schema(request=input_class, responses={201: output_class, **WRITE_ERRORS}),
        update=extend_schema(request=input_class, responses={200: output_class, **WRITE_ERRORS}),
        partial_update=extend_schema(
            request=input_class, responses={200: output_class, **WRITE_ERRORS}
        ),
        destroy=extend_schema(responses={204: None, **WRITE_ERRORS}),
    )


@_crud_schema("cities", inputs.CityInput, CitySerializer)
class CityViewSet(ServiceViewSet):
    """Municipalities and regions with their IANA time zones. Public."""

    queryset = City.objects.all()
    serializer_class = CitySerializer
    input_class = inputs.CityInput
    filterset_class = CityFilter
    search_fields = ["name_en", "name_native", "name_ru", "region", "slug"]
    ordering_fields = ["name_en", "name_native", "country", "timezone", "id"]

    def create_object(self, data: dict[str, Any]) -> City:
        return services.create_city(actor=self.request.user, **data)

    def update_object(self, instance: City, data: dict[str, Any]) -> City:
        return services.update_city(city=instance, actor=self.request.user, **data)

    def delete_object(self, instance: City) -> None:
        services.delete_city(city=instance, actor=self.request.user)


def _partnership_fields(data: dict[str, Any]) -> dict[str, Any]:
    for side in ("city_a", "city_b"):
        if side in data:
            data[f"{side}_id"] = data.pop(side)
    return data


@_crud_schema("partnerships", inputs.PartnershipInput, PartnershipSerializer)
class PartnershipViewSet(ServiceViewSet):
    """Sister-city pairs (unordered, unique) with status history, age and next anniversary."""

    serializer_class = PartnershipSerializer
    input_class = inputs.PartnershipInput
    filterset_class = PartnershipFilter
    search_fields = [
        "city_a__name_en",
        "city_a__name_native",
        "city_b__name_en",
        "city_b__name_native",
        "notes",
        "notes_ru",
    ]
    ordering_fields = ["established_on", "status", "id", "city_a__name_en"]
    ordering = ["id"]

    def get_queryset(self):
        return selectors.partnerships_with_history()

    def create_object(self, data: dict[str, Any]):
        return services.create_partnership(actor=self.request.user, **_partnership_fields(data))

    def update_object(self, instance, data: dict[str, Any]):
        return services.update_partnership(
            partnership=instance, actor=self.request.user, **_partnership_fields(data)
        )

    def delete_object(self, instance) -> None:
        services.delete_partnership(partnership=instance, actor=self.request.user)

    @extend_schema(
        request=inputs.StatusChangeInput,
        responses={201: StatusChangeSerializer, **WRITE_ERRORS},
        summary="Record a status change (active, suspended, dormant, ended) with its date",
    )
    @action(detail=True, methods=["post"], url_path="status-changes")
    def status_changes(self, request: Request, pk: str | None = None) -> Response:
        parser = inputs.StatusChangeInput(data=request.data)
        parser.is_valid(raise_exception=True)
        data = parser.validated_data
        change = services.change_partnership_status(
            partnership=self.get_object(),
            status=data["status"],
            changed_on=data.get("changed_on"),
            note=data.get("note", ""),
            actor=request.user,
        )
        return Response(StatusChangeSerializer(change).data, status=status.HTTP_201_CREATED)

    @history_schema("Audit trail of the partnership and its status changes, newest first")
    @action(detail=True, methods=["get"], permission_classes=[CoordinatorOnly], filter_backends=[])
    def history(self, request: Request, pk: str | None = None) -> Response:
        return history_response(
            self, request, lambda partnership: selectors.partnership_history(partnership.pk)
        )


@_crud_schema("contacts", inputs.ContactInput, ContactSerializer)
class ContactViewSet(ServiceViewSet):
    """Mailboxes that receive reminders. Private: a city team sees its own cities' contacts,
    programme administrators all."""

    permission_classes = [CoordinatorOnly]
    serializer_class = ContactSerializer
    input_class = inputs.ContactInput
    filterset_class = ContactFilter
    search_fields = ["name", "name_ru", "email", "city__name_en", "city__name_native"]
    ordering_fields = ["name", "email", "id"]

    def get_queryset(self):
        return selectors.contacts_list(self.request.user)

    def create_object(self, data: dict[str, Any]):
        return services.create_contact(actor=self.request.user, **data)

    def update_object(self, instance, data: dict[str, Any]):
        return services.update_contact(contact=instance, actor=self.request.user, **data)

    def delete_object(self, instance) -> None:
        services.delete_contact(contact=instance, actor=self.request.user)

    @history_schema("Audit trail of the contact, newest first")
    @action(detail=True, methods=["get"], permission_classes=[CoordinatorOnly], filter_backends=[])
    def history(self, request: Request, pk: str | None = None) -> Response:
        return history_response(
            self,
            request,
            lambda contact: selectors.contact_history(contact.pk, viewer=request.user),
        )
