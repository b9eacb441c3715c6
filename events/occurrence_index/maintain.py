"""Writes to the occurrence index, each inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from events.models import (
    Event,
    IndexedOccurrence,
    ListedOccurrence,
    OccurrenceHorizon,
    Participation,
    Partnership,
)
from events.recurrence import Occurrence, expand, occurrence_spans
from events.selectors import candidate_events, events_of_partnership_q, with_related

# Rows whose end lies further than this after their start are searched through their own index.
LONG_SPAN = dt.timedelta(days=2)
_BATCH = 500


def occurrence_key(occ: Occurrence) -> dt.datetime:
    """The occurrence's identity within its event (as stored in IndexedOccurrence.key)."""
    return occ.recurrence_id or occ.sort_key


def index_rows(occ: Occurrence) -> list[IndexedOccurrence]:
    """The rows of one occurrence: the event's own zone, then -- where a city's times differ
    (same local time in each city, timed) -- one per participating city, as city_times says."""
    sort_start = occ.sort_key
    spans = occurrence_spans(occ)
    touch_lo, touch_hi = min(s for s, _ in spans), max(e for _, e in spans)
    if occ.start is not None:
        over_at = occ.end or occ.start
    else:
        last = occ.end_date or occ.start_date
        assert last is not None
        # recurrence-free "not over" rule of the lists: the last date >= (now - 12 h)'s date.
        over_at = (
            dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
            + dt.timedelta(hours=12)
            - dt.timedelta(microseconds=1)
        )
    common = {
        "event_id": occ.event.pk,
        "key": occurrence_key(occ),
        "recurrence_id": occ.recurrence_id,
        "sort_start": sort_start,
        "touch_lo": touch_lo,
        "touch_hi": touch_hi,
        "long_span": touch_hi - sort_start > LONG_SPAN,
        "over_at": over_at,
        "cancelled": occ.cancelled,
        "moved": occ.moved,
        "has_change": occ.change is not None,
        "location": occ.location[:300],
    }
    rows = [
        IndexedOccurrence(
            city_id=None,
            start=occ.start,
            end=occ.end,
            start_date=occ.start.date() if occ.start is not None else occ.start_date,
            end_date=(occ.end.date() if occ.end is not None else None)
            if occ.start is not None
            else occ.end_date,
            **common,
        )
    ]
    if occ.start is None or occ.event.time_mode != Event.TimeMode.LOCAL:
        # One instant (or the same dates) everywhere: city_times() converts the event's row.
        return rows
    rows.extend(
        IndexedOccurrence(
            city_id=ct.city.pk,
            start=ct.start,
            end=ct.end,
            start_date=ct.start_date,
            end_date=ct.end_date,
            **common,
        )
        for ct in occ.city_times
    )
    return rows


