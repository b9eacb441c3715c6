"""Planning reminders: materialise the ledger rows a rule asks for over its horizon, and keep
them in line with the calendar (moved occurrences get new rows; stale ones are superseded)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from common import clock
from events.models import Event
from events.occurrence_index.read import occurrences_in
from events.recurrence import Occurrence
from notifications.anniversary_planning import plan_anniversary_rule
from notifications.models import MAX_LEAD_DAYS, Delivery, PlanRequest, ReminderRule
from notifications.recipients import Recipient
from notifications.selectors import events_for_rule, rules_for_event

# Rows are materialised this many days before they fall due; the periodic planner runs far
# more often than that, so a pause of the planner for hours loses nothing.
HORIZON_SLACK_DAYS = 10
# A planning request its Celery message has not served within this long is served by the scan.
PLAN_REQUEST_GRACE = dt.timedelta(seconds=10)


@dataclass(frozen=True)
class Planned:
    event_id: int
    occurrence_key: str
    lead_days: int
    due_at: dt.datetime
    occurrence_start: dt.datetime


_INSTANT = "%Y%m%dT%H%M%SZ"


SUPERSEDED_MOVED = "superseded: event moved"


SUPERSEDED_RETIMED = "superseded: the reminder's time changed"


def recurrence_part(key: str) -> str:
    """The recurrence id in a reminder key ("" for a one-off event)."""
    return key.partition("@")[0]


def occurrence_key(occ: Occurrence) -> str:
    """The ledger key of an occurrence *as scheduled*: "<recurrence id>@<actual start>".

    The recurrence id (the instance's original start in UTC, "" for a one-off event) says which
    instance; the start (UTC instant, or the date when all-day) says when it is now, so a
    moved occurrence gets a new key and a new reminder instead of colliding with the old row.
    """
    rid = (
        "" if occ.recurrence_id is None else occ.recurrence_id.astimezone(dt.UTC).strftime(_INSTANT)
    )
    if occ.start is not None:
        start = occ.start.astimezone(dt.UTC).strftime(_INSTANT)
    else:
        start = occ.start_date.strftime("%Y%m%d") if occ.start_date is not None else ""
    return f"{rid}@{start}"


def wanted_reminders(
    rule: ReminderRule, now: dt.datetime, event_ids: Iterable[int] | None = None
) -> list[Planned]:
    """Reminders the rule asks for, for occurrences starting within its horizon."""
    if not rule.is_active or (rule.contact is not None and not rule.contact.is_active):
        return []
    horizon = now + dt.timedelta(days=max(rule.lead_days) + HORIZON_SLACK_DAYS)
    query = events_for_rule(rule)
    if event_ids is not None:
        query = query.filter(pk__in=list(event_ids))
    recipient = Recipient.of_rule(rule)
    result = []
    for occ in occurrences_in(query, now, horizon):
        if occ.cancelled:
            continue
        instant, day = recipient.instant(occ)
        if instant <= now:
            continue
        for lead in rule.lead_days:
            result.append(
                Planned(occ.event.pk, occurrence_key(occ), lead, recipient.due(day, lead), instant)
            )
    return result


def plan_rule(
    *, rule_id: int, now: dt.datetime | None = None, event_ids: Iterable[int] | None = None
) -> int:
    """Bring the rule's reminder rows in line with the calendar. Idempotent; returns rows added.

    Missing rows are inserted (the unique constraints make concurrent planners harmless, and a
    reminder another rule already planned for the same address is not planned again); pending
    rows follow a changed due time. A moved occurrence has a new key: its pending or queued
    rows are marked SUPERSEDED and rows for the new time are planned (a queued row is taken
    back with a conditional UPDATE, so a worker that has not claimed it yet never sends it).
    Other pending or queued rows nobody wants any more are removed (or skipped once attempted).
    Sent/failed rows are history and never touched. When a row is first planned after several
    of its lead times already passed, only the latest one is kept (the shortest lead), so a
    late subscriber gets one reminder, not a burst.
    """
    now = now or clock.now()
    event_ids = list(event_ids) if event_ids is not None else None
    rule = ReminderRule.objects.select_related("contact__city", "user").filter(pk=rule_id).first()
    if rule is None:
        return 0
    if rule.target == ReminderRule.Target.ANNIVERSARY:  # dated by partnerships, not events
        return 0 if event_ids is not None else plan_anniversary_rule(rule, now)
    wanted = {
        (p.event_id, p.occurrence_key, p.lead_days): p
        for p in wanted_reminders(rule, now, event_ids)
    }
    address = Recipient.of_rule(rule).key
    live = [Delivery.Status.PENDING, Delivery.Status.QUEUED]
    with transaction.atomic():
        existing_query = Delivery.objects.filter(rule=rule, kind=Delivery.Kind.REMINDER).exclude(
            status=Delivery.Status.SUPERSEDED
        )
        if event_ids is not None:
            existing_query = existing_query.filter(event_id__in=event_ids)
        else:
            existing_query = existing_query.filter(
                Q(status__in=live) | Q(event_id__in={k[0] for k in wanted})
            )
        existing = {
            (row.event_id, row.occurrence_key, row.lead_days): row
            for row in existing_query.only(
                "id",
                "event_id",
                "occurrence_key",
                "lead_days",
                "status",
                "due_at",
                "attempts",
                "occurrence_start",
            )
        }
        # What other rules already hold for this address (one reminder per address).
        taken = set()
        if address and wanted:
            taken = set(
                Delivery.objects.filter(
                    address_key=address,
                    kind=Delivery.Kind.REMINDER,
                    event_id__in={k[0] for k in wanted},
                )
                .exclude(rule=rule)
                .exclude(status__in=[Delivery.Status.SKIPPED, Delivery.Status.SUPERSEDED])
                .values_list("event_id", "occurrence_key", "lead_days")
            )
        new_rows = []
        shortest: dict[tuple[int, str], int] = {}
        for key in wanted:
            shortest[key[:2]] = min(shortest.get(key[:2], MAX_LEAD_DAYS), key[2])
        for key, planned in wanted.items():
            row = existing.get(key)
            if row is None and key in taken:
                continue
            if row is None:
                superseded = planned.due_at <= now and shortest[key[:2]] != planned.lead_days
                new_rows.append(
                    Delivery(
                        rule=rule,
                        address_key=address,
                        event_id=planned.event_id,
                        occurrence_key=planned.occurrence_key,
                        kind=Delivery.Kind.REMINDER,
                        lead_days=planned.lead_days,
                        status=Delivery.Status.SKIPPED if superseded else Delivery.Status.PENDING,
                        last_error="Planned after a later reminder was already due."
                        if superseded
                        else "",
                        due_at=planned.due_at,
                        next_attempt_at=planned.due_at,
                        occurrence_start=planned.occurrence_start,
                    )
                )
            elif (
                row.status == Delivery.Status.PENDING
                and row.attempts == 0
                and (
                    row.due_at != planned.due_at or row.occurrence_start != planned.occurrence_start
                )
            ):
                Delivery.objects.filter(
                    pk=row.pk, status=Delivery.Status.PENDING, attempts=0
                ).update(
                    due_at=planned.due_at,
                    next_attempt_at=planned.due_at,
                    occurrence_start=planned.occurrence_start,
                )
            elif row.status == Delivery.Status.PENDING and (
                row.occurrence_start != planned.occurrence_start
            ):
                # In retry: keep its backoff, but a moved event still makes it "missed" in time.
                Delivery.objects.filter(pk=row.pk, status=Delivery.Status.PENDING).update(
                    occurrence_start=planned.occurrence_start
                )
        # The same instance and lead time under another key: the occurrence was moved.
        instances = {(k[0], recurrence_part(k[1]), k[2]) for k in wanted}
        moved: list[int] = []
        stale: list[int] = []
        for (event_pk, key_text, lead), row in existing.items():
            if (event_pk, key_text, lead) in wanted or row.status not in live:
                continue
            if row.occurrence_start is None:
                continue  # put back by a coordinator after it was missed: theirs to decide
            instance = (event_pk, recurrence_part(key_text), lead)
            (moved if instance in instances else stale).append(row.pk)
        if moved:
            Delivery.objects.filter(pk__in=moved, status__in=live).update(
                status=Delivery.Status.SUPERSEDED, last_error=SUPERSEDED_MOVED
            )
        if stale:
            Delivery.objects.filter(
                pk__in=stale, status=Delivery.Status.PENDING, attempts=0
            ).delete()
            Delivery.objects.filter(pk__in=stale, status__in=live).update(
                status=Delivery.Status.SKIPPED, last_error="No longer scheduled."
            )
        Delivery.objects.bulk_create(new_rows, ignore_conflicts=True, batch_size=1000)
    return len(new_rows)


def plan_event(*, event_id: int, now: dt.datetime | None = None) -> int:
    """Re-plan every rule's reminders for one event (after it changed)."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return 0
    rule_ids = set(rules_for_event(event).values_list("pk", flat=True))
    rule_ids |= set(
        Delivery.objects.filter(
            event_id=event_id,
            kind=Delivery.Kind.REMINDER,
            status__in=[Delivery.Status.PENDING, Delivery.Status.QUEUED],
        ).values_list("rule_id", flat=True)
    )
    return sum(plan_rule(rule_id=pk, now=now, event_ids=[event_id]) for pk in sorted(rule_ids))


def plan_all(*, now: dt.datetime | None = None) -> int:
    """The periodic planner: every active rule over its bounded horizon."""
    now = now or clock.now()
    ids = ReminderRule.objects.filter(is_active=True).values_list("pk", flat=True)
    return sum(plan_rule(rule_id=pk, now=now) for pk in list(ids))


def plan_requested_event(*, event_id: int) -> int:
    """The plan_event task: plan the event, then drop the requests that asked for it."""
    started = timezone.now()
    added = plan_event(event_id=event_id)
    PlanRequest.objects.filter(event_id=event_id, created_at__lte=started).delete()
    return added


def plan_requested_rule(*, rule_id: int) -> int:
    """The plan_rule task: plan the rule, then drop the requests that asked for it."""
    started = timezone.now()
    added = plan_rule(rule_id=rule_id)
    PlanRequest.objects.filter(rule_id=rule_id, created_at__lte=started).delete()
    return added


def plan_requested(*, older_than: dt.timedelta = PLAN_REQUEST_GRACE, limit: int = 200) -> int:
    """What the scan does first: plan every request whose Celery message has not done it
    within ``older_than`` (a lost publish), so nothing waits for the periodic planner.
    Idempotent; bounded to ``limit`` requests per scan."""
    cutoff = timezone.now() - older_than
    pending = list(
        PlanRequest.objects.filter(created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("event_id", "rule_id")[:limit]
    )
    added = 0
    for event_id in sorted({e for e, _r in pending if e is not None}):
        added += plan_requested_event(event_id=event_id)
    for rule_id in sorted({r for _e, r in pending if r is not None}):
        added += plan_requested_rule(rule_id=rule_id)
    return added
