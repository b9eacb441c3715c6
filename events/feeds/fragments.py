"""The fragment store: each event's rendered VEVENTs, kept per view and language, and the
version key a stored fragment must match to be served (see events/feeds/README.md)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Max, Model, OuterRef, QuerySet, Subquery
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime

from events import ical
from events.feeds.fragment_store import FragmentSink
from events.feeds.models import FeedFragment
from events.models import (
    City,
    Event,
    ItineraryLeg,
    OccurrenceChange,
    Participation,
    ProgrammeItem,
)

# How many events are rendered before their bodies are sent, and how many rendered fragments
# are held in memory at once (one upsert of at most this many; more spool to a file on
# PostgreSQL, or are upserted per batch on SQLite: events/feeds/fragment_store.py).
RENDER_BATCH = 2000


@lru_cache(maxsize=1)
def _translations_stamp() -> str:
    """Size and mtime of the compiled catalogues: new translations re-render fragments."""
    parts = []
    for base in settings.LOCALE_PATHS:
        for mo in sorted(Path(base).glob("*/LC_MESSAGES/django.mo")):
            info = mo.stat()
            parts.append(f"{mo.parent.parent.name}:{info.st_size}:{int(info.st_mtime)}")
    return ",".join(parts)


def render_salt() -> str:
    """Part of every fragment's version: renderer version, the settings and catalogues it reads."""
    seed = f"{settings.SITE_URL}|{settings.DEFAULT_FROM_EMAIL}|{_translations_stamp()}"
    return f"{ical.RENDER_VERSION}.{hashlib.sha256(seed.encode()).hexdigest()[:8]}"


def as_datetime(value) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    return value


def stamp(value: dt.datetime | None) -> str:
    """A compact, exact text form of an instant for version keys."""
    if value is None:
        return "-"
    return str(int(value.timestamp() * 1_000_000))


def fragment_version(event: Event, relations: tuple[list, list] | None = None) -> str:
    """The key a stored fragment must match; the feed query computes the same in SQL."""
    if relations is None:
        relations = (ical.related(event, "participations"), ical.related(event, "changes"))
    cities = [p.city.updated_at for p in relations[0]]
    changes = [c.updated_at for c in relations[1]]
    return version_key(
        event.sequence,
        event.updated_at,
        max(cities) if cities else None,
        max(changes) if changes else None,
    )


def version_key(
    sequence: int,
    updated_at: dt.datetime,
    cities_updated_at: dt.datetime | None,
    changes_updated_at: dt.datetime | None,
) -> str:
    return (
        f"{render_salt()}:{sequence}:{stamp(updated_at)}:"
        f"{stamp(cities_updated_at)}:{stamp(changes_updated_at)}"
    )


def fragment_variant(city: City | None) -> str:
    """The fragment-store variant of a view: "" for aggregate feeds, one per city."""
    return f"city:{city.pk}" if city is not None else ""


def _newest_per_event(model: type[Model], field: str) -> QuerySet:
    """A subquery: the newest ``field`` among ``model`` rows of the outer event."""
    return (
        model._default_manager.filter(event=OuterRef("pk"))
        .order_by()
        .values("event")
        .annotate(m=Max(field))
        .values("m")
    )


def fragment_rows(query: QuerySet[Event], *, variant: str, language: str) -> QuerySet:
    """One row per event: what its fragment version must be, and the stored fragment.

    The fragment comes from correlated subqueries (one unique-index probe each per event), not
    a join: PostgreSQL plans a server-side cursor for its first tenth of rows, and with the
    fragment table's statistics stale (just filled by a cold feed, before autovacuum's
    ANALYZE) it joined by a nested loop over every fragment per event — 13 s instead of 0.4 s
    for a warm feed of 10,000 events (bench/bench_load.py found it). Subqueries leave the
    planner no such choice.
    """
    cities = _newest_per_event(Participation, "city__updated_at")
    changes = _newest_per_event(OccurrenceChange, "updated_at")
    stored = FeedFragment.objects.filter(event=OuterRef("pk"), variant=variant, language=language)
    return (
        query.order_by()
        .annotate(
            cities_updated=Subquery(cities),
            changes_updated=Subquery(changes),
            frag_version=Subquery(stored.values("version")[:1]),
            frag_body=Subquery(stored.values("body")[:1]),
        )
        .values_list(
            "pk",
            "sequence",
            "updated_at",
            "cities_updated",
            "changes_updated",
            "frag_version",
            "frag_body",
        )
    )


def stream_fragments(
    query: QuerySet[Event], *, variant: str, language: str, city: City | None
) -> Iterator[bytes]:
    """Yield each event's stored fragment; render and store the missing or stale ones.

    The stored rows stream from one query; misses are rendered after it finishes, from a fixed
    number of queries whatever their number (see render_and_store_fragments).
    """
    missing: list[int] = []
    rows = fragment_rows(query, variant=variant, language=language)
    for pk, sequence, updated, cities, changes, version, body in rows.iterator(chunk_size=2000):
        updated_at = as_datetime(updated)
        assert updated_at is not None  # Event.updated_at is NOT NULL
        wanted = version_key(sequence, updated_at, as_datetime(cities), as_datetime(changes))
        if body is not None and version == wanted:
            yield body.encode()
        else:
            missing.append(pk)
    if not missing:
        return
    # A few misses (an edit, a new event): read just them. Many (a cold feed): read the feed's
    # own events again rather than name tens of thousands of ids in three IN lists (SQLite caps
    # the number of parameters), and skip the ones whose fragment is current.
    few = len(missing) <= RENDER_BATCH
    source = Event.objects.filter(pk__in=missing) if few else query
    yield from render_and_store_fragments(
        source, only=None if few else set(missing), variant=variant, language=language, city=city
    )


