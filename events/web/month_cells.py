"""The month grid's day cells from the occurrence index: at most CAP entries per day and the
count of the rest, in a fixed number of queries whatever the number of events.

Drawn in the event-zone dates the rows carry (no city filter), the occurrences are ranked per
span of dates (ROW_NUMBER() OVER (PARTITION BY start_date, end_date)) and only the first CAP of
each span are read: every row of a span covers the same days, so a day's first CAP entries are
among them, for one-day and several-day occurrences alike. A COUNT per span gives each day's
"+N more". Rows read and built stay a few per day whatever the number of events (at 100,000
events a month holds hundreds of overnight rows).

Placed in one city's dates (a city filter: the city's date can differ from the event zone's),
one-day occurrences are ranked per event-zone date (CAP + 1 read) and those spanning several
days read whole, up to MULTI_DAY_LIMIT.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import Coalesce, RowNumber

from events.models import Event, IndexedOccurrence
from events.occurrence_index import read as occurrence_index
from events.occurrence_index.build import rows_by_id
from events.recurrence import Occurrence

CAP = 4
MULTI_DAY_LIMIT = 200
# Bounds the event-zone read too: CAP rows per span of dates touching the month (a few dozen
# spans in practice; every start/end pair of a 6-week grid would be ~900). Spans past it are
# neither drawn nor counted.
SPAN_ROWS_LIMIT = 2000
_PAD = dt.timedelta(days=2)
_ORDER = [F("sort_start").asc(), F("event_id").asc(), F("key").asc()]


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
    """Cells of the days ``first``..``last`` (the month; [lo, hi) the instants its dates cover
    in any zone), or None when the index does not cover them (the caller expands).
    ``city_times``: whether the
    occurrences need them (a grid placed in one city's dates does; see build_groups)."""
    horizon = occurrence_index.current_horizon()
    if horizon is None or not (horizon.covered_from <= lo and hi <= horizon.covered_until):
        return None
    base = _base(query)
    one_day = (Q(end_date__isnull=True) | Q(end_date=F("start_date"))) & Q(
        start_date__gte=first,
        start_date__lte=last,
        sort_start__gte=lo - _PAD,
        sort_start__lt=hi + _PAD,
    )
    short, long = occurrence_index.touching(lo, hi)
    # Spanning rows whose event-zone dates meet the month's (a city's dates differ from them
    # by a day at most: the caller places those).
    slack = dt.timedelta(days=1 if city_times else 0)
    multi_q = (short | long) & Q(
        end_date__gt=F("start_date"), start_date__lte=last + slack, end_date__gte=first - slack
    )
    if not city_times:
        return _in_zone_dates(base.filter(one_day | multi_q), grid_days(first, last))
    single = base.filter(one_day)
    ranked = single.annotate(
        rank=Window(RowNumber(), partition_by=[F("start_date")], order_by=_ORDER)
    )
    wanted = list(ranked.filter(rank__lte=CAP + 1).order_by(*_ORDER))
    counts: dict[dt.date, int] = {
        day: n
        for day, n in single.order_by().values_list("start_date").annotate(n=Count("pk"))
        if day is not None
    }
    multi = list(base.filter(multi_q).order_by(*_ORDER)[:MULTI_DAY_LIMIT])
    rows = sorted(wanted + multi, key=lambda r: (r.sort_start, r.event_id, r.key))
    return DayCells(
        occurrences=occurrence_index.build(rows),
        single_counts=counts,
        total=sum(counts.values()) + len(multi),
    )


# A span's head as the ranking reads it: (pk, start_date, end_date, rank, rows in the span);
# an event-zone row always has its local start date.
_Head = tuple[int, dt.date | None, dt.date | None, int, int]


def _in_zone_dates(rows: QuerySet[IndexedOccurrence], shown: tuple[dt.date, dt.date]) -> DayCells:
    """Cells drawn in the event-zone dates of ``rows`` (the month's rows) on the ``shown``
    days (grid_days): the first CAP rows of each span of dates, ranked in SQL, each carrying
    its span's count -- one read of the month's rows (a second query counting them read them
    all again). The heads are read narrow (ids and dates: at 100,000 events a month has
    hundreds), and only the rows drawn are then read whole."""
    span: list[F | Coalesce] = [F("start_date"), Coalesce(F("end_date"), F("start_date"))]
    ranked = rows.annotate(
        rank=Window(RowNumber(), partition_by=span, order_by=_ORDER),
        in_span=Window(Count("pk"), partition_by=span),
    )
    heads: list[_Head] = list(
        ranked.filter(rank__lte=CAP)
        .order_by(*_ORDER)
        .values_list("pk", "start_date", "end_date", "rank", "in_span")[:SPAN_ROWS_LIMIT]
    )
    single: dict[dt.date, int] = {}
    multi: dict[dt.date, int] = {}
    total = 0
    for _pk, start, end, rank, n in heads:
        if rank != 1:
            continue
        assert start is not None
        total += n
        if end is None or end == start:
            single[start] = single.get(start, 0) + n
            continue
        for day in shown_dates(start, end, shown):
            multi[day] = multi.get(day, 0) + n
    return DayCells(
        occurrences=occurrence_index.build(rows_by_id(_drawn(heads, shown)), city_times=False),
        single_counts=single,
        total=total,
        multi_counts=multi,
    )


def grid_days(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day a month's grid shows: whole weeks around first..last."""
    return first - dt.timedelta(days=6), last + dt.timedelta(days=6)


def shown_dates(first: dt.date, last: dt.date, shown: tuple[dt.date, dt.date]) -> list[dt.date]:
    """The dates first..last that the grid shows (``shown``: grid_days)."""
    first, last = max(first, shown[0]), min(last, shown[1])
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def _drawn(heads: list[_Head], shown: tuple[dt.date, dt.date]) -> list[int]:
    """The ids of the sorted heads that are among the first CAP of at least one day they
    cover (in event-zone dates, as the grid draws them)."""
    drawn: dict[dt.date, int] = {}
    kept = []
    for pk, start, end, _rank, _n in heads:
        assert start is not None
        keep = False
        for day in shown_dates(start, end or start, shown):
            drawn[day] = drawn.get(day, 0) + 1
            keep = keep or drawn[day] <= CAP
        if keep:
            kept.append(pk)
    return kept
