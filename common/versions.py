"""The version a form was opened at, so a save over someone else's later change is refused.

Forms (the admin's change forms, the desk's confirm buttons) carry the object's ``updated_at``
as a hidden value; before writing, the object's current version is read under a row lock and
compared. A mismatch means another coordinator changed the object after the page was loaded:
nothing is written and the user is told to look again (the API does the same with ETag and
If-Match, common.api.base).
"""

from __future__ import annotations

from typing import Any

from django.db import models


def version_of(updated_at: Any) -> str:
    return updated_at.isoformat() if updated_at is not None else ""


def changed_since(model: type[models.Model], pk: Any, loaded: str) -> bool:
    """True when the row ``pk`` no longer has version ``loaded`` (or is gone).

    Locks the row until the caller's transaction ends (inside ``transaction.atomic``), so the
    check cannot race a concurrent writer. An empty ``loaded`` (a form without the hidden
    value) is never a conflict.
    """
    if not loaded:
        return False
    current = (
        model._default_manager.select_for_update()
        .filter(pk=pk)
        .values_list("updated_at", flat=True)
        .first()
    )
    return current is None or loaded != version_of(current)