Run = tuple[int | None, list[Any]]
_NOTHING: Run = (None, [])


def _by_event(rows: Iterator[Any]) -> Iterator[Run]:
    """Group rows ordered by event_id into (event_id, rows) runs."""
    run: list[Any] = []
    current: int | None = None
    for row in rows:
        if row.event_id != current:
            if run:
                yield current, run
            current, run = row.event_id, []
        run.append(row)
    if run:
        yield current, run


def _walk(
    events: Iterator[Event], parts: Iterator[Run], changes: Iterator[Run], only: set[int] | None
) -> Iterator[tuple[Event, tuple[list, list]]]:
    """Each event with its participations and occurrence changes, from three iterators
    ordered by event id (runs of events with no row are skipped past)."""
    next_parts, next_changes = next(parts, _NOTHING), next(changes, _NOTHING)
    for event in events:
        while next_parts[0] is not None and next_parts[0] < event.pk:
            next_parts = next(parts, _NOTHING)
        while next_changes[0] is not None and next_changes[0] < event.pk:
            next_changes = next(changes, _NOTHING)
        if only is None or event.pk in only:
            yield (
                event,
                (
                    next_parts[1] if next_parts[0] == event.pk else [],
                    next_changes[1] if next_changes[0] == event.pk else [],
                ),
            )


def render_and_store_fragments(
    events_query: QuerySet[Event],
    *,
    only: set[int] | None,
    variant: str,
    language: str,
    city: City | None,
) -> Iterator[bytes]:
    """Render the VEVENTs of the events of ``events_query`` (those in ``only``, if given),
    yield them and store them in the fragment store.

    Six reads whatever the number of events: the cities, the itineraries' legs and items
    (few rows: only delegation visits have them), then the events, their participations and
    their occurrence changes as three cursors ordered by event and walked side by side
    (bounded memory). The bodies are sent a batch at a time as they are rendered and stored
    when the stream ends or the client hangs up (fragment_store.FragmentSink): up to
    RENDER_BATCH of them in one upsert; more in a fixed five statements on PostgreSQL
    (transaction, temporary table, COPY, one INSERT … SELECT), one upsert per batch on SQLite.
    The reads are held cursors on PostgreSQL (materialised by the server when opened), so
    writes between them do not disturb them. Idempotent: a concurrent request storing the
    same version writes the same bytes.
    """
    # Loaded by hand, not with prefetch_related: one City object per city rather than one per
    # participation, and no per-event QuerySet (together a third of a cold feed's time).
    ids = events_query.order_by().values("pk")
    cities = {
        c.pk: c
        for c in City.objects.filter(
            pk__in=Participation.objects.filter(event_id__in=ids).values("city_id")
        )
    }
    walk = _walk(
        events_query.order_by("pk").iterator(chunk_size=RENDER_BATCH),
        _by_event(
            Participation.objects.filter(event_id__in=ids)
            .order_by("event_id", "id")
            .iterator(chunk_size=RENDER_BATCH)
        ),
        _by_event(
            OccurrenceChange.objects.filter(event_id__in=ids)
            .order_by("event_id", "original_start")
            .iterator(chunk_size=RENDER_BATCH)
        ),
        only,
    )
    itineraries = _itineraries(ids)
    sink = FragmentSink(variant=variant, language=language, batch=RENDER_BATCH)
    try:
        while True:
            bodies: list[bytes] = []
            # The language is activated once per batch rather than once per event, and never
            # across a yield (the response is sent while this generator is suspended).
            with translation.override(language):
                for event, loaded in islice(walk, RENDER_BATCH):
                    for part in loaded[0]:
                        part.city = cities[part.city_id]
                    body = ical.render_fragment(
                        event,
                        language=language,
                        city=city,
                        relations=loaded,
                        itinerary=itineraries.get(event.pk, ([], [])),
                    )
                    bodies.append(body)
                    sink.add(event.pk, fragment_version(event, loaded), body)
            if not bodies:
                return
            yield from bodies
    finally:
        # At the end of the feed, or when the client hung up (GeneratorExit): what was
        # rendered is kept. store() logs a failure and never raises.
        sink.store()


def _itineraries(ids: QuerySet) -> dict[int, tuple[list, list]]:
    """Legs (with both cities) and programme items (with their city) of the events ``ids``
    selects: two queries whatever the number of events. Held in memory whole: only
    delegation visits have them, a few rows each."""
    result: dict[int, tuple[list, list]] = {}
    legs = ItineraryLeg.objects.filter(event_id__in=ids).select_related(
        "departure_city", "arrival_city"
    )
    for leg in legs.order_by("departs_at", "id"):
        result.setdefault(leg.event_id, ([], []))[0].append(leg)
    items = ProgrammeItem.objects.filter(event_id__in=ids).select_related("city")
    for item in items.order_by("starts_at", "id"):
        result.setdefault(item.event_id, ([], []))[1].append(item)
    return result
