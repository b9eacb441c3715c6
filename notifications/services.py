"""Writes for reminders and change notices. See notifications/README.md for the flow.

Times that decide *what is due* come from ``common.clock.now()`` (movable in tests);
stamps that decide *what is stuck* (queued_at, claimed_at) use the real clock, so moving the
test clock can never make a live send look abandoned.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as KombuOperationalError

from common import clock
from events.models import City, Contact, Event, Partnership
from events.recurrence import Occurrence
from events.selectors import occurrences_between
from events.timezones import get_zone, make_aware_lenient
from notifications import conf
from notifications.models import (
    MAX_LEAD_DAYS,
    ChangeNotice,
    Delivery,
    ReminderRule,
    default_lead_days,
)
from notifications.selectors import RETRYABLE, events_for_rule, rules_for_event

log = logging.getLogger(__name__)

RULE_FIELDS = frozenset(
    {
        "contact_id",
        "user_id",
        "target",
        "city_id",
        "partnership_id",
        "event_kind",
        "event_id",
        "lead_days",
        "hour",
        "timezone",
        "language",
        "is_active",
    }
)


def _setting(name: str, default: Any = None) -> Any:
    return conf.get(name)


def _error(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


# --- Rules -------------------------------------------------------------------------------------


def validate_rule(rule: ReminderRule) -> None:
    """Raise ValidationError naming the field; normalise lead days (unique, descending)."""
    if bool(rule.contact_id) == bool(rule.user_id):
        raise _error("contact", _("Give exactly one recipient: a contact or a user."), "recipient")
    if rule.contact_id and not Contact.objects.filter(pk=rule.contact_id).exists():
        raise _error("contact", _("Unknown contact."), "does_not_exist")
    if rule.target not in ReminderRule.Target.values:
        raise _error("target", _("Unknown target %(t)r.") % {"t": rule.target})
    targets: dict[str, tuple[str, type[Model], int | None]] = {
        ReminderRule.Target.CITY: ("city", City, rule.city_id),
        ReminderRule.Target.PARTNERSHIP: ("partnership", Partnership, rule.partnership_id),
        ReminderRule.Target.EVENT: ("event", Event, rule.event_id),
    }
    target_field = targets.get(rule.target)
    if target_field:
        name, model, pk = target_field
        if pk is None:
            raise _error(name, _("This target needs a %(f)s.") % {"f": name}, "required")
        if not model._default_manager.filter(pk=pk).exists():
            raise _error(name, _("Unknown %(f)s.") % {"f": name}, "does_not_exist")
    elif rule.event_kind not in Event.Kind.values:
        raise _error("event_kind", _("Unknown event kind %(k)r.") % {"k": rule.event_kind})
    # Only the chosen target is kept, so a rule never matches by a stale field.
    if rule.target != ReminderRule.Target.CITY:
        rule.city_id = None
    if rule.target != ReminderRule.Target.PARTNERSHIP:
        rule.partnership_id = None
    if rule.target != ReminderRule.Target.EVENT:
        rule.event_id = None
    if rule.target != ReminderRule.Target.EVENT_KIND:
        rule.event_kind = ""
    leads = rule.lead_days
    if (
        not isinstance(leads, list)
        or not leads
        or len(leads) > 10
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in leads)
    ):
        raise _error("lead_days", _("Give one to ten lead times as whole numbers of days."))
    if any(v < 1 or v > MAX_LEAD_DAYS for v in leads):
        raise _error(
            "lead_days",
            _("Each lead time must be from 1 to %(max)d days.") % {"max": MAX_LEAD_DAYS},
            "out_of_range",
        )
    rule.lead_days = sorted(set(leads), reverse=True)
    if isinstance(rule.hour, bool) or not isinstance(rule.hour, int) or not 0 <= rule.hour <= 23:
        raise _error("hour", _("The hour must be a whole number from 0 to 23."), "out_of_range")
    if rule.timezone:
        try:
            get_zone(rule.timezone)
        except ValidationError as exc:
            raise ValidationError({"timezone": exc.messages}) from exc
    elif rule.user_id:
        raise _error("timezone", _("A user's rule needs a time zone."), "required")
    if rule.language and rule.language not in ("en", "ru"):
        raise _error("language", _("The language must be en or ru."))


@transaction.atomic
def create_rule(**fields: Any) -> ReminderRule:
    """Create a rule and plan its reminders (after commit). Not idempotent."""
    unknown = set(fields) - RULE_FIELDS
    if unknown:
        raise _error(sorted(unknown)[0], _("Unknown field."))
    fields.setdefault("lead_days", default_lead_days())
    rule = ReminderRule(**fields)
    validate_rule(rule)
    rule.full_clean(exclude=["contact", "user", "city", "partnership", "event"])
    rule.save()
    _plan_after_commit(rule.pk)
    return rule


@transaction.atomic
def update_rule(*, rule: ReminderRule, **fields: Any) -> ReminderRule:
    """Change a rule and re-plan its pending reminders (after commit). Idempotent."""
    unknown = set(fields) - RULE_FIELDS
    if unknown:
        raise _error(sorted(unknown)[0], _("Unknown field."))
    rule = ReminderRule.objects.select_for_update().get(pk=rule.pk)
    for name, value in fields.items():
        setattr(rule, name, value)
    validate_rule(rule)
    rule.full_clean(exclude=["contact", "user", "city", "partnership", "event"])
    rule.save()
    if not rule.is_active:
        _skip_pending(Delivery.objects.filter(rule=rule), _("The rule was switched off."))
    _plan_after_commit(rule.pk)
    return rule


@transaction.atomic
def delete_rule(*, rule: ReminderRule) -> None:
    """Delete a rule and its ledger rows."""
    rule.delete()


def _skip_pending(query, reason: str) -> int:
    return query.filter(status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SKIPPED, last_error=reason
    )


@transaction.atomic
def unsubscribe(*, token: str) -> ReminderRule:
    """One-click unsubscribe (RFC 8058): switch the rule off and drop its pending mail.

    Idempotent. An unknown token raises ``ReminderRule.DoesNotExist`` and changes nothing.
    """
    if not isinstance(token, str) or not 20 <= len(token) <= 64:
        raise ReminderRule.DoesNotExist
    rule = ReminderRule.objects.select_for_update().get(unsubscribe_token=token)
    if rule.is_active:
        rule.is_active = False
        rule.save(update_fields=["is_active", "updated_at"])
    _skip_pending(Delivery.objects.filter(rule=rule), _("Unsubscribed."))
    return rule


# Rows are materialised this many days before they fall due; the periodic planner runs far
# more often than that, so a pause of the planner for hours loses nothing.
HORIZON_SLACK_DAYS = 10

# --- Planning reminders ------------------------------------------------------------------------


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


def address_key(address: str) -> str:
    """Exactly once is per address: "Office@City.example" and "office@city.example" are one."""
    return address.strip().lower()


def recipient_zone_name(rule: ReminderRule) -> str:
    if rule.timezone:
        return rule.timezone
    if rule.contact is not None:
        return rule.contact.timezone
    return "UTC"


def recipient_language(rule: ReminderRule) -> str:
    if rule.language:
        return rule.language
    if rule.contact is not None:
        return rule.contact.language
    return "en"


def recipient_email(rule: ReminderRule) -> str:
    if rule.contact is not None:
        return rule.contact.email
    return rule.user.email if rule.user is not None else ""


def recipient_instant(rule: ReminderRule, occ: Occurrence) -> tuple[dt.datetime, dt.date]:
    """The instant the recipient cares about and its local date in the recipient's zone.

    For a contact in a participating city, that city's own instant (it differs in LOCAL mode);
    otherwise the event's. All-day occurrences use their (local) dates as they are.
    """
    zone = get_zone(recipient_zone_name(rule))
    city_id = rule.contact.city_id if rule.contact is not None else None
    if occ.start is None:
        assert occ.start_date is not None
        day = occ.start_date
        return make_aware_lenient(dt.datetime.combine(day, dt.time()), zone), day
    instant = occ.start
    for city_time in occ.city_times:
        if city_id and city_time.city.pk == city_id and city_time.start is not None:
            instant = city_time.start
    return instant.astimezone(dt.UTC), instant.astimezone(zone).date()


def days_ahead(rule: ReminderRule, day: dt.date, now: dt.datetime) -> int:
    """Whole days from ``now``'s local date to ``day`` in the recipient's zone (the wording)."""
    return (day - now.astimezone(get_zone(recipient_zone_name(rule))).date()).days


def reminder_due(rule: ReminderRule, day: dt.date, lead_days: int) -> dt.datetime:
    """``lead_days`` before ``day`` at ``rule.hour`` local time, as a UTC instant (DST-safe)."""
    zone = get_zone(recipient_zone_name(rule))
    local = dt.datetime.combine(day - dt.timedelta(days=lead_days), dt.time(rule.hour))
    return make_aware_lenient(local, zone).astimezone(dt.UTC)


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
    result = []
    for occ in occurrences_between(query, now, horizon):
        if occ.cancelled:
            continue
        instant, day = recipient_instant(rule, occ)
        if instant <= now:
            continue
        for lead in rule.lead_days:
            result.append(
                Planned(
                    occ.event.pk, occurrence_key(occ), lead, reminder_due(rule, day, lead), instant
                )
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
    wanted = {
        (p.event_id, p.occurrence_key, p.lead_days): p
        for p in wanted_reminders(rule, now, event_ids)
    }
    address = address_key(recipient_email(rule))
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


def plan_new_event(*, event_id: int) -> None:
    """Called inside the transaction that created an event: plan its reminders after commit.

    The planning runs in a worker (``notifications.plan_event``) so the request does not pay
    for it. If the broker is unreachable the periodic planner picks the event up instead.
    Idempotent (planning is).
    """
    from notifications.tasks import plan_event_task

    _delay_after_commit(plan_event_task, event_id)


def _plan_after_commit(rule_id: int) -> None:
    from notifications.tasks import plan_rule_task

    _delay_after_commit(plan_rule_task, rule_id)


def _delay_after_commit(task: Any, *args: Any) -> None:
    """Enqueue after commit; a broker outage must not turn a committed write into an error
    (the data is saved and the periodic planner will catch up), so it is only logged."""

    def send() -> None:
        try:
            task.delay(*args)
        except (KombuOperationalError, OSError):
            log.warning("Could not enqueue %s%r; the periodic planner will", task.name, args)

    transaction.on_commit(send)


# --- Change notices ----------------------------------------------------------------------------


def debounce() -> dt.timedelta:
    return dt.timedelta(seconds=_setting("NOTIFICATIONS_DEBOUNCE_SECONDS", 300))


def record_event_change(*, event_id: int, sequence: int) -> None:
    """Called inside the transaction that changed an event's time, place or status.

    Keeps one pending ChangeNotice per event whose due time moves forward with each edit,
    so a burst of edits gives one notice (with the last SEQUENCE). Pending reminders are
    re-planned at once so they carry the new time. Idempotent per (event, sequence).
    """
    now = clock.now()
    updated = ChangeNotice.objects.filter(
        event_id=event_id, status=ChangeNotice.Status.PENDING
    ).update(sequence=sequence, due_at=now + debounce())
    if not updated:
        ChangeNotice.objects.create(
            event_id=event_id, sequence=sequence, first_change_at=now, due_at=now + debounce()
        )
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
            rule_ids = set(rules_for_event(event).values_list("pk", flat=True))
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
                address = address_key(recipient_email(rule)) or f"rule:{rule.pk}"
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


# --- The scan: claim due rows, enqueue after commit ----------------------------------------------


def enqueue_due(
    *,
    now: dt.datetime | None = None,
    batch: int = 500,
    enqueue: Callable[[list[int]], None] | None = None,
) -> int:
    """The beat scan. Cost follows the number of due rows (index on status, next_attempt_at).

    Due notices are fanned out; reminders whose occurrence already started become MISSED;
    due rows are claimed PENDING -> QUEUED with SKIP LOCKED and sends are enqueued after
    commit, several rows per task (``enqueue`` gets lists of at most NOTIFICATIONS_SEND_BATCH
    ids). Safe to run from two beats at once: a row is claimed by one of them only.
    """
    now = now or clock.now()
    enqueue = enqueue or _enqueue_sends
    for notice_id in list(
        ChangeNotice.objects.filter(status=ChangeNotice.Status.PENDING, due_at__lte=now)
        .order_by("due_at")
        .values_list("pk", flat=True)[:batch]
    ):
        fan_out_notice(notice_id=notice_id, now=now)
    Delivery.objects.filter(
        status=Delivery.Status.PENDING,
        next_attempt_at__lte=now,
        kind__in=[Delivery.Kind.REMINDER, Delivery.Kind.DIGEST],
        occurrence_start__lte=now,
    ).update(status=Delivery.Status.MISSED, last_error="Found only after it was out of date.")
    total = 0
    for _round in range(50):  # bounded: at most 50 batches per scan
        with transaction.atomic():
            ids = list(
                Delivery.objects.select_for_update(skip_locked=True)
                .filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
                .order_by("next_attempt_at")
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                break
            claimed = list(
                Delivery.objects.filter(pk__in=ids, status=Delivery.Status.PENDING).values_list(
                    "pk", flat=True
                )
            )
            Delivery.objects.filter(pk__in=claimed).update(
                status=Delivery.Status.QUEUED, queued_at=timezone.now()
            )
            transaction.on_commit(functools.partial(_in_chunks, claimed, enqueue))
        total += len(claimed)
        if len(ids) < batch:
            break
    return total


def sweep_stuck(*, enqueue: Callable[[list[int]], None] | None = None) -> int:
    """Re-queue rows whose broker message was lost (Redis restart) or whose worker died.

    Uses the real clock: QUEUED longer than NOTIFICATIONS_QUEUED_STALE_SECONDS, SENDING
    longer than NOTIFICATIONS_SENDING_STALE_SECONDS (which must exceed the task's hard time
    limit plus the SMTP timeout, so a live send is never taken over).
    """
    enqueue = enqueue or _enqueue_sends
    real_now = timezone.now()
    queued_stale = real_now - dt.timedelta(
        seconds=_setting("NOTIFICATIONS_QUEUED_STALE_SECONDS", 300)
    )
    sending_stale = real_now - dt.timedelta(
        seconds=_setting("NOTIFICATIONS_SENDING_STALE_SECONDS", 300)
    )
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=Delivery.Status.QUEUED, queued_at__lt=queued_stale)
                | Q(status=Delivery.Status.SENDING, claimed_at__lt=sending_stale)
            )
            .values_list("pk", flat=True)[:5000]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(
                status=Delivery.Status.QUEUED, queued_at=real_now
            )
            transaction.on_commit(lambda: _in_chunks(ids, enqueue))
    if ids:
        log.warning("Re-queued %d stuck deliveries", len(ids))
    return len(ids)


def send_batch_size() -> int:
    return max(1, _setting("NOTIFICATIONS_SEND_BATCH"))


def _in_chunks(ids: list[int], enqueue: Callable[[list[int]], None]) -> None:
    size = send_batch_size()
    for start in range(0, len(ids), size):
        enqueue(ids[start : start + size])


def _enqueue_sends(delivery_ids: list[int]) -> None:
    """One task per chunk: a worker sends several rows per broker round trip (each row is
    still claimed on its own, so a killed worker strands at most the row it was sending)."""
    from notifications.tasks import send_deliveries

    send_deliveries.delay(list(delivery_ids))


@transaction.atomic
def retry_delivery(*, delivery: Delivery) -> Delivery:
    """Put a failed, missed or skipped row back in the queue now (coordinator action)."""
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status not in RETRYABLE:
        raise _error(
            "status",
            _("Only failed, missed or skipped deliveries can be retried (this one is %(s)s).")
            % {"s": delivery.get_status_display()},
            "not_retryable",
        )
    now = clock.now()
    delivery.status = Delivery.Status.PENDING
    delivery.next_attempt_at = now
    delivery.attempts = 0
    # A retried reminder must not be turned into "missed" again by the scan.
    if delivery.occurrence_start is not None and delivery.occurrence_start <= now:
        delivery.occurrence_start = None
    try:
        with transaction.atomic():
            delivery.save(
                update_fields=["status", "next_attempt_at", "attempts", "occurrence_start"]
            )
    except IntegrityError as exc:
        raise _error(
            "status",
            _("Another delivery already covers this address, occurrence and kind."),
            "duplicate",
        ) from exc
    return delivery


# --- Recording the outcome of a send -------------------------------------------------------------


def claim(*, delivery: Delivery) -> bool:
    """QUEUED -> SENDING with one conditional UPDATE; False when someone else has the row or it
    is done. On success ``delivery`` carries the new status and attempt count."""
    stamp = timezone.now()
    got = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.QUEUED).update(
        status=Delivery.Status.SENDING, claimed_at=stamp, attempts=F("attempts") + 1
    )
    if got:
        delivery.status = Delivery.Status.SENDING
        delivery.claimed_at = stamp
        delivery.attempts += 1
    return bool(got)


def claim_for_send(*, delivery_id: int) -> Delivery | None:
    """Load and claim one row (see ``claim``). None when someone else has it or it is done."""
    delivery = Delivery.objects.filter(pk=delivery_id).first()
    if delivery is None or not claim(delivery=delivery):
        return None
    return delivery


def mark_sent(*, delivery: Delivery, message_id: str, email: str) -> None:
    Delivery.objects.filter(pk=delivery.pk).exclude(status=Delivery.Status.SENT).update(
        status=Delivery.Status.SENT,
        sent_at=timezone.now(),
        message_id=message_id,
        email=email,
        last_error="",
    )


def mark_final(*, delivery: Delivery, status: str, error: str, email: str = "") -> None:
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
        status=status, last_error=error[:2000], email=email
    )


def backoff(attempts: int) -> dt.timedelta:
    """Exponential backoff with full jitter between half and the whole step, capped."""
    base = float(_setting("NOTIFICATIONS_RETRY_BASE_SECONDS", 60))
    cap = float(_setting("NOTIFICATIONS_RETRY_MAX_SECONDS", 6 * 3600))
    step = min(cap, base * (2 ** max(0, attempts - 1)))
    return dt.timedelta(seconds=step * random.uniform(0.5, 1.0))  # noqa: S311 - jitter, not crypto


def mark_retry(*, delivery: Delivery, error: str) -> None:
    """A temporary failure: back to PENDING with a later next_attempt_at (beat picks it up)."""
    max_attempts = int(_setting("NOTIFICATIONS_MAX_ATTEMPTS", 10))
    if delivery.attempts >= max_attempts:
        mark_final(
            delivery=delivery,
            status=Delivery.Status.FAILED,
            error=f"Gave up after {delivery.attempts} attempts: {error}",
        )
        return
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.PENDING,
        next_attempt_at=clock.now() + backoff(delivery.attempts),
        last_error=error[:2000],
    )
