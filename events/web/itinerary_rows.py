"""The desk itinerary page's rows: each leg with both ends in their own city's local time and
zone ("Anchorage, 8 May 2030, 22:00, AKDT, UTC-8"), the day shift and the date-line crossing
marked; each programme item in its city's local time. Pure functions over loaded rows (no
queries); times come from events.itinerary, words from events.web.formatting.
"""

from __future__ import annotations

from dataclasses import dataclass

from events.itinerary import leg_times
from events.models import City, ItineraryLeg, ProgrammeItem
from events.web import formatting
from events.web.itinerary_page import LegEnd, leg_end, leg_marks


@dataclass(frozen=True)
class LegRow:
    leg: ItineraryLeg
    mode: str
    reference: str
    departure: LegEnd
    arrival: LegEnd
    marks: tuple[str, ...]
    day_shift: int
    crosses_date_line: bool


@dataclass(frozen=True)
class ItemRow:
    item: ProgrammeItem
    kind: str
    title: str
    other_title: str  # the title in the other language, when it differs
    city: str
    venue: str
    when: str  # "10 May 2030, 11:00-12:00" (an en dash)
    zone: str
    iso: str
    # The guest delegation's clock at the start ("Anchorage: 9 May 2030, 16:00 (AKDT, UTC-8)"),
    # when the guest city is another zone.
    guest_when: str = ""


def leg_row(leg: ItineraryLeg) -> LegRow:
    times = leg_times(leg)
    return LegRow(
        leg=leg,
        mode=leg.get_mode_display(),
        reference=leg.reference,
        departure=leg_end(leg.departure_city, leg.departure_place, times.departs),
        arrival=leg_end(leg.arrival_city, leg.arrival_place, times.arrives),
        marks=leg_marks(times),
        day_shift=times.day_shift,
        crosses_date_line=times.crosses_date_line,
    )


def item_row(item: ProgrammeItem, guest: City | None = None) -> ItemRow:
    language = formatting.lang()
    title = item.title(language)
    other = item.title("ru" if language == "en" else "en")
    start = item.local_start
    return ItemRow(
        item=item,
        kind=item.get_kind_display(),
        title=title,
        other_title=other if other != title else "",
        city=formatting.city_name(item.city),
        venue=item.venue(language),
        when=formatting.fmt_span(start, item.local_end),
        zone=formatting.zone_abbreviation(start),
        iso=start.isoformat(),
        guest_when=_guest_clock(item, guest),
    )


def _guest_clock(item: ProgrammeItem, guest: City | None) -> str:
    if guest is None or guest.pk == item.city_id:
        return ""
    there = item.starts_at.astimezone(guest.zone)
    if there.utcoffset() == item.local_start.utcoffset():
        return ""
    when = f"{formatting.fmt_datetime(there)} ({formatting.zone_abbreviation(there)})"
    return f"{formatting.city_name(guest)}: {when}"