def expand_covering(event: Event, lo: dt.datetime, hi: dt.datetime) -> list[Occurrence]:
    """Every occurrence touching [lo, hi), expanded in steps short enough that the per-call
    instance limit (MAX_OCCURRENCES_PER_EVENT) never truncates a long window."""
    if not event.rrule:
        return expand(event, lo, hi)
    step = dt.timedelta(days=max(1, settings.MAX_OCCURRENCES_PER_EVENT // 2))
    found: dict[dt.datetime, Occurrence] = {}
    cursor = lo
    while cursor < hi:
        for occ in expand(event, cursor, min(cursor + step, hi)):
            found.setdefault(occurrence_key(occ), occ)
        cursor += step
    return sorted(found.values(), key=lambda occ: occ.sort_key)


def _horizon_for_write() -> OccurrenceHorizon | None:
    """The horizon, held FOR SHARE until commit so an extension cannot run meanwhile."""
    if connection.vendor == "postgresql":
        # Django's select_for_update has no shared mode; writers must not block each other.
        found = list(
            OccurrenceHorizon.objects.raw(
                'SELECT * FROM "events_occurrencehorizon" WHERE id = 1 FOR SHARE'
            )
        )
        return found[0] if found else None
    return OccurrenceHorizon.objects.filter(pk=1).first()


class _Writer:
    """Buffers the rows of some events' occurrences and writes them in batches: the
    event-zone and city rows (IndexedOccurrence), then the list rows (ListedOccurrence) of
    each participating city, each partnership whose list holds the event and each country of
    its cities."""

    _FLUSH = 5000

    def __init__(self, events: list[Event]) -> None:
        self._lists = _lists_of(events)
        self._pending: list[tuple[list[IndexedOccurrence], _Lists]] = []
        self._size = 0
        self.written = 0

    def add(self, occ: Occurrence) -> None:
        rows = index_rows(occ)
        self._pending.append((rows, self._lists[occ.event.pk]))
        self._size += len(rows)
        if self._size >= self._FLUSH:
            self.flush()

    def flush(self) -> None:
        rows = [row for group, _ in self._pending for row in group]
        IndexedOccurrence.objects.bulk_create(rows, batch_size=1000)
        listed: list[ListedOccurrence] = []
        for group, (cities, pairs, countries) in self._pending:
            head = group[0]  # the event-zone row, its pk set by bulk_create
            common = {
                "row_id": head.pk,
                "event_id": head.event_id,
                "key": head.key,
                "sort_start": head.sort_start,
                "touch_lo": head.touch_lo,
                "touch_hi": head.touch_hi,
                "long_span": head.long_span,
                "over_at": head.over_at,
            }
            listed.extend(ListedOccurrence(city_id=city, **common) for city in cities)
            listed.extend(ListedOccurrence(partnership_id=pair, **common) for pair in pairs)
            listed.extend(ListedOccurrence(country=code, **common) for code in countries)
        ListedOccurrence.objects.bulk_create(listed, batch_size=1000)
        self.written += len(rows)
        self._pending, self._size = [], 0


# Per event: the lists holding it (city ids, partnership ids, country codes).
_Lists = tuple[list[int], list[int], list[str]]


def _lists_of(events: list[Event]) -> dict[int, _Lists]:
    """Per event: the cities taking part, the partnerships whose list holds it (the one
    linked to it, and every pair both of whose cities take part) and the countries of its
    cities. One query (participations come prefetched with their cities: with_related)."""
    cities = {event.pk: sorted({p.city_id for p in event.participations.all()}) for event in events}
    every = {city for found in cities.values() for city in found}
    pairs = list(
        Partnership.objects.filter(city_a_id__in=every, city_b_id__in=every)
        .order_by()
        .values_list("pk", "city_a_id", "city_b_id")
    )
    result = {}
    for event in events:
        taking_part = set(cities[event.pk])
        listed = {pk for pk, a, b in pairs if a in taking_part and b in taking_part}
        if event.partnership_id:
            listed.add(event.partnership_id)
        countries = sorted({p.city.country for p in event.participations.all()})
        result[event.pk] = (cities[event.pk], sorted(listed), countries)
    return result


def _write_events(events: list[Event], lo: dt.datetime, hi: dt.datetime) -> int:
    writer = _Writer(events)
    for event in events:
        for occ in expand_covering(event, lo, hi):
            writer.add(occ)
    writer.flush()
    return writer.written


def _delete_rows(event_ids: list[int] | None = None) -> None:
    """The events' rows (every row when None), list rows first (they point at the others)."""
    for model in (ListedOccurrence, IndexedOccurrence):
        found = model.objects.all()
        if event_ids is not None:
            found = found.filter(event_id__in=event_ids)
        found.delete()  # one DELETE each: nothing cascades from either


def _batches(ids: list[int]) -> Iterator[list[Event]]:
    for n in range(0, len(ids), _BATCH):
        yield list(with_related(Event.objects.filter(pk__in=ids[n : n + _BATCH]).order_by("pk")))


def refresh_events(*, event_ids: Iterable[int]) -> None:
    """Rewrite the index rows of these events from their current state. Idempotent.

    Call inside the transaction of the write that changed them; a no-op before the first build.
    """
    horizon = _horizon_for_write()
    ids = sorted(set(event_ids))
    if horizon is None or not ids:
        return
    _delete_rows(ids)
    for batch in _batches(ids):
        _write_events(batch, horizon.covered_from, horizon.covered_until)


def refresh_event(*, event_id: int) -> None:
    """refresh_events for one event (create, edit, cancel, occurrence change, participations)."""
    refresh_events(event_ids=[event_id])


def refresh_partnership_events(*, partnerships: Iterable[Partnership]) -> None:
    """Rewrite the rows of every event these pairs' lists hold (a pair was created or its
    cities changed: which lists hold an event changed). Deleted pairs need nothing: their
    list rows go with them."""
    ids: set[int] = set()
    for pair in partnerships:
        ids.update(Event.objects.filter(events_of_partnership_q(pair)).values_list("pk", flat=True))
    refresh_events(event_ids=ids)


def refresh_city_events(*, city_id: int) -> None:
    """Rewrite the rows of every event a city takes part in (its zone or country changed)."""
    refresh_events(
        event_ids=Participation.objects.filter(city_id=city_id).values_list("event_id", flat=True)
    )


@transaction.atomic
def rebuild_index(*, now: dt.datetime | None = None, reset_horizon: bool = False) -> int:
    """Delete and rewrite every row for the current horizon (created from ``now`` when there is
    none, or with ``reset_horizon``). Idempotent: a second run writes the same rows. Returns
    the number of rows written."""
    now = now or timezone.now()
    horizon = OccurrenceHorizon.objects.select_for_update().filter(pk=1).first()
    if horizon is None or reset_horizon:
        horizon = horizon or OccurrenceHorizon(pk=1)
        horizon.covered_from = now - dt.timedelta(days=settings.OCCURRENCE_INDEX_PAST_DAYS)
        horizon.covered_until = now + dt.timedelta(days=settings.OCCURRENCE_INDEX_FUTURE_DAYS)
    horizon.extended_at = now
    horizon.save()
    _delete_rows()
    ids = list(Event.objects.order_by("pk").values_list("pk", flat=True))
    written = sum(
        _write_events(batch, horizon.covered_from, horizon.covered_until) for batch in _batches(ids)
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Rows in time order on disk: written event by event, a month's rows lay on as many
            # heap pages as it has occurrences (the month grid read 1,300 pages for 1,400 rows
            # at 100,000 events). The daily extension appends in time order; an edit moves
            # only its event's rows. Same ids: list rows point at them.
            cursor.execute(
                'CREATE TEMPORARY TABLE "occidx_in_time_order" AS '
                'SELECT * FROM "events_indexedoccurrence" ORDER BY "sort_start", "event_id", "key"'
            )
            cursor.execute('DELETE FROM "events_indexedoccurrence"')
            cursor.execute(
                'INSERT INTO "events_indexedoccurrence" SELECT * FROM "occidx_in_time_order"'
            )
            # Dropped here, not ON COMMIT: a rebuild may run twice in one transaction.
            cursor.execute('DROP TABLE "occidx_in_time_order"')
            # Fresh statistics, or the planner keeps the empty table's plans until autovacuum.
            cursor.execute('ANALYZE "events_indexedoccurrence"')
            cursor.execute('ANALYZE "events_listedoccurrence"')
    return written


@transaction.atomic
def extend_horizon(*, now: dt.datetime | None = None) -> int:
    """Move covered_until to now + OCCURRENCE_INDEX_FUTURE_DAYS, adding the occurrences that
    touch the new stretch (open-ended rules grow this way). Builds the index when it has never
    been built. Idempotent; returns the number of rows written. Holds the horizon FOR UPDATE:
    writes wait for it."""
    now = now or timezone.now()
    horizon = OccurrenceHorizon.objects.select_for_update().filter(pk=1).first()
    if horizon is None:
        return rebuild_index(now=now)
    lo = horizon.covered_until
    hi = now + dt.timedelta(days=settings.OCCURRENCE_INDEX_FUTURE_DAYS)
    if hi <= lo:
        return 0
    # Occurrences straddling the old edge are indexed already.
    known = set(
        IndexedOccurrence.objects.filter(city__isnull=True, touch_hi__gte=lo).values_list(
            "event_id", "key"
        )
    )
    ids = list(
        candidate_events(Event.objects.all(), lo, hi).order_by("pk").values_list("pk", flat=True)
    )
    written = 0
    for batch in _batches(ids):
        writer = _Writer(batch)
        for event in batch:
            for occ in expand_covering(event, lo, hi):
                if (event.pk, occurrence_key(occ)) not in known:
                    writer.add(occ)
        writer.flush()
        written += writer.written
    horizon.covered_until = hi
    horizon.extended_at = now
    horizon.save()
    return written
