"""Sending ledger rows: claim, re-check, build, hand to the email backend, record.

Crash safety comes from the row, not the broker: a task claims its rows QUEUED -> SENDING with
one conditional UPDATE (each row changes hands atomically; rows someone else has are not
among those returned), a redelivered task finds them SENDING or done and skips them, and the
sweeper re-queues rows left SENDING by a dead worker (see ledger.sweep_stuck). Rows are sent
in id order and each outcome is recorded right after its SMTP answer, so after a crash only
the one row being sent can have reached the server unmarked -- the others are either marked
or were never handed to SMTP. Per batch: the claim, the rows and events, each .ics and each
mail template (mailwire.py: built once, filled in per recipient); per row: the SMTP dialogue
and one UPDATE, committed without waiting for the WAL flush (ledger.relaxed_commits).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from common import clock
from events.models import Event
from events.recurrence import Occurrence, expand
from events.selectors import with_related
from notifications import (
    anniversary_mail,
    digests,
    dispatch,
    ledger,
    planning,
    recipients,
    transport,
)
from notifications.emails import build_email, notice_before
from notifications.mailwire import Template
from notifications.models import Delivery

log = logging.getLogger(__name__)


@dataclass
class Batch:
    """What several rows of one task share: events (loaded once, with their relations),
    the occurrence a row is about and the .ics of an (event, language, method, instance)."""

    events: dict[int, Event] = field(default_factory=dict)
    occurrences: dict[tuple, Occurrence | None] = field(default_factory=dict)
    ics: dict[tuple, bytes | None] = field(default_factory=dict)
    templates: dict[tuple, Template | None] = field(default_factory=dict)

    @classmethod
    def load(cls, rows: list[Delivery]) -> Batch:
        ids = {row.event_id for row in rows if row.event_id}
        events = with_related(Event.objects.filter(pk__in=ids)) if ids else []
        return cls(events={event.pk: event for event in events})


_EVER = (dt.datetime(1900, 1, 1, tzinfo=dt.UTC), dt.datetime(9000, 1, 1, tzinfo=dt.UTC))


def _current_instance(event: Event, recurrence: str) -> Occurrence | None:
    """The instance a reminder is about, as the event says *now* (wherever it was moved):
    the one-off occurrence, or the recurring instance with that recurrence id."""
    if not recurrence:
        found = expand(event, *_EVER) if not event.rrule else []
        return found[0] if found else None
    original = dt.datetime.strptime(recurrence, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    anchor = original
    for change in event.changes.all():  # prefetched with the batch's events
        if change.original_start == original:
            if change.start is not None:
                anchor = change.start
            elif change.start_date is not None:
                anchor = dt.datetime.combine(change.start_date, dt.time(), tzinfo=dt.UTC)
    for occ in expand(event, anchor - dt.timedelta(days=2), anchor + dt.timedelta(days=2)):
        if occ.recurrence_id is not None and occ.recurrence_id.astimezone(dt.UTC) == original:
            return occ
    return None


def _find_occurrence(event: Event, delivery: Delivery, now: dt.datetime) -> Occurrence | None:
    if delivery.kind == Delivery.Kind.REMINDER:
        return _current_instance(event, planning.recurrence_part(delivery.occurrence_key))
    if delivery.kind == Delivery.Kind.CHANGE:
        # A notice about one moved instance describes that instance where it is now.
        moved = notice_before(event.pk, delivery.sequence).get("occurrence") or {}
        if moved.get("id") and not moved.get("cancelled"):
            found = _current_instance(event, moved["id"])
            if found is not None and not found.cancelled:
                return found
    # A notice describes the next instance that is not over yet (or the first one).
    upcoming = [
        occ for occ in expand(event, now, now + dt.timedelta(days=800)) if not occ.cancelled
    ]
    if upcoming:
        return upcoming[0]
    everything = expand(event, dt.datetime(1900, 1, 1, tzinfo=dt.UTC), now + dt.timedelta(days=800))
    return everything[-1] if everything else None


def _occurrence(batch: Batch, event: Event, delivery: Delivery, now: dt.datetime):
    if delivery.kind == Delivery.Kind.REMINDER:
        key: tuple = (event.pk, planning.recurrence_part(delivery.occurrence_key))
    else:
        key = (event.pk, "notice", delivery.kind, delivery.sequence)
    if key not in batch.occurrences:
        batch.occurrences[key] = _find_occurrence(event, delivery, now)
    return batch.occurrences[key]


_ROWS = Delivery.objects.select_related(
    "rule__contact__city", "rule__user", "rule__city", "contact__city", "contact__digest",
    "partnership__city_a", "partnership__city_b",
)  # fmt: skip


def send_deliveries(*, delivery_ids: list[int], deadline: float | None = None) -> dict[int, str]:
    """Send a batch of QUEUED rows, each at most once. Returns {id: final status or 'noop'};
    rows not started before ``deadline`` (time.monotonic()) go back to QUEUED as 'deferred'.
    Idempotent: rows that are not QUEUED are left alone."""
    results = {pk: "noop" for pk in delivery_ids}
    claimed = ledger.claim_batch(delivery_ids=delivery_ids)
    if not claimed:
        return results
    rows = list(_ROWS.filter(pk__in=claimed).order_by("pk"))
    started = 0  # rows[:started] were handed to the sending code
    try:
        batch = Batch.load(rows)
        with ledger.relaxed_commits():
            for row in rows:
                if deadline is not None and time.monotonic() > deadline:
                    later = [r.pk for r in rows[started:]]
                    ledger.release(delivery_ids=later)
                    results.update((pk, "deferred") for pk in later)
                    break
                started += 1
                results[row.pk] = _send_one(row, batch)
    except SoftTimeLimitExceeded:
        # The row being sent stays SENDING (maybe sent: the sweeper decides); the rows never
        # started go back to the broker now instead of waiting for the sweeper.
        _hand_back([r.pk for r in rows[started:]])
        raise
    return results


def _hand_back(delivery_ids: list[int]) -> None:
    try:
        if ledger.release(delivery_ids=delivery_ids):
            dispatch.enqueue("notifications.send_deliveries", delivery_ids)
    except Exception:
        log.exception("Could not hand back %d rows; the sweeper will", len(delivery_ids))


def send_task_batch(*, delivery_ids: list[int]) -> int:
    """What the send task does: send the rows within half the task's soft time limit and hand
    the rows not started back to the broker as a new task, so a slow SMTP server never makes
    a batch overrun its limit. Returns the number sent. On the soft limit the row being sent
    stays SENDING for the sweeper and the rows not started are published again."""
    budget = settings.CELERY_TASK_SOFT_TIME_LIMIT / 2
    try:
        results = send_deliveries(delivery_ids=delivery_ids, deadline=time.monotonic() + budget)
    except SoftTimeLimitExceeded:
        transport.drop_connection()
        return 0
    deferred = [pk for pk, status in results.items() if status == "deferred"]
    if deferred:
        dispatch.enqueue("notifications.send_deliveries", deferred)
    return sum(status == "sent" for status in results.values())


def send_delivery(*, delivery_id: int) -> str:
    """Send one row at most once. Returns the final status (or 'noop'). Idempotent."""
    return send_deliveries(delivery_ids=[delivery_id])[delivery_id]


def _send_one(delivery: Delivery, batch: Batch) -> str:
    """One claimed (SENDING) row: re-check, build, send, record the outcome."""
    now = clock.now()
    if delivery.kind == Delivery.Kind.DIGEST:
        prepared = digests.prepare_digest(delivery=delivery, now=now)
    elif delivery.kind == Delivery.Kind.ANNIVERSARY:
        prepared = anniversary_mail.prepare_anniversary(delivery=delivery, now=now)
    else:
        prepared = _prepare_event_mail(delivery, batch, now)
    if isinstance(prepared, str):
        return prepared  # already recorded (skipped, missed, failed)
    message, email = prepared
    try:
        transport.deliver(message)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        if transport.classify(exc) is transport.PermanentError:
            ledger.mark_final(
                delivery=delivery, status=Delivery.Status.FAILED, error=error, email=email
            )
            return Delivery.Status.FAILED
        log.info("Temporary failure for delivery %s: %s", delivery.pk, error)
        ledger.mark_retry(delivery=delivery, error=error)
        return Delivery.Status.PENDING
    # The one duplicate window: the server accepted the message and this process dies before
    # the next line commits. The sweeper then re-sends with the same Message-ID.
    ledger.mark_sent(delivery=delivery, message_id=message.extra_headers["Message-ID"], email=email)
    return Delivery.Status.SENT


def _prepare_event_mail(delivery: Delivery, batch: Batch, now: dt.datetime) -> Any:
    """A reminder or change notice: (message, address), or the status already recorded."""
    rule = delivery.rule
    event = batch.events.get(delivery.event_id or 0)
    if rule is None or event is None:  # the event was deleted since the batch was loaded
        ledger.mark_final(delivery=delivery, status=Delivery.Status.SKIPPED, error="No event.")
        return Delivery.Status.SKIPPED
    recipient = recipients.Recipient.of_rule(rule)
    email = recipient.address
    if not rule.is_active or (rule.contact is not None and not rule.contact.is_active):
        ledger.mark_final(delivery=delivery, status=Delivery.Status.SKIPPED, error="Rule is off.")
        return Delivery.Status.SKIPPED
    if not email:
        ledger.mark_final(delivery=delivery, status=Delivery.Status.FAILED, error="No address.")
        return Delivery.Status.FAILED
    delivery.event = event  # the copy with prefetched relations (the .ics reads them)
    occurrence = _occurrence(batch, event, delivery, now)
    instant = day = start = None
    if occurrence is not None:
        # The recipient's instant (for an all-day occurrence: its local midnight) and date.
        start, day = recipient.instant(occurrence)
        instant = start if occurrence.start is not None else None
    if delivery.kind == Delivery.Kind.REMINDER:
        if occurrence is None or occurrence.cancelled or event.status != Event.Status.CONFIRMED:
            ledger.mark_final(
                delivery=delivery,
                status=Delivery.Status.SKIPPED,
                error="The occurrence is cancelled or no longer scheduled.",
            )
            return Delivery.Status.SKIPPED
        assert start is not None
        assert day is not None  # occurrence is not None here
        stale = _superseded_because(delivery, recipient, occurrence, start, day)
        if stale:
            # Decided from the event as it is now: this row describes another time. The row
            # for the current time is planned here too, in case no edit re-planned it.
            ledger.mark_final(delivery=delivery, status=Delivery.Status.SUPERSEDED, error=stale)
            planning.plan_rule(rule_id=rule.pk, now=now, event_ids=[event.pk])
            return Delivery.Status.SUPERSEDED
        if delivery.occurrence_start is not None and start <= now:
            ledger.mark_final(
                delivery=delivery,
                status=Delivery.Status.MISSED,
                error="Found only after the event started.",
            )
            return Delivery.Status.MISSED
    try:
        message = build_email(
            delivery=delivery,
            occurrence=occurrence,
            recipient=email,
            language=recipient.language,
            zone_name=recipient.zone_name,
            instant=instant,
            day=day,
            days_ahead=recipient.days_ahead(day, now) if day is not None else None,
            ics_cache=batch.ics,
            templates=batch.templates,
        )
    except Exception as exc:
        # A message that cannot be built will not build on retry either: record it.
        log.exception("Cannot build delivery %s", delivery.pk)
        ledger.mark_final(
            delivery=delivery, status=Delivery.Status.FAILED, error=f"Cannot build: {exc!r}"
        )
        return Delivery.Status.FAILED
    return message, email


def _superseded_because(
    delivery: Delivery,
    recipient: recipients.Recipient,
    occurrence: Occurrence,
    start: dt.datetime,
    day: dt.date,
) -> str:
    """Why a reminder row no longer matches the event ("" when it does): another start than
    its key says, or another due time than the rule now gives for the current date."""
    if planning.occurrence_key(occurrence) != delivery.occurrence_key:
        return planning.SUPERSEDED_MOVED
    if delivery.occurrence_start is not None and delivery.occurrence_start != start:
        return planning.SUPERSEDED_MOVED
    if recipient.due(day, delivery.lead_days) != delivery.due_at:
        return planning.SUPERSEDED_RETIMED
    return ""
