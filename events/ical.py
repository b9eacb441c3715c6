"""The one iCalendar building module: events in, calendar bytes out.

Feeds, single-event downloads and email invitations all render events here, so a UID, a
SEQUENCE and a time look the same wherever a calendar client meets them.

Rules (see events/feeds/README.md for the reasons):
* UID ``<Event.uid>@twinning-calendar`` never changes; SEQUENCE is ``Event.sequence`` (and
  ``OccurrenceChange.sequence`` on a RECURRENCE-ID VEVENT).
* DTSTAMP and LAST-MODIFIED are the last change of anything the VEVENT shows (the event, its
  occurrence changes, its participating cities), so a render is a pure function of the data and
  a stored fragment is byte-identical to a fresh render.
* Timed events carry ``TZID`` and every calendar carries the VTIMEZONE of each zone, generated
  from the zone database. All-day events are DATE values with an exclusive DTEND.
* A *display zone* (a city feed) shows one-off instant events in that city's zone; LOCAL-mode
  events repeat at the same wall-clock time in that zone. A recurring instant event keeps its
  own zone, because its rule (e.g. BYMONTHDAY=9) is defined there: converting DTSTART to a zone
  on the other side of the date line would make the rule generate wrong dates.
* A cancelled instance is an EXDATE (every client honours EXDATE in a subscribed feed; an
  override with STATUS:CANCELLED is ignored by several); a moved or re-placed instance is its
  own VEVENT with RECURRENCE-ID = the original local start.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import icalendar
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from events import ical_tz
from events.recurrence import CityTime, city_times, parse_exdates
from events.timezones import get_zone, make_aware_lenient

if TYPE_CHECKING:
    from events.models import Event, OccurrenceChange

PRODID = "-//Twinning calendar//Feeds 1.0//EN"
UID_DOMAIN = "twinning-calendar"
REFRESH_INTERVAL = dt.timedelta(hours=6)
# VTIMEZONE definitions cover this span: ALSIB-era commemorations to far-future recurrences.
VTIMEZONE_FIRST = dt.date(1940, 1, 1)
# Bump when the rendering changes so stored fragments are rebuilt.
RENDER_VERSION = "3"
CALENDAR_END = b"END:VCALENDAR\r\n"
LANGUAGES = ("en", "ru")


@lru_cache(maxsize=1)
def _translations_stamp() -> str:
    """Size and mtime of the compiled catalogues: new translations re-render fragments."""
    from pathlib import Path

    parts = []
    for base in settings.LOCALE_PATHS:
        for mo in sorted(Path(base).glob("*/LC_MESSAGES/django.mo")):
            info = mo.stat()
            parts.append(f"{mo.parent.parent.name}:{info.st_size}:{int(info.st_mtime)}")
    return ",".join(parts)


def render_salt() -> str:
    """Part of every fragment's version: renderer version, the settings and catalogues it reads."""
    seed = f"{settings.SITE_URL}|{settings.DEFAULT_FROM_EMAIL}|{_translations_stamp()}"
    return f"{RENDER_VERSION}.{hashlib.sha256(seed.encode()).hexdigest()[:8]}"


def event_uid(event: Event) -> str:
    return f"{event.uid}@{UID_DOMAIN}"


def event_url(event: Event) -> str:
    return f"{settings.SITE_URL}/events/{event.slug}/"


def normalise_language(language: str | None) -> str:
    return "ru" if (language or "").lower().startswith("ru") else "en"


def stamp(value: dt.datetime | None) -> str:
    """A compact, exact text form of an instant for version keys."""
    if value is None:
        return "-"
    return str(int(value.timestamp() * 1_000_000))


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


def fragment_version(event: Event, relations: tuple[list, list] | None = None) -> str:
    """The key a stored fragment must match; the feed query computes the same in SQL."""
    if relations is None:
        relations = (related(event, "participations"), related(event, "changes"))
    cities = [p.city.updated_at for p in relations[0]]
    changes = [c.updated_at for c in relations[1]]
    return version_key(
        event.sequence,
        event.updated_at,
        max(cities) if cities else None,
        max(changes) if changes else None,
    )


