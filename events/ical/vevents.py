"""VEVENTs of one event: times in the right zone, descriptions, places, overrides.

See the package doc (events/ical/__init__.py) for the rules every VEVENT follows.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import icalendar
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from events.ical.versions import last_change, related
from events.ical.wire import VEvent
from events.recurrence import CityTime, city_times, parse_exdates
from events.timezones import get_zone, make_aware_lenient

if TYPE_CHECKING:
    from events.models import Event, OccurrenceChange

UID_DOMAIN = "twinning-calendar"
LANGUAGES = ("en", "ru")


def event_uid(event: Event) -> str:
    return f"{event.uid}@{UID_DOMAIN}"


def event_url(event: Event) -> str:
    return f"{settings.SITE_URL}/events/{event.slug}/"


def normalise_language(language: str | None) -> str:
    return "ru" if (language or "").lower().startswith("ru") else "en"


# --- Time presentation ---------------------------------------------------------------------


def display_zone_name(event: Event, zone: str | None) -> str:
    """The zone whose TZID the event's times carry in a view (see module doc)."""
    if zone is None or event.is_all_day:
        return event.timezone
    if event.time_mode == event.TimeMode.LOCAL:
        return zone
    if event.rrule:
        return event.timezone
    return zone


def _wall(value: dt.datetime, event: Event) -> dt.datetime:
    """The naive wall-clock time of an instant in the event's own zone."""
    return value.astimezone(get_zone(event.timezone)).replace(tzinfo=None)


def _present(value: dt.datetime, event: Event, zone_name: str) -> dt.datetime:
    """An instant of ``event`` as shown with TZID ``zone_name``."""
    zone = get_zone(zone_name)
    if event.time_mode == event.TimeMode.LOCAL:
        return _wall(value, event).replace(tzinfo=zone)
    return value.astimezone(zone)


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


# --- Text ----------------------------------------------------------------------------------


def _format_city_time(ct: CityTime, all_day: bool) -> str:
    if all_day or ct.start is None:
        if ct.start_date is None:
            return ""
        if ct.end_date and ct.end_date != ct.start_date:
            return f"{ct.start_date.isoformat()} – {ct.end_date.isoformat()}"
        return ct.start_date.isoformat()
    text = f"{ct.start:%Y-%m-%d %H:%M}"
    if ct.end is not None:
        text += (
            f" – {ct.end:%H:%M}"
            if ct.end.date() == ct.start.date()
            else f" – {ct.end:%Y-%m-%d %H:%M}"
        )
    offset = ct.start.strftime("%z")
    return f"{text} ({ct.city.timezone}, UTC{offset[:3]}:{offset[3:]})"


def _description(
    event: Event, language: str, city_times: list[CityTime], note: str, *, master: bool
) -> str:
    from events.models import Participation

    parts = []
    body = event.description(language).strip()
    if body:
        parts.append(body)
    if note.strip():
        parts.append(note.strip())
    if event.online_url:
        parts.append(_("Online: %(url)s") % {"url": event.online_url})
    if city_times:
        lines = [_("Participating cities (local time):")]
        for ct in city_times:
            role = Participation.Role(ct.role).label if ct.role in Participation.Role.values else ""
            when = _format_city_time(ct, event.is_all_day)
            venue = f", {ct.venue}" if ct.venue else ""
            lines.append(f"• {ct.city.name(language)} ({role}{venue}): {when}")
        if event.rrule and master:
            lines.append(_("Times shown are those of the first occurrence."))
        parts.append("\n".join(lines))
    parts.append(event_url(event))
    return "\n\n".join(parts)


def _location(event: Event, language: str, parts: list, override: str = "") -> str:
    if override:
        return override
    if event.location:
        return event.location
    venues = [
        f"{p.venue}, {p.city.name(language)}" if p.venue else p.city.name(language)
        for p in parts
        if p.role in ("host", "co_host")
    ]
    return "; ".join(venues)


def _geo(parts: list) -> tuple[float, float] | None:
    participations = sorted(parts, key=lambda p: (p.role not in ("host", "co_host"), p.pk))
    for participation in participations:
        city = participation.city
        if city.latitude is not None and city.longitude is not None:
            return float(city.latitude), float(city.longitude)
    return None


_STATUS = {"tentative": "TENTATIVE", "confirmed": "CONFIRMED", "cancelled": "CANCELLED"}


def _base_vevent(event: Event, language: str, modified: dt.datetime, sequence: int) -> VEvent:
    vevent = VEvent()
    vevent.add("UID", event_uid(event))
    vevent.add("DTSTAMP", modified.astimezone(dt.UTC))
    vevent.add("CREATED", (event.created_at or modified).astimezone(dt.UTC))
    vevent.add("LAST-MODIFIED", modified.astimezone(dt.UTC))
    vevent.add("SEQUENCE", sequence)
    vevent.add("SUMMARY", event.title(language))
    vevent.add("STATUS", _STATUS.get(event.status, "CONFIRMED"))
    vevent.add("CLASS", "PUBLIC" if event.visibility == event.Visibility.PUBLIC else "PRIVATE")
    vevent.add("CATEGORIES", [str(event.Kind(event.kind).label)])
    vevent.add("URL", event_url(event))
    return vevent


def _master_times(event: Event) -> tuple:
    """(start, end, start_date, end_date) of the event's first occurrence, as stored."""
    if event.is_all_day:
        return None, None, event.start_date, event.end_date or event.start_date
    return event.start, event.end, None, None


