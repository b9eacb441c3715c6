"""The admin side of the audit trail: every audited model's admin shows its history with
the interface each change came through (API, desk, admin, import, command)."""

from __future__ import annotations

from typing import Any

from simple_history.admin import SimpleHistoryAdmin


class AuditedAdmin(SimpleHistoryAdmin):
    # The history page copies each callable here onto the row (record.interface becomes
    # its label: "API", not "api") and heads the column with the translated name.
    history_list_display = ["interface"]

    def interface(self, record: Any) -> str:
        return str(record.get_interface_display())
