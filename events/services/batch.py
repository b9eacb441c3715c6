"""create_event and update_event for many events at once (imports): the same checks, a few
queries per batch.

Per event, create_event costs about 40 statements (slug probe, unique and constraint checks,
participations, index refresh, planning request), most of them round trips that do not depend
on the event. Here every event is normalised and validated in Python exactly as create_event
does (``_normalise_event``, field validation, the participation rules, change_occurrence's
checks for its moved or cancelled instances); slugs are made unique with one query; the rows
go in with bulk inserts; the occurrence index is refreshed and the notifications app told once
for the batch. update_events does the same for edits: one locking read for the batch, the
checks in Python, one save per event, the index and change notices only for events whose
schedule changed. The audit trail follows the bulk path: the inserts go through
simple_history's bulk_create_with_history (one more bulk insert per table, same transaction),
edits are plain saves. The database's own constraints (titles, start before end, unique slug/uid) still
hold every row; should one refuse a row the checks let through, the batch is redone one event
at a time through create_event (update_event) so the refusal names its event and field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from events.models import Event, OccurrenceChange, Participation
from events.occurrence_index.maintain import refresh_events
from events.services._common import _error, _full_clean
from events.services.occurrences import change_occurrence, occurrence_change_values
from events.services.schedule import (
    EVENT_FIELDS,
    ParticipationInput,
    _normalise_event,
    apply_event_fields,
    check_participations,
    create_event,
    stamp_cancellation,
    update_event,
    was_details,
)
from notifications import hooks


@dataclass(frozen=True)
class NewEvent:
    """One event to create: create_event's fields and change_occurrence's arguments for each
    instance it moves or cancels (applied in order, as successive change_occurrence calls)."""

    fields: Mapping[str, Any]
    occurrence_changes: Sequence[Mapping[str, Any]] = field(default_factory=tuple)


class EventsRefused(ValidationError):
    """Some items were refused; ``errors`` maps their index to the ValidationError
    create_event (or change_occurrence) would have raised. Nothing was stored."""

    def __init__(self, errors: dict[int, ValidationError]) -> None:
        super().__init__(_("%(n)d events were refused.") % {"n": len(errors)})
        self.errors = errors


@dataclass
class _Prepared:
    event: Event
    changes: dict[Any, dict[str, Any]]


def _prepare(item: NewEvent, actor: Any, now: Any) -> _Prepared:
    fields = dict(item.fields)
    unknown = set(fields) - EVENT_FIELDS
    if unknown:
        raise _error(sorted(unknown)[0], _("Unknown field."))
    event = Event(**{k: v for k, v in fields.items() if k not in ("start", "end")})
    _normalise_event(event, fields)
    if event.status == Event.Status.CANCELLED:
        event.cancelled_at = now
    if actor is not None and getattr(actor, "is_authenticated", False):
        event.created_by = actor
    exclude = ["partnership", "created_by"]
    if not event.slug:
        exclude.append("slug")  # given below, unique across the batch and the table
    _full_clean(event, exclude=exclude, database_checks=False)
    # change_occurrence, call after call: an identical repeat changes nothing, any other
    # change of an instance replaces the previous one and bumps SEQUENCE.
    changes: dict[Any, dict[str, Any]] = {}
    for arguments in item.occurrence_changes:
        key, values = occurrence_change_values(event, **arguments)
        if changes.get(key, {}).get("values") == values:
            continue
        event.sequence += 1
        changes[key] = {"values": values, "sequence": event.sequence}
    return _Prepared(event=event, changes=changes)


def _base_slug(event: Event) -> str:
    return slugify(event.title_en or event.title_ru)[:100] or "event"


def _assign_slugs(events: list[Event]) -> None:
    """What _unique_slug gives each event in turn (base, base-2, base-3, ...), one query per
    500 distinct titles instead of one or more per event."""
    bases = sorted({_base_slug(e) for e in events if not e.slug})
    taken: set[str] = set()
    for n in range(0, len(bases), 500):
        chunk = bases[n : n + 500]
        query = Q(slug__in=chunk)
        for base in chunk:
            query |= Q(slug__startswith=f"{base}-")
        taken |= set(Event.objects.filter(query).values_list("slug", flat=True))
    given = [e.slug for e in events if e.slug]
    taken |= set(Event.objects.filter(slug__in=given).values_list("slug", flat=True))
    for event in events:
        if event.slug:
            if event.slug in taken:
                raise _error("slug", _("Event with this Slug already exists."), "unique")
            taken.add(event.slug)
            continue
        base = slug = _base_slug(event)
        suffix = 2
        while slug in taken:
            slug = f"{base}-{suffix}"
            suffix += 1
        event.slug = slug
        taken.add(slug)


def _each_alone(items: Sequence[Any], write: Callable[[Any], Event]) -> list[Event]:
    """The slow path, for a precise refusal: ``write`` (one service call) and the item's
    change_occurrence calls per item, each in its own savepoint; every refusal is collected."""
    errors: dict[int, ValidationError] = {}
    done: list[Event] = []
    for index, item in enumerate(items):
        try:
            with transaction.atomic():
                event = write(item)
                for arguments in item.occurrence_changes:
                    change_occurrence(event=event, **arguments)
        except ValidationError as exc:
            errors[index] = exc
        except IntegrityError as exc:
            errors[index] = ValidationError(str(exc).splitlines()[0])
        else:
            done.append(event)
    if errors:
        raise EventsRefused(errors)
    return done


def _one_by_one(
    items: Sequence[NewEvent], participations: Sequence[ParticipationInput], actor: Any
) -> list[Event]:
    return _each_alone(
        items,
        lambda item: create_event(participations=participations, actor=actor, **item.fields),
    )


@transaction.atomic
def create_events(
    *,
    items: Sequence[NewEvent],
    participations: Sequence[ParticipationInput] = (),
    actor: Any = None,
) -> list[Event]:
    """Create ``items`` (each with the same participating cities), their moved or cancelled
    instances and their index rows; tell the notifications app once (reminders are planned
    after commit). All or nothing: raises EventsRefused naming every refused item, and stores
    nothing. Not idempotent (like create_event)."""
    wanted = check_participations(participations)
    now = timezone.now()
    errors: dict[int, ValidationError] = {}
    prepared: list[_Prepared] = []
    for index, item in enumerate(items):
        try:
            prepared.append(_prepare(item, actor, now))
        except ValidationError as exc:
            errors[index] = exc
    if errors:
        raise EventsRefused(errors)
    events = [p.event for p in prepared]
    _assign_slugs(events)
    try:
        with transaction.atomic():
            bulk_create_with_history(events, Event)
    except IntegrityError:
        return _one_by_one(items, participations, actor)
    bulk_create_with_history(
        [p.row(event=event) for event in events for p in wanted],
        Participation,
    )
    bulk_create_with_history(
        [
            OccurrenceChange(
                event=p.event, original_start=key, sequence=change["sequence"], **change["values"]
            )
            for p in prepared
            for key, change in p.changes.items()
        ],
        OccurrenceChange,
    )
    ids = [event.pk for event in events]
    refresh_events(event_ids=ids)
    hooks.events_created(event_ids=ids)
    return events


@dataclass(frozen=True)
class EventEdit:
    """One event to change: update_event's fields and change_occurrence's arguments for each
    instance it moves or cancels."""

    event_id: int
    fields: Mapping[str, Any]
    occurrence_changes: Sequence[Mapping[str, Any]] = field(default_factory=tuple)


def _edit(
    event: Event, item: EventEdit, before_cities: set[tuple[int, str, str, str]], wanted
) -> tuple[bool, bool, dict[str, str]]:
    """update_event's checks and changes on a locked event, unsaved. Returns (schedule
    changed, participations changed, what the change notice says it was)."""
    fields = dict(item.fields)
    before = apply_event_fields(event, fields, database_checks=False)
    if "slug" in fields and Event.objects.filter(slug=event.slug).exclude(pk=event.pk).exists():
        raise _error("slug", _("Event with this Slug already exists."), "unique")
    schedule_changed = any(getattr(event, name) != before[name] for name in before)
    places_changed = wanted is not None and before_cities != {
        (p.city_id, p.role, p.venue.strip(), p.venue_ru.strip()) for p in wanted
    }
    stamp_cancellation(event, before)
    if schedule_changed or places_changed:
        event.sequence += 1
    return schedule_changed or places_changed, places_changed, was_details(event, before)


def _edit_one_by_one(
    items: Sequence[EventEdit], participations: Sequence[ParticipationInput] | None, actor: Any
) -> list[Event]:
    return _each_alone(
        items,
        lambda item: update_event(
            event=Event(pk=item.event_id),
            participations=participations,
            actor=actor,
            **item.fields,
        ),
    )


@transaction.atomic
def update_events(
    *,
    items: Sequence[EventEdit],
    participations: Sequence[ParticipationInput] | None = None,
    actor: Any = None,
) -> list[Event]:
    """update_event for each item (``participations``, when given, replace every event's),
    then change_occurrence for its instance changes. SEQUENCE, the index and change notices
    move only for events whose schedule or places changed, as in update_event. All or nothing:
    raises EventsRefused naming every refused item. Idempotent (like update_event)."""
    wanted = check_participations(participations) if participations is not None else None
    ids = [item.event_id for item in items]
    locked = {e.pk: e for e in Event.objects.select_for_update().filter(pk__in=ids)}
    cities: dict[int, set[tuple[int, str, str, str]]] = {pk: set() for pk in ids}
    for row in Participation.objects.filter(event_id__in=ids).values_list(
        "event_id", "city_id", "role", "venue", "venue_ru"
    ):
        cities[row[0]].add(row[1:])
    errors: dict[int, ValidationError] = {}
    changed: list[Event] = []
    before: dict[int, dict[str, str]] = {}
    replace: list[int] = []
    for index, item in enumerate(items):
        event = locked.get(item.event_id)
        if event is None:
            errors[index] = _error("event", _("No such event."), "not_found")
            continue
        try:
            schedule_changed, places_changed, was = _edit(event, item, cities[event.pk], wanted)
        except ValidationError as exc:
            errors[index] = exc
            continue
        if schedule_changed:
            changed.append(event)
            before[event.pk] = was
        if places_changed:
            replace.append(event.pk)
    if errors:
        raise EventsRefused(errors)
    events = [locked[item.event_id] for item in items]
    try:
        with transaction.atomic():
            for event in events:
                event.save()
    except IntegrityError:
        return _edit_one_by_one(items, participations, actor)
    if replace and wanted is not None:
        Participation.objects.filter(event_id__in=replace).delete()
        bulk_create_with_history(
            [p.row(event_id=pk) for pk in replace for p in wanted],
            Participation,
        )
    refresh_events(event_ids=[event.pk for event in changed])
    for event in changed:
        hooks.event_changed(event_id=event.pk, sequence=event.sequence, before=before[event.pk])
    for item, event in zip(items, events, strict=True):
        for arguments in item.occurrence_changes:
            change_occurrence(event=event, **arguments)
    return events
