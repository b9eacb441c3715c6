"""VEVENTs of one event: times in the right zone, descriptions, places, overrides.

See the package doc (events/ical/__init__.py) for the rules every VEVENT follows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import TYPE_CHECKING

import icalendar
from django.utils import translation

from common import languages
from events.ical import text
from events.ical.copies import Copy, copies
from events.ical.itinerary import itinerary_vevents
from events.ical.uids import occurrence_uid
from events.ical.wire import VEvent
from events.models import OccurrenceChange
from events.recurrence import city_span, city_times, parse_exdates, recurrence_key
from events.timezones import get_zone, make_aware_lenient

if TYPE_CHECKING:
    from events.models import City, Event

# Bump when the rendering changes so stored feed fragments are rebuilt.
RENDER_VERSION = "5"


def related(event: Event, name: str) -> list:
    """A prefetched relation as a list without building a QuerySet (a clone per call adds up
    to a third of a cold feed's time); falls back to a query when nothing was prefetched."""
    cache = getattr(event, "_prefetched_objects_cache", {})
    if name in cache:
        return list(cache[name])
    return list(getattr(event, name).all())


def last_change(
    event: Event, parts: list | None = None, changes: list | None = None
) -> dt.datetime:
    """When anything a VEVENT of ``event`` shows last changed (needs prefetched relations)."""
    values = [event.updated_at]
    values.extend(
        p.city.updated_at for p in (related(event, "participations") if parts is None else parts)
    )
    values.extend(c.updated_at for c in (related(event, "changes") if changes is None else changes))
    return max(v for v in values if v is not None)


def normalise_language(language: str | None) -> str:
    return languages.normalise(language)


# --- Time presentation ---------------------------------------------------------------------


def _wall(value: dt.datetime, event: Event) -> dt.datetime:
    """The naive wall-clock time of an instant in the event's own zone."""
    return value.astimezone(get_zone(event.timezone)).replace(tzinfo=None)


def _span(
    event: Event, copy: Copy, start: dt.datetime, end: dt.datetime | None, wall: dt.datetime
) -> tuple[dt.datetime, dt.datetime | None]:
    """(DTSTART, DTEND) of an instance in the copy's zone. LOCAL: the wall-clock time there,
    moved forward by that city's own DST gap, duration kept (recurrence.city_span)."""
    if copy.local:
        city_start, city_end = city_span(event, copy.zone_name, start, end, wall_start=wall)
        assert city_start is not None
        return city_start, city_end
    zone = get_zone(copy.zone_name)
    return start.astimezone(zone), (end.astimezone(zone) if end is not None else None)


def _rrule(event: Event, zone_name: str) -> icalendar.vRecur:
    """The stored rule with UNTIL in the form RFC 5545 requires for DTSTART's value type.

    recurrence.py reads UNTIL as the event's local wall-clock time (a trailing Z is ignored),
    so the same reading is converted here: to a DATE for all-day events, to UTC otherwise.
    """
    rule = icalendar.vRecur.from_ical(event.rrule)
    until_values = rule.get("UNTIL")
    if until_values:
        until = until_values[0]
        if isinstance(until, dt.datetime):
            wall = until.replace(tzinfo=None)
        else:
            wall = dt.datetime.combine(until, dt.time(23, 59, 59))
        if event.is_all_day:
            rule["UNTIL"] = [wall.date()]
        else:
            rule["UNTIL"] = [wall.replace(tzinfo=get_zone(zone_name)).astimezone(dt.UTC)]
    return rule


_STATUS = {"tentative": "TENTATIVE", "confirmed": "CONFIRMED", "cancelled": "CANCELLED"}


def _base_vevent(
    event: Event, language: str, modified: dt.datetime, sequence: int, copy: Copy
) -> VEvent:
    vevent = VEvent()
    vevent.add("UID", copy.uid)
    vevent.add("DTSTAMP", modified.astimezone(dt.UTC))
    vevent.add("CREATED", (event.created_at or modified).astimezone(dt.UTC))
    vevent.add("LAST-MODIFIED", modified.astimezone(dt.UTC))
    vevent.add("SEQUENCE", sequence)
    title = event.title(language)
    vevent.add("SUMMARY", f"{title} ({copy.suffix})" if copy.suffix else title)
    vevent.add("STATUS", _STATUS.get(event.status, "CONFIRMED"))
    vevent.add("CLASS", "PUBLIC" if event.visibility == event.Visibility.PUBLIC else "PRIVATE")
    kind = text.labels(language).get(f"kind:{event.kind}")
    vevent.add("CATEGORIES", [kind if kind is not None else str(event.Kind(event.kind).label)])
    vevent.add("URL", text.event_url(event))
    return vevent


def _add_all_day(vevent: VEvent, start_date: dt.date, end_date: dt.date | None) -> None:
    vevent.add("DTSTART", start_date)
    vevent.add("DTEND", (end_date or start_date) + dt.timedelta(days=1))
    vevent.add("TRANSP", "TRANSPARENT")


def _add_master_times(vevent: VEvent, event: Event, copy: Copy) -> None:
    """DTSTART/DTEND of the first occurrence. A rule's DTSTART is its anchor and keeps the
    typed wall-clock time; if that time falls in the copy's DST gap, the length is given as
    DURATION, so every engine ends the instance an event-length after the shifted start."""
    if event.is_all_day:
        assert event.start_date is not None
        _add_all_day(vevent, event.start_date, event.end_date or event.start_date)
        return
    assert event.start is not None
    wall = _wall(event.start, event)
    start, end = _span(event, copy, event.start, event.end, wall)
    nominal = wall.replace(tzinfo=get_zone(copy.zone_name))
    if event.rrule and copy.local and start.replace(tzinfo=None) != wall:
        vevent.add("DTSTART", nominal)
        if end is not None:
            vevent.add("DURATION", icalendar.vDuration(end - start))
        return
    vevent.add("DTSTART", start)
    if end is not None:
        vevent.add("DTEND", end)


def _exdates(event: Event, zone_name: str, changes: list) -> list:
    walls = set(parse_exdates(event.exdates or []))
    walls.update(_wall(c.original_start, event) for c in changes if c.cancelled)
    if event.is_all_day:
        return sorted({w.date() for w in walls})
    zone = get_zone(zone_name)
    return [w.replace(tzinfo=zone) for w in sorted(walls)]


def _recurrence_id(change: OccurrenceChange, event: Event, zone_name: str):
    wall = _wall(change.original_start, event)
    if event.is_all_day:
        return wall.date()
    return wall.replace(tzinfo=get_zone(zone_name))


def _override_times(event: Event, change: OccurrenceChange) -> tuple:
    """(start, end, start_date, end_date, wall) of a changed instance: instants in the
    event's zone, and the wall-clock start there before any DST-gap shift."""
    wall = _wall(change.original_start, event)
    if event.is_all_day:
        assert event.start_date is not None
        length = (event.end_date - event.start_date) if event.end_date else dt.timedelta()
        if change.start_date:
            return None, None, change.start_date, change.end_date or change.start_date, wall
        day = wall.date()
        return None, None, day, day + length, wall
    assert event.start is not None
    span: dt.timedelta | None = (event.end - event.start) if event.end else None
    if change.start:
        end = change.end or (change.start + span if span is not None else None)
        return change.start, end, None, None, _wall(change.start, event)
    start = make_aware_lenient(wall, get_zone(event.timezone))
    return start, (start + span if span is not None else None), None, None, wall


def event_vevents(
    event: Event,
    *,
    language: str,
    city: City | None = None,
    only_recurrence_id: dt.datetime | dt.date | None = None,
    relations: tuple[list, list] | None = None,
) -> tuple[list[VEvent], set[str]]:
    """The VEVENTs of one event (per copy: master, then each changed instance) and the TZIDs
    they use.

    ``city`` is the view: None for aggregate exports (a LOCAL-mode event then gives one copy
    per participating city), a city for its feed, its invitations and its "add to calendar".
    ``only_recurrence_id`` gives that one occurrence of a recurring event as a standalone
    VEVENT per copy (see :func:`occurrence_uid`), for invitations about one occurrence.
    Needs ``participations__city`` and ``changes`` prefetched (events.selectors.with_related),
    or ``relations`` = (participations with their cities, occurrence changes).
    """
    language = normalise_language(language)
    if not event.is_scheduled:
        return [], set()
    if relations is None:
        relations = (related(event, "participations"), related(event, "changes"))
    parts, all_changes = relations
    result: list[VEvent] = []
    tzids: set[str] = set()
    # A DESCRIPTION lists every city's time, so it is the same in each city's copy: built once
    # per occurrence (None: the master), not once per copy.
    descriptions: dict[dt.datetime | None, str] = {}
    # A feed renders thousands of events in one language: activate it once, not per event.
    speaking = translation.get_language() == language
    with contextlib.nullcontext() if speaking else translation.override(language):
        modified = last_change(event, parts, all_changes)
        for copy in copies(event, parts, city, language):
            if not event.is_all_day:
                tzids.add(copy.zone_name)
            result.extend(
                _copy_vevents(
                    event,
                    copy,
                    language,
                    modified,
                    (parts, all_changes),
                    only_recurrence_id,
                    descriptions,
                )
            )
    return result, tzids


def _copy_vevents(
    event: Event,
    copy: Copy,
    language: str,
    modified: dt.datetime,
    relations: tuple[list, list],
    only_recurrence_id: dt.datetime | dt.date | None,
    descriptions: dict[dt.datetime | None, str],
) -> list[VEvent]:
    parts, all_changes = relations
    result = []
    changes = [c for c in all_changes if not c.cancelled]
    if only_recurrence_id is None:
        master = _base_vevent(event, language, modified, event.sequence, copy)
        _add_master_times(master, event, copy)
        if event.rrule:
            master.add("RRULE", _rrule(event, copy.zone_name))
            exdates = _exdates(event, copy.zone_name, all_changes)
            if exdates:
                master.add("EXDATE", exdates)
        if None not in descriptions:
            start, end = (event.start, event.end) if not event.is_all_day else (None, None)
            local = city_times(
                event, start, end, event.start_date, event.end_date or event.start_date, parts
            )
            descriptions[None] = text.description(event, language, local, "", master=True)
        master.add("DESCRIPTION", descriptions[None])
        _add_place(master, event, language, "", parts, copy)
        result.append(master)
    else:
        changes = [c for c in all_changes if _matches(c, event, only_recurrence_id)] or [
            _synthetic_change(event, only_recurrence_id)
        ]
    if not event.rrule:
        return result
    standalone = only_recurrence_id is not None
    for change in changes:
        start, end, start_date, end_date, wall = _override_times(event, change)
        if standalone:
            # One occurrence on its own (an invitation): no RECURRENCE-ID without its master,
            # which ICAL.js shows as nothing, but a VEVENT of its own with a stable UID.
            sequence = max(event.sequence, change.sequence)
            own = Copy(
                occurrence_uid(copy.uid, change.original_start),
                copy.zone_name,
                copy.local,
                copy.participation,
                copy.suffix,
            )
            vevent = _base_vevent(event, language, modified, sequence, own)
        else:
            vevent = _base_vevent(event, language, modified, max(change.sequence, 0), copy)
            vevent.add("RECURRENCE-ID", _recurrence_id(change, event, copy.zone_name))
        if change.cancelled:
            vevent.replace("STATUS", "CANCELLED")
        if event.is_all_day:
            _add_all_day(vevent, start_date, end_date)
        else:
            dtstart, dtend = _span(event, copy, start, end, wall)
            vevent.add("DTSTART", dtstart)
            if dtend is not None:
                vevent.add("DTEND", dtend)
        key = change.original_start
        if key not in descriptions:
            note = languages.localized(change, "note", language)
            local = city_times(event, start, end, start_date, end_date, parts, wall_start=wall)
            descriptions[key] = text.description(event, language, local, note, master=False)
        vevent.add("DESCRIPTION", descriptions[key])
        own_place = (
            languages.localized(change, "location", language)
            if change.location or change.location_ru
            else ""
        )
        _add_place(vevent, event, language, own_place, parts, copy)
        result.append(vevent)
    return result


def _add_place(
    vevent: VEvent, event: Event, language: str, override: str, parts: list, copy: Copy
) -> None:
    location = text.location(event, language, parts, copy, override)
    if location:
        vevent.add("LOCATION", location)
    geo = text.geo(parts, copy)
    if geo is not None:
        vevent.add("GEO", geo)


def _recurrence_key_of(event: Event, value: dt.datetime | dt.date) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value.astimezone(dt.UTC)
        return recurrence_key(event, value)
    return recurrence_key(event, dt.datetime.combine(value, dt.time()))


def _matches(change: OccurrenceChange, event: Event, value: dt.datetime | dt.date) -> bool:
    return change.original_start == _recurrence_key_of(event, value)


def _synthetic_change(event: Event, value: dt.datetime | dt.date) -> OccurrenceChange:
    """An unchanged instance, shaped as a change, for an invitation about one occurrence."""
    return OccurrenceChange(
        event=event, original_start=_recurrence_key_of(event, value), sequence=event.sequence
    )


def event_and_itinerary_vevents(
    event: Event,
    *,
    language: str,
    city: City | None = None,
    relations: tuple[list, list] | None = None,
    itinerary: tuple[list, list] | None = None,
) -> tuple[list[VEvent], set[str]]:
    """What feeds and downloads carry for ``event``: its VEVENTs, then its itinerary's (legs
    in their own zones, programme items in their city's), and every TZID they use.
    ``itinerary`` = (legs with both cities, programme items with their city), else read from
    the prefetched ``itinerary_legs`` / ``programme_items`` (or queried)."""
    language = normalise_language(language)
    vevents, tzids = event_vevents(event, language=language, city=city, relations=relations)
    if not event.is_scheduled:
        return vevents, tzids
    if relations is None:
        relations = (related(event, "participations"), related(event, "changes"))
    if itinerary is None:
        itinerary = (related(event, "itinerary_legs"), related(event, "programme_items"))
    legs, items = itinerary
    if legs or items:
        modified = last_change(event, *relations)
        extra, used = itinerary_vevents(event, legs, items, language=language, modified=modified)
        vevents.extend(extra)
        tzids |= used
    return vevents, tzids


def render_fragment(
    event: Event,
    *,
    language: str,
    city: City | None = None,
    relations: tuple[list, list] | None = None,
    itinerary: tuple[list, list] | None = None,
) -> bytes:
    """The bytes of ``event``'s VEVENTs and its itinerary's for a feed (what the fragment
    store keeps)."""
    vevents, _tzids = event_and_itinerary_vevents(
        event, language=language, city=city, relations=relations, itinerary=itinerary
    )
    return b"".join(v.to_ical() for v in vevents)
