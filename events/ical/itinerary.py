"""VEVENTs of a delegation visit's itinerary: each leg with DTSTART in its departure city's
zone and DTEND in its arrival city's (RFC 5545 3.8.2.2 allows DTEND its own TZID), each
programme item in its city's (the host's) zone.

UIDs are the event's UID plus the row: ``<event uid>-leg<id>@twinning-calendar`` and
``<event uid>-item<id>@twinning-calendar``, stable for the life of the row. SEQUENCE is the
row's own; DTSTAMP/LAST-MODIFIED are the event's last change (itinerary writes save the event),
so a render stays a pure function of the data. RELATED-TO names the event's UID.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils import translation
from django.utils.translation import gettext as _

from events.ical.text import event_url
from events.ical.uids import UID_DOMAIN, event_uid
from events.ical.wire import VEvent
from events.itinerary import leg_times

if TYPE_CHECKING:
    from events.models import Event, ItineraryLeg, ProgrammeItem

_STATUS = {"tentative": "TENTATIVE", "confirmed": "CONFIRMED", "cancelled": "CANCELLED"}


def leg_uid(event: Event, leg: ItineraryLeg) -> str:
    return f"{event.uid}-leg{leg.pk}@{UID_DOMAIN}"


def item_uid(event: Event, item: ProgrammeItem) -> str:
    return f"{event.uid}-item{item.pk}@{UID_DOMAIN}"


def _place(place: str, city_name: str) -> str:
    return f"{place}, {city_name}" if place else city_name


def _local(value: dt.datetime) -> str:
    return f"{value:%Y-%m-%d %H:%M} ({value.tzinfo})"


def _common(vevent: VEvent, event: Event, modified: dt.datetime, created: dt.datetime) -> None:
    vevent.add("DTSTAMP", modified.astimezone(dt.UTC))
    vevent.add("CREATED", created.astimezone(dt.UTC))
    vevent.add("LAST-MODIFIED", modified.astimezone(dt.UTC))


def leg_vevent(event: Event, leg: ItineraryLeg, language: str, modified: dt.datetime) -> VEvent:
    times = leg_times(leg)
    origin = leg.departure_city.name(language)
    destination = leg.arrival_city.name(language)
    vevent = VEvent()
    vevent.add("UID", leg_uid(event, leg))
    _common(vevent, event, modified, leg.created_at or modified)
    vevent.add("SEQUENCE", leg.sequence)
    summary = _("%(mode)s %(from)s → %(to)s: %(title)s") % {
        "mode": leg.get_mode_display(),
        "from": origin,
        "to": destination,
        "title": event.title(language),
    }
    vevent.add("SUMMARY", f"{summary} ({leg.reference})" if leg.reference else summary)
    vevent.add("DTSTART", times.departs)
    vevent.add("DTEND", times.arrives)
    lines = [
        _("Departs %(place)s: %(time)s")
        % {"place": _place(leg.departure_place, origin), "time": _local(times.departs)},
        _("Arrives %(place)s: %(time)s")
        % {"place": _place(leg.arrival_place, destination), "time": _local(times.arrives)},
    ]
    if times.crosses_date_line:
        lines.append(_("Crosses the date line."))
    if times.day_shift > 0:
        lines.append(_("Arrives the next day (local time)."))
    elif times.day_shift < 0:
        lines.append(_("Arrives the previous day (local time)."))
    lines.append(event_url(event))
    vevent.add("DESCRIPTION", "\n".join(lines))
    vevent.add("LOCATION", _place(leg.departure_place, origin))
    vevent.add("STATUS", _STATUS.get(event.status, "CONFIRMED"))
    vevent.add("CLASS", "PUBLIC" if event.visibility == event.Visibility.PUBLIC else "PRIVATE")
    vevent.add("CATEGORIES", [str(leg.get_mode_display())])
    vevent.add("URL", event_url(event))
    vevent.add("RELATED-TO", event_uid(event))
    return vevent


def item_vevent(event: Event, item: ProgrammeItem, language: str, modified: dt.datetime) -> VEvent:
    vevent = VEvent()
    vevent.add("UID", item_uid(event, item))
    _common(vevent, event, modified, item.created_at or modified)
    vevent.add("SEQUENCE", item.sequence)
    vevent.add("SUMMARY", f"{item.title(language)} ({event.title(language)})")
    vevent.add("DTSTART", item.local_start)
    if item.local_end is not None:
        vevent.add("DTEND", item.local_end)
    vevent.add("DESCRIPTION", f"{item.get_kind_display()}\n{event_url(event)}")
    vevent.add("LOCATION", _place(item.venue(language), item.city.name(language)))
    vevent.add("STATUS", _STATUS.get(event.status, "CONFIRMED"))
    vevent.add("CLASS", "PUBLIC" if event.visibility == event.Visibility.PUBLIC else "PRIVATE")
    vevent.add("URL", event_url(event))
    vevent.add("RELATED-TO", event_uid(event))
    return vevent


def itinerary_vevents(
    event: Event,
    legs: Iterable[ItineraryLeg],
    items: Iterable[ProgrammeItem],
    *,
    language: str,
    modified: dt.datetime,
) -> tuple[list[VEvent], set[str]]:
    """The itinerary's VEVENTs and the TZIDs they use (both ends of every leg)."""
    result: list[VEvent] = []
    tzids: set[str] = set()
    with translation.override(language):
        for leg in legs:
            result.append(leg_vevent(event, leg, language, modified))
            tzids |= {leg.departure_city.timezone, leg.arrival_city.timezone}
        for item in items:
            result.append(item_vevent(event, item, language, modified))
            tzids.add(item.city.timezone)
    return result, tzids
