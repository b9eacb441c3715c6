"""Recurrence rules and occurrence expansion, in the event's own wall-clock time.

A rule such as ``FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=9`` is expanded on *local* datetimes in the
event's zone, so an annual 10:00 ceremony stays at 10:00 local across DST and rule changes and
never drifts as a UTC rule would. For ``TimeMode.LOCAL`` events each participating city then
repeats that wall-clock time in its own zone.

Rules are validated and built in events/rrules.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings

from common.languages import localized
from events.rrules import build_rule
from events.timezones import get_zone, make_aware_lenient

if TYPE_CHECKING:
    from events.models import City, Event, OccurrenceChange, Participation


@dataclass(frozen=True)
class CityTime:
    """When an occurrence happens for one participating city, in that city's zone."""

    city: City
    role: str
    venue: str
    start: dt.datetime | None
    end: dt.datetime | None
    start_date: dt.date | None
    end_date: dt.date | None
    venue_ru: str = ""

    def venue_in(self, language: str) -> str:
        return localized(self, "venue", language)


@dataclass(frozen=True)
class Occurrence:
    """One instance of an event. Times are aware; ``start``/``end`` are in the event's zone.

    For all-day events ``start_date``/``end_date`` (inclusive) are set and the instants are None.
    ``recurrence_id`` is the instance's original local start (None for a one-off event).
    """

    event: Event
    start: dt.datetime | None
    end: dt.datetime | None
    start_date: dt.date | None
    end_date: dt.date | None
    recurrence_id: dt.datetime | None = None
    cancelled: bool = False
    moved: bool = False
    location: str = ""
    change: OccurrenceChange | None = None
    city_times: list[CityTime] = field(default_factory=list, compare=False)

    def location_in(self, language: str) -> str:
        """The instance's place in ``language``: its change's own place, else the event's
        (``location`` is the English one, as the occurrence index stores it)."""
        change = self.change
        if change is not None and (change.location or change.location_ru):
            return localized(change, "location", language) or self.location
        return localized(self.event, "location", language) or self.location

    @property
    def sort_key(self) -> dt.datetime:
        if self.start is not None:
            return self.start.astimezone(dt.UTC)
        assert self.start_date is not None
        return dt.datetime.combine(self.start_date, dt.time(), tzinfo=dt.UTC)


def _local_naive(value: dt.datetime, zone) -> dt.datetime:
    return value.astimezone(zone).replace(tzinfo=None)


def city_times(
    event: Event,
    start: dt.datetime | None,
    end: dt.datetime | None,
    start_date: dt.date | None,
    end_date: dt.date | None,
    participations: Iterable[Participation] | None = None,
    *,
    wall_start: dt.datetime | None = None,
) -> list[CityTime]:
    """Each participating city's local times for one occurrence (INSTANT: the same moment
    converted; LOCAL: the same wall-clock time in the city's zone). Pass ``participations``
    when they are already loaded to avoid building a QuerySet.

    ``wall_start`` is the occurrence's nominal wall-clock start in the event's zone, before
    any DST-gap shift there (default: ``start``'s wall time in the event's zone). In LOCAL mode
    each city resolves its own gap from it (RFC 5545 3.3.5: forward by the gap) and keeps the
    event's duration in absolute time, so a gap in one city never moves another.
    """
    result = []
    if participations is None:
        participations = event.participations.all()
    for participation in participations:
        city = participation.city
        city_start, city_end = city_span(event, city.timezone, start, end, wall_start=wall_start)
        result.append(
            CityTime(
                city=city,
                role=participation.role,
                venue=participation.venue,
                venue_ru=participation.venue_ru,
                start=city_start,
                end=city_end,
                start_date=city_start.date() if city_start else start_date,
                end_date=city_end.date() if city_end else end_date,
            )
        )
    return result