def _add_times(vevent, event: Event, zone_name: str, start, end, start_date, end_date) -> None:
    if event.is_all_day:
        vevent.add("DTSTART", start_date)
        vevent.add("DTEND", (end_date or start_date) + dt.timedelta(days=1))
        vevent.add("TRANSP", "TRANSPARENT")
        return
    vevent.add("DTSTART", _present(start, event, zone_name))
    if end is not None:
        vevent.add("DTEND", _present(end, event, zone_name))


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
    """(start, end, start_date, end_date) of a changed instance."""
    wall = _wall(change.original_start, event)
    if event.is_all_day:
        assert event.start_date is not None
        length = (event.end_date - event.start_date) if event.end_date else dt.timedelta()
        if change.start_date:
            return None, None, change.start_date, change.end_date or change.start_date
        day = wall.date()
        return None, None, day, day + length
    assert event.start is not None
    span: dt.timedelta | None = (event.end - event.start) if event.end else None
    if change.start:
        end = change.end or (change.start + span if span is not None else None)
        return change.start, end, None, None
    start = make_aware_lenient(wall, get_zone(event.timezone))
    return start, (start + span if span is not None else None), None, None


def event_vevents(
    event: Event,
    *,
    language: str,
    zone: str | None = None,
    only_recurrence_id: dt.datetime | dt.date | None = None,
    relations: tuple[list, list] | None = None,
) -> tuple[list[VEvent], set[str]]:
    """The VEVENTs of one event (master, then each changed instance) and the TZIDs they use.

    Needs ``participations__city`` and ``changes`` prefetched (events.selectors.with_related).
    ``zone`` is a city feed's display zone (None: the event's own zone). ``relations`` =
    (participations with their cities, occurrence changes) when the caller loaded them itself.
    """
    language = normalise_language(language)
    if not event.is_scheduled:
        return [], set()
    if relations is None:
        relations = (related(event, "participations"), related(event, "changes"))
    parts, all_changes = relations
    with translation.override(language):
        zone_name = display_zone_name(event, zone)
        modified = last_change(event, parts, all_changes)
        tzids: set[str] = set() if event.is_all_day else {zone_name}
        result = []
        changes = [c for c in all_changes if not c.cancelled]
        if only_recurrence_id is None:
            start, end, start_date, end_date = _master_times(event)
            master = _base_vevent(event, language, modified, event.sequence)
            _add_times(master, event, zone_name, start, end, start_date, end_date)
            if event.rrule:
                master.add("RRULE", _rrule(event, zone_name))
                exdates = _exdates(event, zone_name, all_changes)
                if exdates:
                    master.add("EXDATE", exdates)
            local = city_times(event, start, end, start_date, end_date, parts)
            master.add("DESCRIPTION", _description(event, language, local, "", master=True))
            _add_place(master, event, language, "", parts)
            result.append(master)
        else:
            changes = [c for c in all_changes if _matches(c, event, only_recurrence_id)] or [
                _synthetic_change(event, only_recurrence_id)
            ]
        if event.rrule:
            for change in changes:
                start, end, start_date, end_date = _override_times(event, change)
                vevent = _base_vevent(event, language, modified, max(change.sequence, 0))
                if change.cancelled:
                    vevent.replace("STATUS", "CANCELLED")
                vevent.add("RECURRENCE-ID", _recurrence_id(change, event, zone_name))
                _add_times(vevent, event, zone_name, start, end, start_date, end_date)
                note = change.note_ru if language == "ru" and change.note_ru else change.note_en
                local = city_times(event, start, end, start_date, end_date, parts)
                vevent.add("DESCRIPTION", _description(event, language, local, note, master=False))
                _add_place(vevent, event, language, change.location, parts)
                result.append(vevent)
    return result, tzids


def _add_place(vevent, event: Event, language: str, override: str, parts: list) -> None:
    location = _location(event, language, parts, override)
    if location:
        vevent.add("LOCATION", location)
    geo = _geo(parts)
    if geo is not None:
        vevent.add("GEO", geo)


def _recurrence_key_of(event: Event, value: dt.datetime | dt.date) -> dt.datetime:
    from events.recurrence import recurrence_key

    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value.astimezone(dt.UTC)
        return recurrence_key(event, value)
    return recurrence_key(event, dt.datetime.combine(value, dt.time()))


def _matches(change: OccurrenceChange, event: Event, value: dt.datetime | dt.date) -> bool:
    return change.original_start == _recurrence_key_of(event, value)


def _synthetic_change(event: Event, value: dt.datetime | dt.date) -> OccurrenceChange:
    """An unchanged instance, shaped as a change, for an invitation about one occurrence."""
    from events.models import OccurrenceChange

    return OccurrenceChange(
        event=event, original_start=_recurrence_key_of(event, value), sequence=event.sequence
    )


def render_fragment(
    event: Event,
    *,
    language: str,
    zone: str | None = None,
    relations: tuple[list, list] | None = None,
) -> bytes:
    """The bytes of ``event``'s VEVENTs for a feed (what the fragment store keeps)."""
    vevents, _tzids = event_vevents(event, language=language, zone=zone, relations=relations)
    return b"".join(v.to_ical() for v in vevents)


def fragment_tzids(event: Event, zone: str | None = None) -> set[str]:
    if not event.is_scheduled or event.is_all_day:
        return set()
    return {display_zone_name(event, zone)}
