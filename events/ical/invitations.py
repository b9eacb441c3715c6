"""E-mail invitations: one event or one occurrence as an iTIP object (RFC 5546)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import icalendar
from django.conf import settings
from django.utils import translation

from events.ical.calendars import CALENDAR_END, calendar_head
from events.ical.vevents import event_vevents, normalise_language, related
from events.ical.vtimezones import attachment_since, timezones_block

if TYPE_CHECKING:
    from events.models import City, Event


def invitation_ics(
    event: Event,
    *,
    language: str,
    method: str = "REQUEST",
    recurrence_id: dt.datetime | dt.date | None = None,
    attendee: str | None = None,
    city: City | None = None,
) -> bytes:
    """One event (or one occurrence) as a self-contained iTIP object for an email attachment.

    ``attendee`` (an email address) is added as ATTENDEE;RSVP=FALSE (RFC 5546 3.2.2 requires
    one; Outlook files the invitation for that mailbox without asking for a reply).

    ``city`` is the recipient's city: the times are its wall-clock times for a same-local-time
    event (otherwise the host city's), shown in its zone for a one-off event, with its venue.

    ``method`` is REQUEST (new or changed) or CANCEL. ``recurrence_id`` picks one instance of a
    recurring event: its original start (aware instant, or naive local time in the event's
    zone) or its date for all-day events; the instance is then a standalone VEVENT with a UID
    of its own (stable when it moves; SEQUENCE rises with the event's and the instance's), so
    every client shows exactly it. The whole event carries the UID and SEQUENCE of the feeds
    (of that city's copy), so a client that subscribed and got the email sees one event.
    Pure: reads prefetched relations when present, otherwise queries them.
    """
    method = method.upper()
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method!r}")
    if not event.is_scheduled:
        raise ValueError("an event without a calendar date (month/year/unknown) has no .ics")
    language = normalise_language(language)
    if recurrence_id is not None and not event.rrule:
        recurrence_id = None
    parts = related(event, "participations")
    if event.time_mode == event.TimeMode.LOCAL and all(
        p.city_id != getattr(city, "pk", None) for p in parts
    ):
        city = _host_city(parts)  # no city, or one not taking part: the host's ten o'clock
    vevents, tzids = event_vevents(
        event, language=language, city=city, only_recurrence_id=recurrence_id
    )
    organizer = icalendar.vCalAddress(f"mailto:{_address(settings.DEFAULT_FROM_EMAIL)}")
    organizer.params["CN"] = icalendar.vText(_display_name(settings.DEFAULT_FROM_EMAIL))
    for vevent in vevents:
        vevent.add("ORGANIZER", organizer)
        if attendee:
            vevent.add(
                "ATTENDEE",
                icalendar.vCalAddress(f"mailto:{attendee.strip()}"),
                {"ROLE": "REQ-PARTICIPANT", "RSVP": "FALSE", "PARTSTAT": "NEEDS-ACTION"},
            )
        if method == "CANCEL":
            vevent.replace("STATUS", "CANCELLED")
    with translation.override(language):
        name = event.title(language)
    head = calendar_head(name=name, method=method, refresh=None)
    body = b"".join(v.to_ical() for v in vevents)
    return head + timezones_block(tzids, attachment_since([event])) + body + CALENDAR_END


def _host_city(parts: list) -> City | None:
    hosts = [p for p in parts if p.role in ("host", "co_host")] or parts
    return hosts[0].city if hosts else None


def _address(value: str) -> str:
    if "<" in value and value.endswith(">"):
        return value.rsplit("<", 1)[1][:-1].strip()
    return value.strip()


def _display_name(value: str) -> str:
    if "<" in value:
        return value.split("<", 1)[0].strip().strip('"') or _address(value)
    return value.strip()
