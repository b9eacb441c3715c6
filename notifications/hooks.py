"""The only functions the events app calls: an event was created, an event changed.

Both run inside the writing transaction and are idempotent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from notifications import dispatch, notices
from notifications.models import PlanRequest

PLAN_BATCH = 200


def event_created(*, event_id: int) -> None:
    """Plan the new (or re-imported) event's reminders in a worker after commit, so the
    request does not pay for it. The request row makes it durable: if the publish is lost,
    the next scan plans it (planning.plan_requested)."""
    PlanRequest.objects.create(event_id=event_id)
    dispatch.enqueue_after_commit("notifications.plan_event", event_id)


def events_created(*, event_ids: Sequence[int]) -> None:
    """event_created for many events (an import): one request row each, one message per
    PLAN_BATCH events instead of one per event."""
    ids = list(event_ids)
    PlanRequest.objects.bulk_create(PlanRequest(event_id=pk) for pk in ids)
    for n in range(0, len(ids), PLAN_BATCH):
        dispatch.enqueue_after_commit("notifications.plan_events", ids[n : n + PLAN_BATCH])


def event_changed(*, event_id: int, sequence: int, before: Mapping[str, Any] | None = None) -> None:
    """The event's time, place or status changed: debounce a change notice, re-plan now.
    ``before``: its start and place as they were (see ChangeNotice.before)."""
    notices.record_event_change(event_id=event_id, sequence=sequence, before=before)


def proposal_made(*, proposal_id: int) -> None:
    """A partner team proposed a change: mail the host team after commit."""
    dispatch.enqueue_after_commit("notifications.send_proposal_notice", proposal_id)
