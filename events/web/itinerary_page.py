"""The event page's itinerary: a day-by-day programme in the host's local time with the guest
city's time beside it; each leg with both ends' local times and the date-line crossing marked.

Times come from events.itinerary (the one answer the API and feeds share); this module only
words them in the active language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events.itinerary import Entry, LegTimes, host_and_guest, programme_days
from events.models import City, Event, ItineraryLeg, Participation, ProgrammeItem
from events.web import formatting


def clock(value: dt.datetime, day: dt.date | None = None) -> str:
    """ "22:00", with the date when it is not ``day`` ("8 May 2030, 22:00")."""
    if day is not None and value.date() == day:
        return formatting.fmt_time(value)
    return formatting.fmt_datetime(value)


@dataclass(frozen=True)
class LegEnd:
    city: City
    place: str
    when: str  # "8 May 2030, 22:00"
    zone: str  # "AKDT, UTC-8"
    iso: str


@dataclass(frozen=True)
class Line:
    """One line of a day: host time, guest time beside it, and a leg or an item."""

    host_time: str
    host_iso: str
    guest_time: str
    kind: str
    title: str
    place: str = ""
    departure: LegEnd | None = None
    arrival: LegEnd | None = None
    marks: tuple[str, ...] = ()


@dataclass(frozen=True)
class DayView:
    heading: str
    iso: str
    lines: list[Line]


@dataclass(frozen=True)
class ItineraryView:
    host: City | None
    guest: City | None
    host_zone: str
    days: list[DayView]


def leg_marks(times: LegTimes) -> tuple[str, ...]:
    marks = []
    if times.day_shift == 1:
        marks.append(_("arrives the next day"))
    elif times.day_shift == -1:
        marks.append(_("arrives the previous day"))
    elif times.day_shift > 1:
        marks.append(
            ngettext("arrives %(n)d day later", "arrives %(n)d days later", times.day_shift)
            % {"n": times.day_shift}
        )
    if times.crosses_date_line:
        marks.append(_("crosses the date line"))
    return tuple(marks)


def leg_end(city: City, place: str, value: dt.datetime) -> LegEnd:
    """One end of a leg in its own city's local time and zone."""
    return LegEnd(
        city=city,
        place=place,
        when=formatting.fmt_datetime(value),
        zone=formatting.zone_abbreviation(value),
        iso=value.isoformat(),
    )


def _leg_line(entry: Entry, times: LegTimes, day: dt.date, guest_day: dt.date | None) -> Line:
    leg: ItineraryLeg = times.leg
    title = _("%(mode)s %(from)s → %(to)s") % {
        "mode": leg.get_mode_display(),
        "from": formatting.city_name(leg.departure_city),
        "to": formatting.city_name(leg.arrival_city),
    }
    return Line(
        host_time=clock(entry.host_time, day),
        host_iso=entry.at.isoformat(),
        guest_time=clock(entry.guest_time, guest_day) if entry.guest_time else "",
        kind="leg",
        title=f"{title} ({leg.reference})" if leg.reference else title,
        departure=leg_end(leg.departure_city, leg.departure_place, times.departs),
        arrival=leg_end(leg.arrival_city, leg.arrival_place, times.arrives),
        marks=leg_marks(times),
    )


def _item_line(entry: Entry, item: ProgrammeItem, day: dt.date, guest_day: dt.date | None) -> Line:
    language = formatting.lang()
    venue = item.venue(language)
    city = formatting.city_name(item.city)
    start = clock(entry.host_time, day)
    if item.ends_at is not None:
        start = f"{start}–{formatting.fmt_time(item.ends_at.astimezone(entry.host_time.tzinfo))}"
    return Line(
        host_time=start,
        host_iso=entry.at.isoformat(),
        guest_time=clock(entry.guest_time, guest_day) if entry.guest_time else "",
        kind=item.kind,
        title=f"{item.get_kind_display()}: {item.title(language)}",
        place=f"{venue}, {city}" if venue else city,
    )


def itinerary_view(
    event: Event,
    parts: list[Participation],
    legs: list[ItineraryLeg],
    items: list[ProgrammeItem],
) -> ItineraryView | None:
    """The itinerary section of the page, or None when the event has none."""
    if not legs and not items:
        return None
    host, guest = host_and_guest(event, parts)
    host_zone = host.zone if host is not None else event.zone
    guest_zone = guest.zone if guest is not None and guest != host else None
    days = []
    for day in programme_days(legs, items, host_zone, guest_zone):
        lines = []
        for entry in day.entries:
            # The guest's clock repeats the date only where it is not the host's date.
            guest_day = day.date
            if entry.leg is not None:
                lines.append(_leg_line(entry, entry.leg, day.date, guest_day))
            elif entry.item is not None:
                lines.append(_item_line(entry, entry.item, day.date, guest_day))
        heading = f"{formats.date_format(day.date, 'l')}, {formatting.fmt_date(day.date)}"
        days.append(DayView(heading=heading, iso=day.date.isoformat(), lines=lines))
    return ItineraryView(
        host=host,
        guest=guest if guest_zone is not None else None,
        host_zone=str(host_zone),
        days=days,
    )
