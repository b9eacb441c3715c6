"""Reads the public pages need on top of events.selectors. Query counts do not grow with data."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from events.models import (
    City,
    Event,
    OccurrenceHorizon,
    Participation,
    Partnership,
)
from events.occurrence_index import read as occurrence_index
from events.recurrence import Occurrence
from events.selectors import (
    Anniversary,
    commemoration_slug,
    events_of_partnership_q,
    events_visible_to,
    occurrences_between,
    upcoming_anniversaries,
)
from events.selectors import (
    next_anniversary as anniversary_on_or_after,
)

UPCOMING_DAYS = 730
PAST_DAYS = 3660


def _takes_part(**city_filter: Any) -> Exists:
    return Exists(Participation.objects.filter(event=OuterRef("pk"), **city_filter))


def filtered_events(user: Any, filters: dict[str, Any]) -> QuerySet[Event]:
    """Events the user may see, narrowed by the list filters (already validated)."""
    query = events_visible_to(user)
    if city := filters.get("city"):
        query = query.filter(_takes_part(city=city))
    if country := filters.get("country"):
        query = query.filter(_takes_part(city__country=country))
    if kind := filters.get("kind"):
        query = query.filter(kind=kind)
    if pair := filters.get("partnership"):
        query = query.filter(events_of_partnership_q(pair))
    if text := filters.get("q"):
        query = query.filter(
            Q(title_en__icontains=text) | Q(title_ru__icontains=text) | Q(location__icontains=text)
        )
    return query


def list_scope(user: Any, filters: dict[str, Any]) -> occurrence_index.ListScope | None:
    """The one partnership's, city's or country's list that filtered_events' result lies
    within, whose own index rows a page can read (the first of them given: filtered_events
    keeps only the events of it the others allow), with the user's events by the other
    filters (``within``)."""
    for name in ("partnership", "city", "country"):
        if found := filters.get(name):
            rest = {key: value for key, value in filters.items() if key != name}
            within = filtered_events(user, rest)
            if name == "partnership":
                return occurrence_index.ListScope(partnership_id=found.pk, within=within)
            if name == "city":
                return occurrence_index.ListScope(city_id=found.pk, within=within)
            return occurrence_index.ListScope(country=found, within=within)
    return None


def month_window(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    last = calendar.monthrange(year, month)[1]
    start = dt.datetime(year, month, 1, tzinfo=dt.UTC)
    return start, dt.datetime.combine(
        dt.date(year, month, last) + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC
    )


# Local dates run from UTC+14 (Kiribati) to UTC-12.
_EARLIEST_OFFSET = dt.timedelta(hours=14)
_LATEST_OFFSET = dt.timedelta(hours=12)


def month_dates(year: int, month: int) -> tuple[dt.date, dt.date, dt.datetime, dt.datetime]:
    """The month's first and last dates, and the instants those dates cover in any zone: from
    its first midnight at UTC+14 to its last at UTC-12. An evening in Anchorage on the 31st
    is the next day in UTC, a morning in Anadyr on the 1st still the previous month."""
    lo, hi = month_window(year, month)
    return lo.date(), hi.date() - dt.timedelta(days=1), lo - _EARLIEST_OFFSET, hi + _LATEST_OFFSET


def local_dates(occ: Occurrence) -> tuple[dt.date, dt.date]:
    """The first and last dates of an occurrence in its event's zone."""
    if occ.start is not None:
        return occ.start.date(), (occ.end or occ.start).date()
    assert occ.start_date is not None
    return occ.start_date, occ.end_date or occ.start_date


def _dates_meet(first: dt.date, last: dt.date, *, listed: bool) -> Q:
    """Index rows (``listed``: list rows, through their event-zone row) whose event-zone
    dates meet first..last."""
    row = "row__" if listed else ""
    return Q(**{f"{row}start_date__lte": last}) & (
        Q(**{f"{row}end_date__gte": first})
        | Q(**{f"{row}end_date__isnull": True, f"{row}start_date__gte": first})
    )


def _indexed(
    query: QuerySet[Event],
    period: str,
    now: dt.datetime,
    horizon: OccurrenceHorizon | None,
    scope: occurrence_index.ListScope | None = None,
) -> occurrence_index.OccurrenceWindow | None:
    if period == "past":
        return occurrence_index.window(
            query,
            now - dt.timedelta(days=PAST_DAYS),
            now,
            where=occurrence_index.started_before(now),
            descending=True,
            horizon=horizon,
            scope=scope,
        )
    return occurrence_index.window(
        query,
        now,
        now + dt.timedelta(days=UPCOMING_DAYS),
        where=occurrence_index.not_over(now),
        horizon=horizon,
        scope=scope,
    )


