"""The one answer to "when is this leg or programme item, and where": pure functions over
loaded rows (no queries), shared by the event page, the API and the feeds.

A leg's departure is shown in its departure city's zone and its arrival in its arrival city's;
a programme item in its own city's zone (the host's), with the guest city's time beside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from events.models import City, Event, ItineraryLeg, Participation, ProgrammeItem

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

# A leg or programme item may lie this far outside the event's own dates: the delegation
# travels a day or two before the visit and home after it (see events/README.md).
ITINERARY_MARGIN = dt.timedelta(days=3)
# Longest one leg may last (a ferry across the Sea of Okhotsk, with stops).
MAX_LEG_LENGTH = dt.timedelta(days=7)


@dataclass(frozen=True)
class LegTimes:
    """One leg's ends, each in its own city's zone, and what a reader must be told."""

    leg: ItineraryLeg
    departs: dt.datetime
    arrives: dt.datetime
    # Arrival's local date minus departure's local date (1: "arrives the next day").
    day_shift: int
    crosses_date_line: bool

    @property
    def duration(self) -> dt.timedelta:
        return self.leg.arrives_at - self.leg.departs_at


def crosses_date_line(departure: City, arrival: City, departs: dt.datetime) -> bool:
    """True when the route crosses the antimeridian. With both cities' longitudes: the short
    way round passes 180°. Without: the clocks differ by more than 12 hours (Anchorage UTC-8
    and Magadan UTC+11 are 19 hours apart, so the short way crosses the line)."""
    if departure.longitude is not None and arrival.longitude is not None:
        return abs(float(departure.longitude) - float(arrival.longitude)) > 180
    start = departs.astimezone(departure.zone).utcoffset() or dt.timedelta()
    end = departs.astimezone(arrival.zone).utcoffset() or dt.timedelta()
    return abs(end - start) > dt.timedelta(hours=12)


def leg_times(leg: ItineraryLeg) -> LegTimes:
    departs = leg.departs_at.astimezone(leg.departure_city.zone)
    arrives = leg.arrives_at.astimezone(leg.arrival_city.zone)
    return LegTimes(
        leg=leg,
        departs=departs,
        arrives=arrives,
        day_shift=(arrives.date() - departs.date()).days,
        crosses_date_line=crosses_date_line(leg.departure_city, leg.arrival_city, leg.departs_at),
    )


def host_and_guest(event: Event, parts: Iterable[Participation]) -> tuple[City | None, City | None]:
    """The host city (else the first co-host) and the guest delegation's city, if any."""
    parts = list(parts)

    def first(*roles: str) -> City | None:
        return next((p.city for p in parts if p.role in roles), None)

    host = first(Participation.Role.HOST) or first(Participation.Role.CO_HOST)
    return host, first(Participation.Role.GUEST_DELEGATION)


@dataclass(frozen=True)
class Entry:
    """One line of the day-by-day programme: a leg or an item, at its start."""

    at: dt.datetime  # UTC
    host_time: dt.datetime  # in the host's zone
    guest_time: dt.datetime | None  # in the guest city's zone
    leg: LegTimes | None = None
    item: ProgrammeItem | None = None


@dataclass(frozen=True)
class Day:
    date: dt.date  # in the host's zone
    entries: list[Entry]


def programme_days(
    legs: Iterable[ItineraryLeg],
    items: Iterable[ProgrammeItem],
    host_zone: ZoneInfo,
    guest_zone: ZoneInfo | None,
) -> list[Day]:
    """Legs and items in time order, grouped by the host's local date of their start."""
    entries = [
        Entry(
            at=leg.departs_at,
            host_time=leg.departs_at.astimezone(host_zone),
            guest_time=leg.departs_at.astimezone(guest_zone) if guest_zone else None,
            leg=leg_times(leg),
        )
        for leg in legs
    ]
    entries += [
        Entry(
            at=item.starts_at,
            host_time=item.starts_at.astimezone(host_zone),
            guest_time=item.starts_at.astimezone(guest_zone) if guest_zone else None,
            item=item,
        )
        for item in items
    ]
    entries.sort(key=lambda e: (e.at, e.item is not None))
    days: list[Day] = []
    for entry in entries:
        if not days or days[-1].date != entry.host_time.date():
            days.append(Day(entry.host_time.date(), []))
        days[-1].entries.append(entry)
    return days


def event_window(event: Event) -> tuple[dt.datetime, dt.datetime] | None:
    """The event's own span in UTC (a day/month/year event: its whole local days), or None
    when it has no date or recurs (an itinerary then is not bounded by the event)."""
    zone = event.zone

    def midnight(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)

    if event.rrule:
        return None
    if event.precision == Event.Precision.TIME and event.start is not None:
        return event.start, event.end or event.start
    if event.precision == Event.Precision.DAY and event.start_date is not None:
        last = event.end_date or event.start_date
        return midnight(event.start_date), midnight(last + dt.timedelta(days=1))
    if event.precision == Event.Precision.MONTH and event.approx_year and event.approx_month:
        first = dt.date(event.approx_year, event.approx_month, 1)
        following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return midnight(first), midnight(following)
    if event.precision == Event.Precision.YEAR and event.approx_year:
        year = event.approx_year
        return midnight(dt.date(year, 1, 1)), midnight(dt.date(year + 1, 1, 1))
    return None
