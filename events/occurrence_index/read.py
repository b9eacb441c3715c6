"""Reads from the occurrence index: a window of occurrences as a lazy sequence whose slices are
fetched with indexed range queries and built (as ``Occurrence`` objects) only when asked for.

``window`` returns None when the horizon does not cover the window (or the index was never
built): the caller then expands (events.selectors.occurrences_between), bounded as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload

from django.db import connections
from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from events.models import (
    Event,
    IndexedOccurrence,
    ListedOccurrence,
    OccurrenceHorizon,
)
from events.occurrence_index.build import BUILT_FIELDS, build, build_groups, rows_by_id
from events.occurrence_index.maintain import LONG_SPAN
from events.recurrence import Occurrence
from events.selectors import occurrences_between

# Non-long rows start at most this long before their touch_lo and LONG_SPAN before touch_hi
# (city wall times differ by at most 26 h; a date is a day between UTC+14 and UTC-12).
_START_PAD = dt.timedelta(days=2)


class _Unset:
    pass


_FETCH = _Unset()


def current_horizon() -> OccurrenceHorizon | None:
    """The covered window (one query); pass it to several ``window`` calls of one page."""
    return OccurrenceHorizon.objects.filter(pk=1).first()


def touching(lo: dt.datetime, hi: dt.datetime, *, listed: bool = False) -> tuple[Q, Q]:
    """Event-zone rows (``listed``: list rows) of occurrences touching [lo, hi), as two
    disjoint conditions an index can serve: short rows by a bounded range of sort_start, long
    rows by touch_hi."""
    touches = Q(touch_lo__lt=hi, touch_hi__gte=lo)
    if not listed:
        touches &= Q(city__isnull=True)
    short = touches & Q(
        long_span=False,
        sort_start__gte=lo - LONG_SPAN - dt.timedelta(days=1),
        sort_start__lt=hi + _START_PAD,
    )
    return short, touches & Q(long_span=True)


def not_over(now: dt.datetime) -> Q:
    """Upcoming lists: still going on or ahead (all-day: the last date is not behind)."""
    return Q(over_at__gte=now)


def started_before(now: dt.datetime) -> Q:
    return Q(sort_start__lt=now)


class OccurrenceWindow(Sequence[Occurrence]):
    """The occurrences of some events in a window, sorted; len() and slices cost one query.

    The rows come as two disjoint querysets (short and long rows, see ``touching``) read as
    one UNION ALL, so that each half is an index range scan whatever the table's history.
    They are event-zone rows, or -- for one city's, partnership's or country's lists -- that
    list's ListedOccurrence rows, each naming its event-zone row (``row_id``), which are then
    read.
    """

    _order = ("sort_start", "event_id", "key")

    def __init__(
        self,
        parts: tuple[QuerySet, QuerySet],
        *,
        descending: bool = False,
        events: dict[int, Event] | None = None,
    ) -> None:
        self._parts = parts
        self._descending = descending
        self._events = events
        self._count: int | None = None
        self._listed = parts[0].model is ListedOccurrence
        self._row_id = "row_id" if self._listed else "pk"

    def _ordering(self) -> list[str]:
        return [f"-{f}" if self._descending else f for f in self._order]

    def _rows(self) -> QuerySet:
        short, long = self._parts
        return short.union(long, all=True).order_by(*self._ordering())

    def total(self) -> int:
        if self._count is None:
            self._count = self._rows().count()
        return self._count

    def __len__(self) -> int:
        return self.total()

    @overload
    def __getitem__(self, index: int) -> Occurrence: ...
    @overload
    def __getitem__(self, index: slice) -> list[Occurrence]: ...
    def __getitem__(self, index: int | slice) -> Occurrence | list[Occurrence]:
        if isinstance(index, slice):
            return build(self.rows(index), self._events)
        found = build(self.rows(slice(index, index + 1)), self._events)
        if not found:
            raise IndexError(index)
        return found[0]

    def __iter__(self) -> Iterator[Occurrence]:
        return iter(build(self.rows(slice(None)), self._events))

    def rows(self, index: slice) -> list[IndexedOccurrence]:
        """The event-zone rows of a slice, unbuilt (see build_groups)."""
        if not self._listed:
            return list(self._sliced(self._parts, index))
        short, long = (part.values_list("row_id", *self._order) for part in self._parts)
        return rows_by_id([row_id for row_id, *_ in self._sliced((short, long), index)])

    def _sliced(self, parts: tuple[QuerySet, QuerySet], index: slice) -> QuerySet | list:
        """``parts`` as one ordered union, sliced. Where the database allows it (PostgreSQL),
        each half is limited to the slice's end before the union: an ordered index scan that
        stops there, instead of both halves read whole and sorted (that grew with the number
        of events in the window)."""
        short, long = parts
        if (
            index.stop is None
            or not connections[short.db].features.supports_slicing_ordering_in_compound
        ):
            return short.union(long, all=True).order_by(*self._ordering())[index]
        if index.stop <= (index.start or 0):
            return []  # Django turns a [:0] slice into an empty queryset, which union drops
        short, long = (part.order_by(*self._ordering())[: index.stop] for part in parts)
        return short.union(long, all=True).order_by(*self._ordering())[index]

    def count_at_least(self, wanted: int) -> tuple[int, bool]:
        """(``wanted``, True) when the window holds more than ``wanted`` occurrences (counted
        no further: an ordered index scan that stops there), else (the exact number, False).
        A whole COUNT reads every row of the window (a year at 100,000 events: 14,000 rows,
        each checked against a country filter's semi-join)."""
        if self._count is not None:
            return (wanted, True) if self._count > wanted else (self._count, False)
        short, long = (part.values_list(*self._order) for part in self._parts)
        head = self._sliced((short, long), slice(0, wanted + 1))
        found = 0 if isinstance(head, list) else head.count()
        if found > wanted:
            return wanted, True
        self._count = found
        return found, False

    def first_rows_per_event(self, count: int, scan: int = 4) -> list[IndexedOccurrence]:
        """The rows of the first (descending: last) occurrence of each of the first ``count``
        events, in two queries whatever the data: the first ``count * scan`` rows in order as
        bare ids (an ordered index scan that stops there), then the chosen rows whole -- or,
        when a few events fill that head (daily rules), a ranking query over both halves.

        A short head keeps the scan ordered: asked for 750 rows, PostgreSQL joined every
        event of a city first, which grew with the number of events."""
        limit = count * scan
        short, long = (part.values_list(self._row_id, *self._order) for part in self._parts)
        head = list(self._sliced((short, long), slice(0, limit)))
        first: dict[int, int] = {}
        for pk, _start, event_id, _key in head:
            first.setdefault(event_id, pk)
        if len(first) < count and len(head) == limit:
            return self._ranked_first_rows(count)
        return rows_by_id(list(first.values())[:count])

    def _ranked_first_rows(self, count: int) -> list[IndexedOccurrence]:
        """Each event's first row in each half, both halves in one union: an event's first row
        overall is the earlier of its two, so the first ``count`` events of the union, each
        at its earliest row, are the answer."""
        order = [F(f).desc() if self._descending else F(f).asc() for f in self._order]
        # An event has at most one row in each half: the first 2 * count of each half hold
        # the first count events. They are read whole in one query (the ranked ids of both
        # halves as subqueries), then put in order here.
        short, long = (
            part.annotate(rank=Window(RowNumber(), partition_by=[F("event_id")], order_by=order))
            .filter(rank=1)
            .order_by(*self._ordering())
            .values(self._row_id)[: 2 * count]
            for part in self._parts
        )
        rows = IndexedOccurrence.objects.only(*BUILT_FIELDS).filter(
            Q(pk__in=short) | Q(pk__in=long)
        )
        best: dict[int, IndexedOccurrence] = {}
        for row in sorted(
            rows,
            key=lambda row: (row.sort_start, row.event_id, row.key),
            reverse=self._descending,
        ):
            best.setdefault(row.event_id, row)
        return list(best.values())[:count]

    def distinct_events_at_least(self, wanted: int, scan: int = 4) -> tuple[int, bool]:
        """How many distinct events the window has, reading no further than needed to know
        there are ``wanted``: (n, True) when the first ``wanted * scan`` rows in order (an
        index scan that stops there) already name n >= ``wanted`` events, else the exact
        count and False. A whole COUNT reads every row of the window: it grew with N."""
        limit = wanted * scan
        short, long = (part.values_list(*self._order) for part in self._parts)
        head = self._sliced((short, long), slice(0, limit))
        if isinstance(head, list):
            return 0, False
        sql, params = head.query.sql_with_params()
        with connections[head.db].cursor() as cursor:
            # Counted in the database: the head's rows need not travel.
            cursor.execute(
                f"SELECT COUNT(*), COUNT(DISTINCT event_id) FROM ({sql}) AS head",  # noqa: S608
                params,
            )
            rows, events = cursor.fetchone()
        if rows < limit:
            return events, False  # the whole window was read
        if events >= wanted:
            return events, True
        return self.distinct_events().count(), False  # a few events fill the head

    def distinct_events(self) -> QuerySet:
        """The ids of the window's events, each once (UNION of both halves: each an index
        range scan, as the rows are read); its count() is the number of events."""
        short, long = (part.order_by().values("event_id") for part in self._parts)
        return short.union(long)

    def first_per_event(self, count: int) -> list[Occurrence]:
        return build(self.first_rows_per_event(count), self._events)


@dataclass(frozen=True)
class ListScope:
    """The lists of one city (its events), of one partnership (events_of_partnership_q) or of
    one country (events a city of it takes part in): ``query`` must not hold events outside
    it; the window then reads that list's rows.

    ``within``: the same events as ``query`` without the scope's own filter (the list rows
    are exactly the scope's events, so that filter is already applied): the rows are then
    narrowed by ``within`` alone -- for a programme administrator with no other filter, not
    at all. A partnership's filter (linked, or both cities take part) made PostgreSQL build
    the whole set of the pair's events before the first row, in every list query."""

    city_id: int | None = None
    partnership_id: int | None = None
    country: str | None = None
    within: QuerySet[Event] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        named = (self.city_id, self.partnership_id, self.country)
        if sum(part is not None for part in named) != 1:
            raise ValueError("a list scope is one city, one partnership or one country")


def window(
    query: QuerySet[Event],
    lo: dt.datetime,
    hi: dt.datetime,
    *,
    where: Q | None = None,
    descending: bool = False,
    events: dict[int, Event] | None = None,
    horizon: OccurrenceHorizon | _Unset | None = _FETCH,
    scope: ListScope | None = None,
) -> OccurrenceWindow | None:
    """Occurrences of ``query``'s events touching [lo, hi) (and ``where``), or None when the
    index does not cover the window. Pass ``events`` (prefetched with with_related) to reuse
    them instead of loading the slice's events, ``horizon`` (current_horizon) to save its
    query when a page reads several windows, ``scope`` when every event of ``query`` is on one
    city's, partnership's or country's list (``where`` may then name sort_start and over_at, and the
    event-zone row's fields through ``row__``)."""
    if isinstance(horizon, _Unset):
        horizon = current_horizon()
    if horizon is None or not (horizon.covered_from <= lo and hi <= horizon.covered_until):
        return None
    base: QuerySet
    if scope is None:
        base = IndexedOccurrence.objects.only(*BUILT_FIELDS)
    elif scope.city_id is not None:
        base = ListedOccurrence.objects.filter(city_id=scope.city_id)
    elif scope.partnership_id is not None:
        base = ListedOccurrence.objects.filter(partnership=scope.partnership_id)
    else:
        base = ListedOccurrence.objects.filter(country=scope.country)
    narrowing = query if scope is None or scope.within is None else scope.within
    if narrowing.query.where or narrowing.query.is_sliced:
        # Every event (a coordinator's view) needs no semi-join with the events table.
        base = base.filter(event__in=narrowing.order_by().values("pk"))
    if where is not None:
        base = base.filter(where)
    short, long = touching(lo, hi, listed=scope is not None)
    return OccurrenceWindow(
        (base.filter(short), base.filter(long)), descending=descending, events=events
    )


def occurrences_in(
    query: QuerySet[Event],
    lo: dt.datetime,
    hi: dt.datetime,
    *,
    max_total: int | None = None,
    scope: ListScope | None = None,
) -> Sequence[Occurrence]:
    """Occurrences touching [lo, hi), sorted: from the index when it covers the window, else
    expanded (occurrences_between), where more than ``max_total`` are refused. From the index
    only the slices asked for are read and built, whatever the window holds: no refusal, and
    no count of the whole window (it grew with the number of events)."""
    found = window(query, lo, hi, scope=scope)
    if found is None:
        return occurrences_between(query, lo, hi, max_total=max_total)
    return found


__all__ = [
    "ListScope",
    "OccurrenceWindow",
    "build",
    "build_groups",
    "current_horizon",
    "not_over",
    "occurrences_in",
    "started_before",
    "touching",
    "window",
]
