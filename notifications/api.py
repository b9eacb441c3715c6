"""Thin REST views for reminder rules and the delivery ledger, plus one-click unsubscribe."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseNotFound
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from common.api.base import Pagination, ServiceViewSet
from common.api.history import history_response, history_schema
from common.api.permissions import CoordinatorOnly
from notifications import ledger, selectors, subscriptions
from notifications.models import Delivery, DigestSubscription, ReminderRule

MAX_ID = 2**53


class RuleInput(serializers.Serializer):
    """Shapes and types only; every rule about values lives in subscriptions.validate_rule."""

    contact = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True
    )
    user = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    target = serializers.CharField(max_length=20)
    city = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    partnership = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True
    )
    event_kind = serializers.CharField(max_length=20, required=False, allow_blank=True)
    event = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    lead_days = serializers.ListField(
        child=serializers.IntegerField(min_value=-(10**9), max_value=10**9),
        required=False,
        max_length=50,
    )
    lead_months = serializers.ListField(
        child=serializers.IntegerField(min_value=-(10**9), max_value=10**9),
        required=False,
        max_length=50,
    )
    hour = serializers.IntegerField(min_value=-(10**9), max_value=10**9, required=False)
    timezone = serializers.CharField(max_length=200, required=False, allow_blank=True)
    language = serializers.CharField(max_length=10, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)

    def to_service(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        for name in ("contact", "user", "city", "partnership", "event"):
            if name in data:
                data[f"{name}_id"] = data.pop(name)
        return data


class RuleOutput(serializers.ModelSerializer):
    class Meta:
        model = ReminderRule
        fields = [
            "id",
            "contact",
            "user",
            "target",
            "city",
            "partnership",
            "event_kind",
            "event",
            "lead_days",
            "lead_months",
            "hour",
            "timezone",
            "language",
            "is_active",
            "created_at",
            "updated_at",
        ]


class RuleViewSet(ServiceViewSet):
    permission_classes = [CoordinatorOnly]
    serializer_class = RuleOutput
    input_class = RuleInput
    filterset_fields = ["target", "is_active", "contact", "city", "partnership", "event"]
    search_fields: list[str] = []
    ordering_fields = ["id", "created_at"]

    def parse(self, partial: bool = False) -> dict[str, Any]:
        parser = RuleInput(data=self.request.data, partial=partial)
        parser.is_valid(raise_exception=True)
        return parser.to_service()

    def get_queryset(self):
        return selectors.rules_visible_to(self.request.user)

    def create_object(self, data: dict[str, Any]) -> ReminderRule:
        return subscriptions.create_rule(actor=self.request.user, **data)

    def update_object(self, instance: ReminderRule, data: dict[str, Any]) -> ReminderRule:
        return subscriptions.update_rule(rule=instance, actor=self.request.user, **data)

    def delete_object(self, instance: ReminderRule) -> None:
        subscriptions.delete_rule(rule=instance, actor=self.request.user)

    @history_schema("Audit trail of the reminder rule, newest first")
    @action(detail=True, methods=["get"], permission_classes=[CoordinatorOnly], filter_backends=[])
    def history(self, request: Request, pk: str | None = None) -> Response:
        return history_response(self, request, lambda rule: selectors.rule_history(rule.pk))


class DeliveryOutput(serializers.ModelSerializer):
    recipient = serializers.CharField(source="recipient_label", read_only=True)
    event_slug = serializers.CharField(source="event.slug", read_only=True, allow_null=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "rule",
            "recipient",
            "event",
            "event_slug",
            "contact",
            "partnership",
            "occurrence_key",
            "kind",
            "lead_days",
            "sequence",
            "status",
            "due_at",
            "next_attempt_at",
            "attempts",
            "last_error",
            "sent_at",
            "email",
            "message_id",
        ]


class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The ledger (weekly digests included): ``?status=failed`` lists failures;
    POST .../retry/ re-queues one."""

    permission_classes = [CoordinatorOnly]
    serializer_class = DeliveryOutput
    pagination_class = Pagination
    filterset_fields = ["status", "kind", "event", "rule", "contact"]
    search_fields: list[str] = []
    ordering_fields = ["due_at", "id", "sent_at"]
    lookup_value_regex = r"[0-9]{1,15}"

    def get_queryset(self):
        return selectors.ledger(self.request.user)

    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str | None = None) -> Response:
        delivery = ledger.retry_delivery(delivery=self.get_object())
        return Response(self.get_serializer(delivery).data)


class DigestInput(serializers.Serializer):
    """Shapes and types only; values are checked in subscriptions.validate_digest."""

    contact = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    # A day name ("monday") or an ISO number (1 = Monday); any other value is refused there.
    weekday = serializers.CharField(max_length=20, required=False)
    hour = serializers.IntegerField(min_value=-(10**9), max_value=10**9, required=False)
    weeks = serializers.IntegerField(min_value=-(10**9), max_value=10**9, required=False)
    is_active = serializers.BooleanField(required=False)

    def to_service(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        if "contact" in data:
            data["contact_id"] = data.pop("contact")
        return data


class DigestOutput(serializers.ModelSerializer):
    weekday_name = serializers.CharField(source="get_weekday_display", read_only=True)

    class Meta:
        model = DigestSubscription
        fields = [
            "id",
            "contact",
            "weekday",
            "weekday_name",
            "hour",
            "weeks",
            "is_active",
            "created_at",
            "updated_at",
        ]


class DigestViewSet(ServiceViewSet):
    """Weekly digests: one per contact, ``weekday`` (monday ... sunday or 1-7) at ``hour`` in
    the contact's zone, covering the next ``weeks`` weeks (default Monday 09:00, 3 weeks)."""

    permission_classes = [CoordinatorOnly]
    serializer_class = DigestOutput
    input_class = DigestInput
    filterset_fields = ["is_active", "contact", "weekday"]
    search_fields: list[str] = []
    ordering_fields = ["id", "created_at"]

    def parse(self, partial: bool = False) -> dict[str, Any]:
        parser = DigestInput(data=self.request.data, partial=partial)
        parser.is_valid(raise_exception=True)
        return parser.to_service()

    def get_queryset(self):
        return selectors.digests_visible_to(self.request.user)

    def create_object(self, data: dict[str, Any]) -> DigestSubscription:
        return subscriptions.create_digest(actor=self.request.user, **data)

    def update_object(self, instance: DigestSubscription, data: dict[str, Any]) -> Any:
        return subscriptions.update_digest(digest=instance, actor=self.request.user, **data)

    def delete_object(self, instance: DigestSubscription) -> None:
        subscriptions.delete_digest(digest=instance, actor=self.request.user)


@csrf_exempt  # RFC 8058 one-click POSTs come from mail providers, without cookies or CSRF
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirmation button (link scanners must not unsubscribe anybody);
    POST (the RFC 8058 one-click request, or the button) switches the rule off."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    rule = ReminderRule.objects.filter(unsubscribe_token=token).first() if token else None
    digest = None
    if rule is None and token:
        digest = DigestSubscription.objects.filter(unsubscribe_token=token).first()
    if rule is None and digest is None:
        return HttpResponseNotFound(_("Unknown or expired unsubscribe link."))
    context = {"done": request.method == "POST", "digest": digest is not None}
    if request.method == "POST":
        if digest is not None:
            subscriptions.unsubscribe_digest(token=token)
        else:
            subscriptions.unsubscribe(token=token)
    return render(request, "notifications/unsubscribed.html", context)
