"""The only functions the events app calls: an event was created, an event changed.

Both run inside the writing transaction and are idempotent."""

from __future__ import annotations

from notifications import dispatch, notices
from notifications.models import PlanRequest


def event_created(*, event_id: int) -> None:
    """Plan the new (or re-imported) event's reminders in a worker after commit, so the
    request does not pay for it. The request row makes it durable: if the publish is lost,
    the next scan plans it (planning.plan_requested)."""
    PlanRequest.objects.create(event_id=event_id)
    dispatch.enqueue_after_commit("notifications.plan_event", event_id)


def event_changed(*, event_id: int, sequence: int) -> None:
    """The event's time, place or status changed: debounce a change notice, re-plan now."""
    notices.record_event_change(event_id=event_id, sequence=sequence)