def city_span(
    event: Event,
    zone_name: str,
    start: dt.datetime | None,
    end: dt.datetime | None,
    *,
    wall_start: dt.datetime | None = None,
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(start, end) of one timed occurrence as seen in ``zone_name``: the one answer to "when
    is this occurrence there". ``start``/``end`` are the occurrence's instants (event zone);
    ``wall_start`` as in :func:`city_times`. All-day occurrences (start None) give (None, None).
    """
    if start is None:
        return None, None
    zone = get_zone(zone_name)
    if event.time_mode == event.TimeMode.LOCAL:
        wall = (
            wall_start if wall_start is not None else _local_naive(start, get_zone(event.timezone))
        )
        city_start = make_aware_lenient(wall, zone)
        city_end = (city_start + (end - start)).astimezone(zone) if end is not None else None
        return city_start, city_end
    return start.astimezone(zone), (end.astimezone(zone) if end is not None else None)


def _make(
    event: Event,
    *,
    start: dt.datetime | None,
    end: dt.datetime | None,
    start_date: dt.date | None,
    end_date: dt.date | None,
    recurrence_id: dt.datetime | None = None,
    change: OccurrenceChange | None = None,
    wall_start: dt.datetime | None = None,
) -> Occurrence:
    cancelled = event.status == event.Status.CANCELLED or bool(change and change.cancelled)
    return Occurrence(
        event=event,
        start=start,
        end=end,
        start_date=start_date,
        end_date=end_date,
        recurrence_id=recurrence_id,
        cancelled=cancelled,
        moved=bool(change and (change.start or change.start_date)),
        location=(change.location if change and change.location else event.location),
        change=change,
        city_times=city_times(event, start, end, start_date, end_date, wall_start=wall_start),
    )


def _overlaps(occ: Occurrence, lo: dt.datetime, hi: dt.datetime) -> bool:
    """Does the occurrence touch [lo, hi) anywhere on Earth (LOCAL mode: in any city)?"""
    return any(s < hi and e >= lo for s, e in occurrence_spans(occ))


def occurrence_spans(occ: Occurrence) -> list[tuple[dt.datetime, dt.datetime]]:
    """The (start, end) instants at which the occurrence is on somewhere: in the event's zone
    and each city (a date is a day somewhere between UTC+14 and UTC-12)."""
    spans: list[tuple[dt.datetime, dt.datetime]] = []
    if occ.start is not None:
        candidates = [(ct.start, ct.end or ct.start) for ct in occ.city_times if ct.start]
        candidates.append((occ.start, occ.end or occ.start))
        spans = [(s, e) for s, e in candidates if s is not None and e is not None]
    else:
        assert occ.start_date is not None
        last = occ.end_date or occ.start_date
        # A date is a day somewhere between UTC+14 and UTC-12.
        spans = [
            (
                dt.datetime.combine(occ.start_date, dt.time(), tzinfo=dt.UTC)
                - dt.timedelta(hours=14),
                dt.datetime.combine(last, dt.time(), tzinfo=dt.UTC) + dt.timedelta(hours=36),
            )
        ]
    return spans


def parse_exdates(values: Iterable[str]) -> set[dt.datetime]:
    """Excluded instances as naive local datetimes (dates become midnight)."""
    result = set()
    for value in values:
        if len(value) == 10:
            result.add(dt.datetime.combine(dt.date.fromisoformat(value), dt.time()))
        else:
            result.add(dt.datetime.fromisoformat(value).replace(tzinfo=None))
    return result


def recurrence_key(event: Event, local_start: dt.datetime) -> dt.datetime:
    """The UTC instant that identifies a generated instance (stored in OccurrenceChange)."""
    return make_aware_lenient(local_start, get_zone(event.timezone)).astimezone(dt.UTC)


def expand(
    event: Event, window_start: dt.datetime, window_end: dt.datetime, *, limit: int | None = None
) -> list[Occurrence]:
    """All occurrences of ``event`` that touch [window_start, window_end), changes applied.

    Needs ``participations__city`` and ``changes`` prefetched to stay query-free. At most
    ``limit`` (default settings.MAX_OCCURRENCES_PER_EVENT) generated instances are considered.
    Cancelled instances are returned with ``cancelled=True`` so callers can show or skip them.
    """
    if not event.is_scheduled:
        return []
    limit = limit or settings.MAX_OCCURRENCES_PER_EVENT
    zone = get_zone(event.timezone)
    all_day = event.is_all_day
    if all_day:
        assert event.start_date is not None
        base_local = dt.datetime.combine(event.start_date, dt.time())
        length = (event.end_date - event.start_date) if event.end_date else dt.timedelta()
    else:
        assert event.start is not None
        base_local = _local_naive(event.start, zone)
        length = (event.end - event.start) if event.end else dt.timedelta()

    def build(local_start: dt.datetime, change: OccurrenceChange | None) -> Occurrence:
        rid = recurrence_key(event, local_start) if event.rrule else None
        if all_day:
            start_date = local_start.date()
            end_date = start_date + length
            if change and change.start_date:
                start_date = change.start_date
                end_date = change.end_date or change.start_date
            return _make(
                event,
                start=None,
                end=None,
                start_date=start_date,
                end_date=end_date,
                recurrence_id=rid,
                change=change,
            )
        # The length is absolute time: an instance in a DST gap keeps its duration.
        wall = local_start
        start = make_aware_lenient(local_start, zone)
        end = (start + length).astimezone(zone) if event.end else None
        if change and change.start:
            start = change.start.astimezone(zone)
            end = change.end.astimezone(zone) if change.end else None
            wall = _local_naive(change.start, zone)
        return _make(
            event,
            start=start,
            end=end,
            start_date=None,
            end_date=None,
            recurrence_id=rid,
            change=change,
            wall_start=wall,
        )

    if not event.rrule:
        occurrence = build(base_local, None)
        return [occurrence] if _overlaps(occurrence, window_start, window_end) else []

    changes = {change.original_start: change for change in event.changes.all()}
    excluded = parse_exdates(event.exdates)
    # Generated local times are compared with a window widened by the largest zone offsets
    # and the event's length, then filtered exactly. An all-day date touches instants up to
    # 36 h after its UTC midnight (see occurrence_spans), plus up to 14 h of zone offset.
    pad = dt.timedelta(hours=50) + length
    lo = _local_naive(window_start, zone) - pad
    hi = _local_naive(window_end, zone) + pad
    rule = build_rule(event.rrule, base_local)
    result: list[Occurrence] = []
    seen_changes: set[dt.datetime] = set()
    for count, local_start in enumerate(rule.xafter(max(lo, base_local), inc=True)):
        if local_start > hi or count >= limit:
            break
        if local_start in excluded:
            continue
        key = recurrence_key(event, local_start)
        change = changes.get(key)
        if change is not None:
            seen_changes.add(key)
        occurrence = build(local_start, change)
        if _overlaps(occurrence, window_start, window_end):
            result.append(occurrence)
    # A moved instance may land in the window although its original date is outside it.
    for key, change in changes.items():
        if key in seen_changes or not (change.start or change.start_date):
            continue
        local_start = _local_naive(key, zone)
        if local_start in excluded:
            continue
        occurrence = build(local_start, change)
        if _overlaps(occurrence, window_start, window_end):
            result.append(occurrence)
    result.sort(key=lambda occ: occ.sort_key)
    return result
