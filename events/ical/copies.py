"""Which VEVENT sets ("copies") an event has in a view: one per participating city for a
same-local-time event in aggregate exports, the city's own in a city view, else one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from events.ical.uids import city_uid, event_uid

if TYPE_CHECKING:
    from events.models import City, Event, Participation


def display_zone_name(event: Event, zone: str | None) -> str:
    """The zone whose TZID an INSTANT (or all-day) event's times carry in a view."""
    if zone is None or event.is_all_day:
        return event.timezone
    if event.time_mode == event.TimeMode.LOCAL:
        return zone
    if event.rrule:
        return event.timezone
    return zone


@dataclass(frozen=True)
class Copy:
    """One VEVENT set of an event as a view shows it: its UID, TZID, title suffix and place.

    A same-local-time (LOCAL) timed event has one copy per participating city in aggregate
    views, and its city's copy in a city view; any other event has a single copy.
    """

    uid: str
    zone_name: str
    local: bool  # wall-clock times resolved in ``zone_name`` (LOCAL mode)
    participation: Participation | None = None  # the city whose venue and place it shows
    suffix: str = ""  # appended to SUMMARY where several copies sit in one calendar


def copies(event: Event, parts: list, city: City | None, language: str) -> list[Copy]:
    """The copies of ``event`` in a view of ``city`` (None: the whole programme)."""
    own = next((p for p in parts if city is not None and p.city_id == city.pk), None)
    if event.is_all_day or event.time_mode != event.TimeMode.LOCAL:
        zone_name = display_zone_name(event, city.timezone if city else None)
        return [Copy(event_uid(event), zone_name, local=False, participation=own)]
    chosen = [own] if own is not None else ([] if city is not None else parts)
    if not chosen:
        zone_name = city.timezone if city is not None else event.timezone
        return [Copy(event_uid(event), zone_name, local=True)]
    return [
        Copy(
            city_uid(event, p.city),
            p.city.timezone,
            local=True,
            participation=p,
            suffix="" if city is not None else p.city.name(language),
        )
        for p in chosen
    ]
