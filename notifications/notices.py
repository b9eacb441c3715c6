"""Change and cancellation notices: debounce a burst of edits into one notice, then fan it
out to one ledger row per address."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from common import clock
from events.models import Event
from notifications import conf
from notifications.models import ChangeNotice, Delivery, ReminderRule
from notifications.planning import plan_event
from notifications.recipients import Recipient
from notifications.selectors import rules_told_of


def debounce() -> dt.timedelta:
    return dt.timedelta(seconds=conf.get("NOTIFICATIONS_DEBOUNCE_SECONDS"))


def record_event_change(
    *, event_id: int, sequence: int, before: Mapping[str, Any] | None = None
) -> None:
    """Called inside the transaction that changed an event's time, place or status.

    Keeps one pending ChangeNotice per event whose due time moves forward with each edit,
    so a burst of edits gives one notice (with the last SEQUENCE). ``before`` is kept from
    the first edit of the burst (a later edit adds only what it is the first to change), so
    the notice says old → new across the whole burst. Pending reminders are re-planned at
    once so they carry the new time. Idempotent per (event, sequence).
    """
    now = clock.now()
    pending = (
        ChangeNotice.objects.select_for_update()
        .filter(event_id=event_id, status=ChangeNotice.Status.PENDING)
        .first()
    )
    if pending is None:
        ChangeNotice.objects.create(
            event_id=event_id,
            sequence=sequence,
            first_change_at=now,
            due_at=now + debounce(),
            before=dict(before or {}),
        )
    else:
        pending.sequence = sequence
        pending.due_at = now + debounce()
        pending.before = {**(before or {}), **pending.before}
        pending.save(update_fields=["sequence", "due_at", "before"])
    plan_event(event_id=event_id, now=now)


def _notice_is_news(event: Event, now: dt.datetime) -> bool:
    """Nobody needs to hear that a one-off event long past was edited."""
    if event.rrule or event.status == Event.Status.CANCELLED:
        return True
    if event.start is not None:
        return (event.end or event.start) >= now
    if event.start_date is not None:
        return (event.end_date or event.start_date) >= (now - dt.timedelta(days=1)).date()
    return False


def fan_out_notice(*, notice_id: int, now: dt.datetime | None = None) -> int:
    """Turn one due ChangeNotice into delivery rows. Idempotent (unique ledger key)."""
    now = now or clock.now()
    with transaction.atomic():
        notice = (
            ChangeNotice.objects.select_for_update(skip_locked=True)
            .filter(pk=notice_id, status=ChangeNotice.Status.PENDING)
            .select_related("event")
            .first()
        )
        if notice is None:
            return 0
        event = notice.event
        rows = []
        if _notice_is_news(event, now):
            # Who may hear of it now, and who was already told of it (an event made tentative
            # or internal since: its recipients learn that it changed).
            rule_ids = {rule.pk for rule in rules_told_of(event)}
            rule_ids |= set(
                Delivery.objects.filter(event=event, status=Delivery.Status.SENT)
                .filter(rule__is_active=True)
                .values_list("rule_id", flat=True)
            )
            kind = (
                Delivery.Kind.CANCEL
                if event.status == Event.Status.CANCELLED
                else Delivery.Kind.CHANGE
            )
            # One notice per address: the first rule (lowest id) covering it sends it.
            by_address: dict[str, ReminderRule] = {}
            for rule in ReminderRule.objects.filter(pk__in=rule_ids).select_related(
                "contact", "user"
            ):
                address = Recipient.of_rule(rule).key or f"rule:{rule.pk}"
                if address not in by_address or rule.pk < by_address[address].pk:
                    by_address[address] = rule
            rows = [
                Delivery(
                    rule_id=rule.pk,
                    address_key="" if address.startswith("rule:") else address,
                    event=event,
                    kind=kind,
                    sequence=notice.sequence,
                    due_at=now,
                    next_attempt_at=now,
                )
                for address, rule in sorted(by_address.items(), key=lambda item: item[1].pk)
            ]
            # ignore_conflicts: an address another notice row already holds is not sent twice.
            Delivery.objects.bulk_create(rows, ignore_conflicts=True)
        notice.status = ChangeNotice.Status.DONE
        notice.done_at = now
        notice.save(update_fields=["status", "done_at"])
    return len(rows)
