"""Occurrences built from their occurrence-index rows: the events, participations, changes
and city rows of a slice, in a fixed number of queries (used by events.occurrence_index.read
and the month grid)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from events import recurrence
from events.models import Event, IndexedOccurrence, OccurrenceChange, Participation
from events.recurrence import CityTime, Occurrence


def rows_by_id(ids: list[int]) -> list[IndexedOccurrence]:
    """Event-zone rows by primary key, in the order of ``ids``."""
    if not ids:
        return []
    found = {
        row.pk: row for row in IndexedOccurrence.objects.only(*BUILT_FIELDS).filter(pk__in=ids)
    }
    return [found[pk] for pk in ids if pk in found]


def build(
    rows: list[IndexedOccurrence],
    events: dict[int, Event] | None = None,
    *,
    city_times: bool = True,
) -> list[Occurrence]:
    """Occurrences from their event-zone rows (see build_groups)."""
    return build_groups([rows], events, city_times=city_times)[0]


# What build() reads of an event-zone row (the rest only selects and orders).
BUILT_FIELDS = (
    "id",
    "event_id",
    "key",
    "recurrence_id",
    "sort_start",
    "start",
    "end",
    "start_date",
    "end_date",
    "cancelled",
    "moved",
    "has_change",
    "location",
)


def build_groups(
    groups: list[list[IndexedOccurrence]],
    events: dict[int, Event] | None = None,
    *,
    city_times: bool = True,
) -> list[list[Occurrence]]:
    """build() for several lists of rows at once (one page's several lists), same queries:
    the events, their participations (with cities), their changes and the city rows. Without
    ``city_times`` (a page that shows no city's time: the month grid without a city filter)
    the participations and city rows are not read and ``Occurrence.city_times`` is empty --
    they were half of the cost of building a row.

    City times come from the city rows where they differ from the event's (same local time in
    each city, timed), else from events.recurrence.city_times on the event's stored instants.
    """
    rows = [row for group in groups for row in group]
    if not rows:
        return [[] for _ in groups]
    ids = {row.event_id for row in rows}
    participations: dict[int, list[Participation]] = defaultdict(list)
    changes: dict[tuple[int, dt.datetime], OccurrenceChange] = {}
    if events is not None and ids <= events.keys():
        for event_id in ids:
            participations[event_id] = list(events[event_id].participations.all())
            for change in events[event_id].changes.all():
                changes[(event_id, change.original_start)] = change
    else:
        events = {
            event.pk: event
            for event in Event.objects.filter(pk__in=ids).select_related(
                "partnership__city_a", "partnership__city_b"
            )
        }
        if city_times:
            # Ordered here, not in SQL: ORDER BY id would make PostgreSQL walk the primary key.
            found = Participation.objects.filter(event_id__in=ids).select_related("city")
            for participation in sorted(found.order_by(), key=lambda p: p.pk):
                participations[participation.event_id].append(participation)
        wanted = {row.recurrence_id for row in rows if row.has_change and row.recurrence_id}
        if wanted:
            changed = OccurrenceChange.objects.filter(
                event_id__in={row.event_id for row in rows if row.has_change},
                original_start__in=wanted,
            )
            for change in changed:
                changes[(change.event_id, change.original_start)] = change
    places: dict[tuple[int, dt.datetime], dict[int, tuple]] = defaultdict(dict)
    if city_times:
        city_rows = IndexedOccurrence.objects.filter(
            event_id__in=ids, key__in={row.key for row in rows}, city__isnull=False
        ).values_list("event_id", "key", "city_id", "start", "end", "start_date", "end_date")
        for event_id, key, city_id, *stored in city_rows:
            places[(event_id, key)][city_id] = tuple(stored)
    built: dict[int, Occurrence] = {}
    for row in rows:
        event = events[row.event_id]
        zone = event.zone
        all_day = row.start is None
        start = row.start.astimezone(zone) if row.start else None
        end = row.end.astimezone(zone) if row.end else None
        start_date = row.start_date if all_day else None
        end_date = row.end_date if all_day else None
        taking_part = participations[row.event_id]
        at = places.get((row.event_id, row.key))
        if not city_times:
            times: list[CityTime] = []
        elif at is None:
            times = recurrence.city_times(event, start, end, start_date, end_date, taking_part)
        else:
            times = _stored_city_times(taking_part, at)
        built[row.pk] = Occurrence(
            event=event,
            start=start,
            end=end,
            start_date=start_date,
            end_date=end_date,
            recurrence_id=row.recurrence_id,
            cancelled=row.cancelled,
            moved=row.moved,
            location=row.location,
            change=changes.get((row.event_id, row.recurrence_id)) if row.recurrence_id else None,
            city_times=times,
        )
    return [[built[row.pk] for row in group] for group in groups]


def _stored_city_times(taking_part: list[Participation], at: dict[int, tuple]) -> list[CityTime]:
    result = []
    for participation in taking_part:
        stored = at.get(participation.city_id)
        if stored is None:
            continue
        city_start, city_end, start_date, end_date = stored
        city_zone = participation.city.zone
        result.append(
            CityTime(
                city=participation.city,
                role=participation.role,
                venue=participation.venue,
                venue_ru=participation.venue_ru,
                start=city_start.astimezone(city_zone) if city_start else None,
                end=city_end.astimezone(city_zone) if city_end else None,
                start_date=start_date,
                end_date=end_date,
            )
        )
    return result
