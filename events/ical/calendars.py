"""Whole calendars: the VCALENDAR head, and feeds or downloads rendered in one go."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

import icalendar

from events.ical.vevents import event_and_itinerary_vevents
from events.ical.vtimezones import attachment_since, timezones_block
from events.ical.wire import escape_text, fold

if TYPE_CHECKING:
    from events.models import City, Event

PRODID = "-//Twinning calendar//Feeds 1.0//EN"
REFRESH_INTERVAL = dt.timedelta(hours=6)
CALENDAR_END = b"END:VCALENDAR\r\n"


def calendar_head(
    *,
    name: str,
    description: str = "",
    method: str | None = None,
    refresh: dt.timedelta | None = REFRESH_INTERVAL,
) -> bytes:
    """BEGIN:VCALENDAR and the calendar properties, without END:VCALENDAR.

    Subscription feeds and downloads carry no METHOD: RFC 5546 section 3.2.1 requires an
    ORGANIZER on every VEVENT of a METHOD:PUBLISH object, which Evolution and libical enforce.
    Only invitations (iTIP) pass ``method``. Names are TEXT-escaped like every other value.
    """
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
    ]
    if method:
        lines.append(f"METHOD:{method.upper()}")
    lines += [f"NAME:{escape_text(name)}", f"X-WR-CALNAME:{escape_text(name)}"]
    if description:
        lines += [
            f"DESCRIPTION:{escape_text(description)}",
            f"X-WR-CALDESC:{escape_text(description)}",
        ]
    if refresh is not None:
        duration = icalendar.vDuration(refresh).to_ical().decode()
        lines += [f"REFRESH-INTERVAL;VALUE=DURATION:{duration}", f"X-PUBLISHED-TTL:{duration}"]
    return b"".join(fold(line) for line in lines)


def render_calendar(
    events: Iterable[Event],
    *,
    language: str,
    name: str,
    description: str = "",
    city: City | None = None,
) -> bytes:
    """A whole feed rendered fresh (single-event downloads, tests, the uncached path)."""
    bodies: list[bytes] = []
    tzids: set[str] = set()
    events = list(events)
    for event in events:
        vevents, used = event_and_itinerary_vevents(event, language=language, city=city)
        bodies.extend(v.to_ical() for v in vevents)
        tzids |= used
    return (
        calendar_head(name=name, description=description)
        + timezones_block(tzids, attachment_since(events))
        + b"".join(bodies)
        + CALENDAR_END
    )