def version_key(
    sequence: int,
    updated_at: dt.datetime,
    cities_updated_at: dt.datetime | None,
    changes_updated_at: dt.datetime | None,
) -> str:
    return (
        f"{render_salt()}:{sequence}:{stamp(updated_at)}:"
        f"{stamp(cities_updated_at)}:{stamp(changes_updated_at)}"
    )


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


# --- VEVENTs -------------------------------------------------------------------------------


def fold(line: str) -> bytes:
    """One content line, folded at 75 octets (RFC 5545 3.1), CRLF-terminated.

    Never splits a UTF-8 character, and never ends a physical line with a backslash so a
    TEXT escape such as ``\\,`` stays on one line (several clients mis-read split escapes).
    Byte slicing instead of icalendar's per-character loop: folding was most of the render time.
    """
    data = line.encode()
    if len(data) <= 75:
        return data + b"\r\n"
    parts = []
    start, limit = 0, 75
    while len(data) - start > limit:
        cut = start + limit
        while data[cut] & 0xC0 == 0x80:  # a UTF-8 continuation byte: move before the char
            cut -= 1
        if data[cut - 1] == 0x5C and cut - 1 > start:  # backslash
            cut -= 1
        parts.append(data[start:cut])
        start, limit = cut, 74  # continuation lines start with a space
    parts.append(data[start:])
    return b"\r\n ".join(parts) + b"\r\n"


_URI_PROPERTIES = frozenset({"URL"})


