"""Partner-side proposals: read them, and (a host team) accept or reject them.

A proposal is made by PATCHing an event one's team takes part in without hosting, with only
``start``, ``end``, ``start_date``, ``end_date`` or ``location``: the answer is 202 with the
pending proposal, and the host team is mailed."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from common.api.base import Pagination
from common.api.errors import WRITE_ERRORS
from common.api.permissions import CoordinatorOnly
from events import selectors
from events.api.fields import ZonedDateTimeField
from events.models import ChangeProposal
from events.services import proposals


class ProposedCityTimeSerializer(serializers.Serializer):
    city = serializers.IntegerField(source="city.pk")
    city_name = serializers.CharField(source="city.name_en")
    timezone = serializers.CharField(source="city.timezone")
    start = ZonedDateTimeField(help_text="Proposed local start with the city's UTC offset.")
    end = ZonedDateTimeField()
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)


class ProposalSerializer(serializers.ModelSerializer):
    proposed_by = serializers.CharField(source="proposed_by.username")
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True)
    local_times = serializers.SerializerMethodField()

    class Meta:
        model = ChangeProposal
        fields = [
            "id",
            "event",
            "fields",
            "status",
            "proposed_by",
            "created_at",
            "decided_by",
            "decided_at",
            "local_times",
        ]

    @extend_schema_field(ProposedCityTimeSerializer(many=True))
    def get_local_times(self, proposal: ChangeProposal) -> list:
        """Each participating city's local start (and end) of the proposed change, in that
        city's zone."""
        return ProposedCityTimeSerializer(proposals.proposed_city_times(proposal), many=True).data


class ProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Proposals of the events the user's teams take part in (programme administrators:
    all); ``?status=pending`` lists the open ones. POST .../accept/ or .../reject/ (a host
    team member or a programme administrator)."""

    permission_classes = [CoordinatorOnly]
    serializer_class = ProposalSerializer
    pagination_class = Pagination
    filterset_fields = ["status", "event"]
    search_fields: list[str] = []
    ordering_fields = ["created_at", "id"]
    lookup_value_regex = r"[0-9]{1,15}"

    def get_queryset(self) -> QuerySet[ChangeProposal]:
        return selectors.proposals_visible_to(self.request.user)

    @extend_schema(request=None, responses={200: ProposalSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        proposal = proposals.accept_proposal(proposal=self.get_object(), actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=proposal.pk)).data)

    @extend_schema(request=None, responses={200: ProposalSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        proposal = proposals.reject_proposal(proposal=self.get_object(), actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=proposal.pk)).data)