def occurrences_for(
    query: QuerySet[Event],
    *,
    period: str = "upcoming",
    month: tuple[int, int] | None = None,
    scope: occurrence_index.ListScope | None = None,
) -> Sequence[Occurrence]:
    """Occurrences in a month, or upcoming (soonest first) or past (latest first); ``scope``
    (list_scope) when ``query`` lies within one city's or partnership's list.

    Inside the occurrence index's horizon the result is lazy: len() is one COUNT and a slice
    builds only its own occurrences; outside it the recurrences are expanded.
    """
    now = timezone.now()
    if month is not None:
        # In the events' own dates, as the month grid and the day lists are.
        first, last, lo, hi = month_dates(*month)
        where = _dates_meet(first, last, listed=scope is not None)
        found = occurrence_index.window(query, lo, hi, where=where, scope=scope)
        if found is not None:
            return found
        placed = ((occ, local_dates(occ)) for occ in occurrences_between(query, lo, hi))
        return [occ for occ, (start, end) in placed if start <= last and end >= first]
    indexed = _indexed(query, period, now, occurrence_index.current_horizon(), scope)
    if indexed is not None:
        return indexed
    if period == "past":
        past = occurrences_between(query, now - dt.timedelta(days=PAST_DAYS), now)
        return [occ for occ in reversed(past) if occ.sort_key < now]
    upcoming = occurrences_between(query, now, now + dt.timedelta(days=UPCOMING_DAYS))
    return [occ for occ in upcoming if _not_over(occ, now)]


class SeriesWindow(Sequence[Occurrence]):
    """One entry per event of an index window: a recurring series is one card with its next
    (past: its latest) date. len() is one COUNT of distinct events; a slice reads the first
    rows per event (occurrence_index first_rows_per_event, two queries) and builds them."""

    def __init__(self, window: occurrence_index.OccurrenceWindow, events_q: QuerySet) -> None:
        self._window = window
        self._events_q = events_q
        self._count: int | None = None

    def __len__(self) -> int:
        if self._count is None:
            self._count = self._events_q.count()
        return self._count

    def count_at_least(self, wanted: int) -> tuple[int, bool]:
        """(n, True): there are at least n >= ``wanted`` entries (counted no further); else
        (the exact number, False). See OccurrenceWindow.distinct_events_at_least."""
        if self._count is not None:
            return self._count, False
        count, more = self._window.distinct_events_at_least(wanted)
        if not more:
            self._count = count
        return count, more

    @overload
    def __getitem__(self, index: int) -> Occurrence: ...
    @overload
    def __getitem__(self, index: slice) -> list[Occurrence]: ...
    def __getitem__(self, index: int | slice) -> Occurrence | list[Occurrence]:
        if isinstance(index, int):
            found = self[index : index + 1]
            if not found:
                raise IndexError(index)
            return found[0]
        start, stop = index.start or 0, index.stop
        if stop is None:
            stop = len(self)
        if stop <= start:
            return []
        rows = self._window.first_rows_per_event(stop)[start:stop]
        return occurrence_index.build_groups([rows])[0]

    def __iter__(self) -> Iterator[Occurrence]:
        return iter(self[0 : len(self)])


def series_for(
    query: QuerySet[Event],
    *,
    period: str = "upcoming",
    scope: occurrence_index.ListScope | None = None,
) -> Sequence[Occurrence]:
    """Upcoming (or past) events, one entry per event: each series at its next (past: latest)
    occurrence, in the order of those dates. From the index inside its horizon, else
    expanded."""
    now = timezone.now()
    horizon = occurrence_index.current_horizon()
    found = _indexed(query, period, now, horizon, scope)
    if found is not None:
        return SeriesWindow(found, found.distinct_events())
    every = occurrences_for(query, period=period, scope=scope)
    return _one_per_event(every, len(every))


def upcoming_and_past(
    query: QuerySet[Event],
    count: int,
    *,
    one_per_event: bool = False,
    scope: occurrence_index.ListScope | None = None,
) -> tuple[list[Occurrence], list[Occurrence]]:
    """The first ``count`` upcoming and past occurrences (with ``one_per_event``: of distinct
    events, so a yearly ceremony does not fill the home page), of one city's or
    partnership's list with ``scope``. From the index: one query for the horizon, two per
    list and four to build both, whatever the number of events."""
    now = timezone.now()
    horizon = occurrence_index.current_horizon()
    upcoming = _indexed(query, "upcoming", now, horizon, scope)
    past = _indexed(query, "past", now, horizon, scope)
    if upcoming is not None and past is not None:
        if one_per_event:
            groups = [upcoming.first_rows_per_event(count), past.first_rows_per_event(count)]
        else:
            groups = [upcoming.rows(slice(0, count)), past.rows(slice(0, count))]
        first, second = occurrence_index.build_groups(groups)
        return first, second
    lists = (
        occurrences_for(query, period="upcoming", scope=scope),
        occurrences_for(query, period="past", scope=scope),
    )
    if one_per_event:
        return _one_per_event(lists[0], count), _one_per_event(lists[1], count)
    return list(lists[0][:count]), list(lists[1][:count])


