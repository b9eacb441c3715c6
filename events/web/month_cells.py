"""The month grid's day cells from the occurrence index: at most CAP entries per day and the
count of the rest, in a fixed number of queries whatever the number of events.

One-day occurrences are ranked per local date of the event's zone (ROW_NUMBER() OVER
(PARTITION BY start_date)) and only the first CAP + 1 of each day are read; a per-day COUNT
gives the "+N more". Occurrences spanning several days are few (festivals, visits) and read
whole, up to MULTI_DAY_LIMIT, as they are drawn on each day they cover.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from events.models import Event, IndexedOccurrence
from events.occurrence_index import read as occurrence_index
from events.recurrence import Occurrence

CAP = 4
MULTI_DAY_LIMIT = 200
_PAD = dt.timedelta(days=2)


@dataclass(frozen=True)
class DayCells:
    occurrences: list[Occurrence]  # the entries to draw, sorted
    single_counts: dict[dt.date, int]  # one-day occurrences per event-zone date
    total: int  # occurrences touching the month
    # Occurrences spanning several days, per day they cover (event-zone dates); None when the
    # grid is placed in a city's dates (the caller counts them from the occurrences).
    multi_counts: dict[dt.date, int] | None = None


def _base(query: QuerySet[Event]) -> QuerySet[IndexedOccurrence]:
    base = IndexedOccurrence.objects.filter(city__isnull=True)
    if query.query.where or query.query.is_sliced:
        base = base.filter(event__in=query.order_by().values("pk"))
    return base


def day_cells(
    query: QuerySet[Event],
    first: dt.date,
    last: dt.date,
    lo: dt.datetime,
    hi: dt.datetime,
    *,
    city_times: bool = True,
) -> DayCells | None:
    """Cells of the days ``first``..``last`` (the month; [lo, hi) its instants), or None when
    the index does not cover the month (the caller expands). ``city_times``: whether the
    occurrences need them (a grid placed in one city's dates does; see build_groups)."""
    horizon = occurrence_index.current_horizon()
    if horizon is None or not (horizon.covered_from <= lo and hi <= horizon.covered_until):
        return None
    base = _base(query)
    single = base.filter(
        Q(end_date__isnull=True) | Q(end_date=F("start_date")),
        start_date__gte=first,
        start_date__lte=last,
        sort_start__gte=lo - _PAD,
        sort_start__lt=hi + _PAD,
    )
    order = [F("sort_start").asc(), F("event_id").asc(), F("key").asc()]
    ranked = single.annotate(
        rank=Window(RowNumber(), partition_by=[F("start_date")], order_by=order)
    )
    wanted = list(ranked.filter(rank__lte=CAP + 1).order_by(*order))
    counts: dict[dt.date, int] = {
        day: n
        for day, n in single.order_by().values_list("start_date").annotate(n=Count("pk"))
        if day is not None
    }
    short, long = occurrence_index.touching(lo, hi)
    multi_q = (short | long) & Q(end_date__gt=F("start_date"))
    multi = list(base.filter(multi_q).order_by(*order)[:MULTI_DAY_LIMIT])
    rows = sorted(wanted + multi, key=lambda r: (r.sort_start, r.event_id, r.key))
    multi_counts = None
    if not city_times:
        # Drawn in the event-zone dates the rows carry: only the rows among the first CAP of
        # some day are built (at 100,000 events the 200 spanning ones were most of the work).
        rows, multi_counts = _drawn(rows)
    return DayCells(
        occurrences=occurrence_index.build(rows, city_times=city_times),
        single_counts=counts,
        total=sum(counts.values()) + len(multi),
        multi_counts=multi_counts,
    )


def row_days(row: IndexedOccurrence) -> list[dt.date]:
    """The event-zone dates an occurrence covers (at most 41), as the grid draws it."""
    first = row.start_date
    assert first is not None  # an event-zone row always has its local start date
    last = row.end_date or first
    return [first + dt.timedelta(days=n) for n in range(min((last - first).days, 40) + 1)]


def _drawn(rows: list[IndexedOccurrence]) -> tuple[list[IndexedOccurrence], dict[dt.date, int]]:
    """The sorted rows that are among the first CAP of at least one day they cover, and the
    number of several-day rows per day."""
    shown: dict[dt.date, int] = {}
    multi: dict[dt.date, int] = {}
    kept = []
    for row in rows:
        days = row_days(row)
        keep = False
        for day in days:
            shown[day] = shown.get(day, 0) + 1
            keep = keep or shown[day] <= CAP
            if len(days) > 1:
                multi[day] = multi.get(day, 0) + 1
        if keep:
            kept.append(row)
    return kept, multi
