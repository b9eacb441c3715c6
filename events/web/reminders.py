"""The desk's view of failed reminders. The notifications app owns the ledger; until its
Delivery model and retry service exist this module reports "not available" (None)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def failed_deliveries(limit: int = 50) -> list[Any] | None:
    """Failed deliveries, newest first; None when the notifications app has no ledger yet."""
    try:
        from notifications.models import Delivery  # noqa: F401
    except ImportError:
        return None
    return []


def retry_delivery(*, pk: int, actor: Any) -> tuple[bool, str]:
    """Retry one failed delivery. Returns (ok, message for the coordinator)."""
    return False, _("Reminders are not available yet.")