def _one_per_event(occurrences: Sequence[Occurrence], count: int) -> list[Occurrence]:
    seen: set[int] = set()
    result = []
    for occ in occurrences:
        if occ.event.pk in seen:
            continue
        seen.add(occ.event.pk)
        result.append(occ)
        if len(result) == count:
            break
    return result


def event_upcoming(
    event: Event, now: dt.datetime, count: int
) -> tuple[list[Occurrence], Occurrence | None] | None:
    """A recurring event's next ``count`` occurrences (all-day ones in the window count as
    upcoming) and, when there are none, its latest past one, from the index; None when the
    index does not cover the windows (the caller expands). ``event`` comes with with_related."""
    one = Event.objects.filter(pk=event.pk)
    known = {event.pk: event}
    horizon = occurrence_index.current_horizon()
    upcoming = occurrence_index.window(
        one,
        now,
        now + dt.timedelta(days=UPCOMING_DAYS),
        where=Q(start__isnull=True) | occurrence_index.not_over(now),
        events=known,
        horizon=horizon,
    )
    past = occurrence_index.window(
        one,
        now - dt.timedelta(days=PAST_DAYS),
        now,
        descending=True,
        events=known,
        horizon=horizon,
    )
    if upcoming is None or past is None:
        return None
    found = upcoming[:count]
    if found:
        return found, None
    latest = past[:1]
    return [], (latest[0] if latest else None)


def _not_over(occ: Occurrence, now: dt.datetime) -> bool:
    if occ.start is not None:
        return (occ.end or occ.start) >= now
    last = occ.end_date or occ.start_date
    assert last is not None
    return last >= (now - dt.timedelta(hours=12)).date()


def _approximate_past_q(today: dt.date) -> Q:
    """Known only by a month or a year that is over."""
    return Q(precision=Event.Precision.YEAR, approx_year__lt=today.year) | Q(
        Q(approx_year__lt=today.year) | Q(approx_year=today.year, approx_month__lt=today.month),
        precision=Event.Precision.MONTH,
    )


def unscheduled_events(
    query: QuerySet[Event], *, month: tuple[int, int] | None = None, limit: int = 50
) -> list[Event]:
    """Events not dated yet ("date to be announced") or known only by a month or year still
    to come; those of a month or year that is over are past (``approximate_past_events``).
    With ``month``, only those known by that month or its year."""
    query = query.filter(
        precision__in=[Event.Precision.MONTH, Event.Precision.YEAR, Event.Precision.UNKNOWN]
    )
    if month is not None:
        query = query.filter(_approximate_in_month_q(*month))
    query = query.exclude(_approximate_past_q(timezone.localdate()))
    return list(query.order_by("approx_year", "approx_month", "pk")[:limit])


def _approximate_in_month_q(year: int, month: int) -> Q:
    return Q(precision=Event.Precision.MONTH, approx_year=year, approx_month=month) | Q(
        precision=Event.Precision.YEAR, approx_year=year
    )


def approximate_past_events(
    query: QuerySet[Event], *, month: tuple[int, int] | None = None, limit: int = 50
) -> list[Event]:
    """Past events known only by their month or year (with ``month``: by that month or its
    year), newest first."""
    past = query.filter(_approximate_past_q(timezone.localdate()))
    if month is not None:
        past = past.filter(_approximate_in_month_q(*month))
    return list(past.order_by("-approx_year", "-approx_month", "-pk")[:limit])


def countries() -> list[str]:
    return list(City.objects.order_by("country").values_list("country", flat=True).distinct())


def next_anniversary(pair: Partnership, today: dt.date) -> tuple[int, int, dt.date | None] | None:
    """(years, year, exact date or None) of the pair's next anniversary on or after today."""
    found = anniversary_on_or_after(pair, today)
    return None if found is None else (found.years, found.year, found.date)


MILESTONE_YEARS_AHEAD = 2


@dataclass(frozen=True)
class Milestone:
    anniversary: Anniversary
    planned: Event | None


def upcoming_milestones(today: dt.date) -> list[Milestone]:
    """Milestone anniversaries from today to the end of the year after next, each with the
    commemoration already planned for it (two queries for any number of pairs)."""
    found = upcoming_anniversaries(today, dt.date(today.year + MILESTONE_YEARS_AHEAD, 12, 31))
    slugs = {commemoration_slug(a): a for a in found}
    planned = {e.slug: e for e in Event.objects.filter(slug__in=slugs)}
    return [Milestone(a, planned.get(slug)) for slug, a in slugs.items()]
