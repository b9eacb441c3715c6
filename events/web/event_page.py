"""The event page's per-city view of one occurrence: the visitor's city, its local time and its
"add to calendar" links.

Every time here comes from the occurrence's ``city_times`` (events.recurrence.city_times), the
one answer to "when is this occurrence in city C"; nothing is converted again in the web layer.
A "same local time" (TimeMode.LOCAL) event has a different instant in each city, so the visitor
picks a city (``?city=<slug>``) instead of seeing one instant converted to the browser's zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from events.models import Participation
from events.web import formatting, links

if TYPE_CHECKING:
    from events.recurrence import CityTime, Occurrence

# A city slug longer than this is not echoed back on the page.
_MAX_ECHO = 60


@dataclass(frozen=True)
class CityInstance:
    """One participating city's instance of an occurrence, ready for the template."""

    ct: CityTime
    date: str
    time: str
    when: str
    venue: str
    location: str
    picked: bool
    add: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CityPick:
    """The city whose instance the page features, and why (``ignored`` names a bad request)."""

    city_time: CityTime | None
    ignored: str = ""


def pick_city(city_times: list[CityTime], requested: str) -> CityPick:
    """The requested participating city, else the host (else the first city).

    An unknown or non-participating slug is not an error: the page still answers, with the
    default city and a note saying the request was ignored.
    """
    for city_time in city_times:
        if requested and city_time.city.slug == requested:
            return CityPick(city_time)
    default = next(
        (ct for ct in city_times if ct.role == Participation.Role.HOST),
        city_times[0] if city_times else None,
    )
    ignored = requested[:_MAX_ECHO] if requested else ""
    return CityPick(default, ignored)


def city_when(city_time: CityTime) -> str:
    """ "May 9, 2027, 10:00-11:00 (MSK, UTC+3)" in the city's own zone (the city is named
    beside it)."""
    day, time = formatting.city_time_when(city_time)
    if city_time.start is None:
        return f"{day} ({time})"
    return f"{day}, {time} ({formatting.zone_abbreviation(city_time.start)})"


def city_location(occurrence: Occurrence, city_time: CityTime) -> str:
    """Where the occurrence is for a resident of this city: its own venue first.

    A LOCAL-mode event's general location belongs to the host, so another city without a venue
    gets only its own name rather than the host's place.
    """
    language = formatting.lang()
    name = city_time.city.name(language)
    venue = city_time.venue_in(language)
    if venue:
        return f"{venue}, {name}"
    if occurrence.event.time_mode == occurrence.event.TimeMode.LOCAL:
        return name
    return occurrence.location_in(language) or name


def city_add_links(
    occurrence: Occurrence, city_time: CityTime, title: str, description: str
) -> dict[str, str]:
    """Google, Outlook and .ics links carrying this city's start, end, zone and venue."""
    span = links.CalendarSpan.of_city(city_time)
    location = city_location(occurrence, city_time)
    result = {
        "google": links.google_calendar_url(span, title, description, location),
        "outlook": links.outlook_calendar_url(span, title, description, location),
    }
    ics = links.event_city_ics_url(occurrence.event, city_time.city)
    if ics is not None:
        result["ics"] = ics
    return result


def city_instances(
    occurrence: Occurrence,
    picked: CityTime | None,
    title: str = "",
    description: str = "",
    *,
    with_links: bool = True,
) -> list[CityInstance]:
    """Each participating city's instance; add-to-calendar links unless it is cancelled."""
    result = []
    for city_time in occurrence.city_times:
        day, time = formatting.city_time_when(city_time)
        add = {}
        if with_links and not occurrence.cancelled:
            add = city_add_links(occurrence, city_time, title, description)
        result.append(
            CityInstance(
                ct=city_time,
                date=day,
                time=time,
                when=city_when(city_time),
                venue=city_time.venue_in(formatting.lang()),
                location=city_location(occurrence, city_time),
                picked=picked is not None and city_time.city.pk == picked.city.pk,
                add=add,
            )
        )
    return result


def ignored_city_note(requested: str, picked: CityTime | None) -> str:
    if not requested:
        return ""
    if picked is None:
        return _("“%(city)s” does not take part in this event.") % {"city": requested}
    return _("“%(city)s” does not take part in this event; showing %(default)s.") % {
        "city": requested,
        "default": formatting.city_name(picked.city),
    }
