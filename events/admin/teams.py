"""Admin for city teams: who acts for which city. Programme administrators only."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from events.admin.base import CoordinatorPermissions
from events.models import TeamMembership


@admin.register(TeamMembership)
class TeamMembershipAdmin(CoordinatorPermissions, SimpleHistoryAdmin):
    history_list_display = ["interface"]  # the audit trail's API/desk/admin/import column
    list_display = ["city", "user", "created_at"]
    list_filter = ["city"]
    list_select_related = ["city", "user"]
    search_fields = ["city__name_en", "city__name_native", "user__username", "user__email"]
    autocomplete_fields = ["city", "user"]
    fields = ["city", "user"]
