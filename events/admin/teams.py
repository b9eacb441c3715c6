"""Admin for city teams: who acts for which city. Programme administrators only."""

from __future__ import annotations

from django.contrib import admin

from common.audit_admin import AuditedAdmin
from events import selectors
from events.admin.base import CoordinatorPermissions, ReadOnlyRecords
from events.models import ChangeProposal, TeamMembership


@admin.register(TeamMembership)
class TeamMembershipAdmin(CoordinatorPermissions, AuditedAdmin):
    history_list_display = ["interface"]  # the audit trail's API/desk/admin/import column
    list_display = ["city", "user", "created_at"]
    list_filter = ["city"]
    list_select_related = ["city", "user"]
    search_fields = ["city__name_en", "city__name_native", "user__username", "user__email"]
    autocomplete_fields = ["city", "user"]
    fields = ["city", "user"]


@admin.register(ChangeProposal)
class ChangeProposalAdmin(ReadOnlyRecords, CoordinatorPermissions, AuditedAdmin):
    """Partners' proposals, shown here; accepted or rejected over the API
    (``/api/proposals/{id}/accept/``), which applies them through the services."""

    list_display = ["event", "status", "proposed_by", "created_at", "decided_by", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["event", "proposed_by", "decided_by"]
    readonly_fields = ["event", "fields", "status", "proposed_by", "decided_by", "decided_at"]

    def get_queryset(self, request):
        return self.team_scope(
            request, super().get_queryset(request), selectors.proposals_visible_to(request.user)
        )

    def team_may_view(self, request, obj=None) -> bool:
        return True  # the queryset holds only the team's events' proposals
