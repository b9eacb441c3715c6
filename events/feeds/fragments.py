"""The fragment store: each event's rendered VEVENTs, kept per view and language, and the
version key a stored fragment must match to be served (see events/feeds/README.md)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db.models import FilteredRelation, Max, Model, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from events import ical
from events.feeds.models import FeedFragment
from events.models import (
    City,
    Event,
    ItineraryLeg,
    OccurrenceChange,
    Participation,
    ProgrammeItem,
)

# How many missing fragments are rendered per batch (a few queries per batch).
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
    """One row per event: what its fragment version must be, and the stored fragment."""
    cities = _newest_per_event(Participation, "city__updated_at")
    changes = _newest_per_event(OccurrenceChange, "updated_at")
    return (
        query.order_by()
        .annotate(
            frag=FilteredRelation(
                "feed_fragments",
                condition=Q(feed_fragments__variant=variant, feed_fragments__language=language),
            ),
            cities_updated=Subquery(cities),
            changes_updated=Subquery(changes),
        )
        .values_list(
            "pk",
            "sequence",
            "updated_at",
            "cities_updated",
            "changes_updated",
            "frag__version",
            "frag__body",
        )
    )


def stream_fragments(
    query: QuerySet[Event], *, variant: str, language: str, city: City | None
) -> Iterator[bytes]:
    """Yield each event's stored fragment; render and store the missing or stale ones.

    The stored rows stream from one query; misses are rendered after it finishes (so nothing
    writes while the cursor is open), in batches of RENDER_BATCH.
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
    for start in range(0, len(missing), RENDER_BATCH):
        batch = missing[start : start + RENDER_BATCH]
        yield from render_and_store_fragments(batch, variant=variant, language=language, city=city)


def render_and_store_fragments(
    event_ids: list[int], *, variant: str, language: str, city: City | None
) -> list[bytes]:
    """Render the VEVENTs of these events and upsert them in the fragment store.

    Idempotent: a concurrent request storing the same version writes the same bytes.
    """
    # Loaded by hand, not with prefetch_related: one City object per city rather than one per
    # participation, and no per-event QuerySet (together a third of a cold feed's time).
    events = list(Event.objects.filter(pk__in=event_ids).order_by())
    parts = list(Participation.objects.filter(event_id__in=event_ids).order_by("id"))
    cities = {c.pk: c for c in City.objects.filter(pk__in={p.city_id for p in parts})}
    changes = OccurrenceChange.objects.filter(event_id__in=event_ids).order_by("original_start")
    relations: dict[int, tuple[list, list]] = {e.pk: ([], []) for e in events}
    for part in parts:
        part.city = cities[part.city_id]
        relations[part.event_id][0].append(part)
    for change in changes:
        relations[change.event_id][1].append(change)
    itineraries = _itineraries(event_ids)
    rows = []
    bodies = []
    for event in events:
        loaded = relations[event.pk]
        body = ical.render_fragment(
            event,
            language=language,
            city=city,
            relations=loaded,
            itinerary=itineraries.get(event.pk, ([], [])),
        )
        bodies.append(body)
        rows.append(
            FeedFragment(
                event_id=event.pk,
                variant=variant,
                language=language,
                version=fragment_version(event, loaded),
                body=body.decode(),
            )
        )
    FeedFragment.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["event", "variant", "language"],
        update_fields=["version", "body", "rendered_at"],
    )
    return bodies


def _itineraries(event_ids: list[int]) -> dict[int, tuple[list, list]]:
    """Legs (with both cities) and programme items (with their city) of these events: two
    queries per batch, whatever the number of events or legs."""
    result: dict[int, tuple[list, list]] = {}
    legs = ItineraryLeg.objects.filter(event_id__in=event_ids).select_related(
        "departure_city", "arrival_city"
    )
    for leg in legs.order_by("departs_at", "id"):
        result.setdefault(leg.event_id, ([], []))[0].append(leg)
    items = ProgrammeItem.objects.filter(event_id__in=event_ids).select_related("city")
    for item in items.order_by("starts_at", "id"):
        result.setdefault(item.event_id, ([], []))[1].append(item)
    return result