# RFC 5545 forbids control characters in TEXT (except HTAB; newlines are escaped).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def escape_text(value: str) -> str:
    """RFC 5545 section 3.3.11 TEXT escaping: backslash, semicolon, comma, newline."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROLS.search(value):
        value = _CONTROLS.sub("", value)
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _basic(value: dt.datetime) -> str:
    return (
        f"{value.year:04d}{value.month:02d}{value.day:02d}"
        f"T{value.hour:02d}{value.minute:02d}{value.second:02d}"
    )


def _param(value: str) -> str:
    return f'"{value}"' if any(c in value for c in ":;,") else value


class VEvent:
    """A VEVENT as ordered content lines; values are encoded with icalendar's value types.

    Deliberately tiny: icalendar's Component costs several times more per event (generic
    property lookup, per-character folding), and feeds render tens of thousands of these.
    """

    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    def add(self, name: str, value: Any, parameters: dict[str, str] | None = None) -> None:
        params = dict(parameters or {})
        if isinstance(value, dt.datetime):
            text = self._datetime(value, params)
        elif isinstance(value, dt.date):
            params["VALUE"] = "DATE"
            text = f"{value.year:04d}{value.month:02d}{value.day:02d}"
        elif isinstance(value, bool):
            text = "TRUE" if value else "FALSE"
        elif isinstance(value, int):
            text = str(value)
        elif isinstance(value, list):
            if value and isinstance(value[0], dt.datetime):
                text = ",".join(self._datetime(v, params) for v in value)
            elif value and isinstance(value[0], dt.date):
                params["VALUE"] = "DATE"
                text = ",".join(f"{v.year:04d}{v.month:02d}{v.day:02d}" for v in value)
            else:
                text = ",".join(escape_text(v) for v in value)
        elif isinstance(value, tuple):
            text = icalendar.vGeo(value).to_ical()
        elif isinstance(value, icalendar.vCalAddress):
            params.update({k: str(v) for k, v in value.params.items()})
            text = str(value)
        elif hasattr(value, "to_ical"):
            text = value.to_ical()
            text = text.decode() if isinstance(text, bytes) else text
        elif name in _URI_PROPERTIES:
            text = str(value)
        else:
            text = escape_text(str(value))
        head = name + "".join(f";{k}={_param(v)}" for k, v in params.items())
        self.lines.append((name, f"{head}:{text}"))

    @staticmethod
    def _datetime(value: dt.datetime, params: dict[str, str]) -> str:
        if value.utcoffset() == dt.timedelta(0) and getattr(value.tzinfo, "key", "UTC") in (
            "UTC",
            "Etc/UTC",
        ):
            return _basic(value.astimezone(dt.UTC)) + "Z"
        params["TZID"] = value.tzinfo.key  # type: ignore[union-attr]
        return _basic(value)

    def __contains__(self, name: str) -> bool:
        return any(n == name for n, _line in self.lines)

    def replace(self, name: str, value: Any) -> None:
        self.lines = [(n, line) for n, line in self.lines if n != name]
        self.add(name, value)

    def to_ical(self) -> bytes:
        body = b"".join(fold(line) for _name, line in self.lines)
        return b"BEGIN:VEVENT\r\n" + body + b"END:VEVENT\r\n"


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


# --- Calendars -----------------------------------------------------------------------------


@lru_cache(maxsize=512)
def vtimezone(tzid: str, since: dt.date | None = None) -> bytes:
    """The VTIMEZONE for an IANA zone valid from ``since`` (default: 1940) on, generated from
    the zone database by ``events.ical_tz`` (cached per process)."""
    get_zone(tzid)  # refuse unknown names
    return ical_tz.vtimezone(tzid, since or VTIMEZONE_FIRST, fold)


def attachment_since(events: Iterable[Event]) -> dt.date | None:
    """Where a single-event calendar's VTIMEZONEs start: a year before its first date's year."""
    found = [event.start.date() if event.start else event.start_date for event in events]
    days: list[dt.date] = [day for day in found if day is not None]
    return dt.date(min(days).year - 1, 1, 1) if days else None


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


# A calendar needs at least one component (RFC 5545 section 3.6): an empty feed carries this
# zone's VTIMEZONE so it stays valid for libical and Evolution.
EMPTY_CALENDAR_ZONE = "Etc/UTC"


def timezones_block(tzids: Iterable[str], since: dt.date | None = None) -> bytes:
    """The VTIMEZONEs of ``tzids``; never empty, so a calendar always has a component."""
    names = sorted(set(tzids)) or [EMPTY_CALENDAR_ZONE]
    return b"".join(vtimezone(tzid, since) for tzid in names)


def render_calendar(
    events: Iterable[Event],
    *,
    language: str,
    name: str,
    description: str = "",
    zone: str | None = None,
) -> bytes:
    """A whole feed rendered fresh (single-event downloads, tests, the uncached path)."""
    bodies: list[bytes] = []
    tzids: set[str] = set()
    events = list(events)
    for event in events:
        vevents, used = event_vevents(event, language=language, zone=zone)
        bodies.extend(v.to_ical() for v in vevents)
        tzids |= used
    return (
        calendar_head(name=name, description=description)
        + timezones_block(tzids, attachment_since(events))
        + b"".join(bodies)
        + CALENDAR_END
    )


def invitation_ics(
    event: Event,
    *,
    language: str,
    method: str = "REQUEST",
    recurrence_id: dt.datetime | dt.date | None = None,
    attendee: str | None = None,
) -> bytes:
    """One event (or one occurrence) as an iTIP calendar for an email attachment.

    ``attendee`` (an email address), when given, is added as ATTENDEE;RSVP=FALSE so Outlook
    files the invitation for that mailbox without asking for a reply.

    ``method`` is REQUEST (new or changed) or CANCEL. ``recurrence_id`` picks one instance of a
    recurring event: its original start (aware instant, or naive local time in the event's
    zone) or its date for all-day events. UID and SEQUENCE are those of the feeds, so a client
    that subscribed to a feed and got the email sees one event. Pure: reads prefetched
    relations when present, otherwise queries them.
    """
    method = method.upper()
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method!r}")
    if not event.is_scheduled:
        raise ValueError("an event without a calendar date (month/year/unknown) has no .ics")
    language = normalise_language(language)
    if recurrence_id is not None and not event.rrule:
        recurrence_id = None
    vevents, tzids = event_vevents(event, language=language, only_recurrence_id=recurrence_id)
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


def _address(value: str) -> str:
    if "<" in value and value.endswith(">"):
        return value.rsplit("<", 1)[1][:-1].strip()
    return value.strip()


def _display_name(value: str) -> str:
    if "<" in value:
        return value.split("<", 1)[0].strip().strip('"') or _address(value)
    return value.strip()
