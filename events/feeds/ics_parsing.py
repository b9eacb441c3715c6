"""Reading a partner's .ics: decode it (Windows zone names, X-WR-TIMEZONE, client quirks) and
turn every VEVENT into the fields events.services takes, or a refusal naming its UID and line.
Pure: nothing is stored here (events/feeds/importer.py writes); the file as a whole (size,
encoding, line numbers, the refusal) is ics_file.py's."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import icalendar
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from events.feeds.ics_file import (
    MAX_IMPORT_BYTES,
    ImportRefused,
    _refuse,
    decode_calendar,
    describe,
    message_of,
    vevent_lines,
)
from events.feeds.ics_text import in_languages, one_line, text_of
from events.models import Event
from events.rrules import validate_rrule
from events.timezones import canonical_zone, get_zone, make_aware_strict

MAX_IMPORT_EVENTS = getattr(settings, "FEEDS_IMPORT_MAX_EVENTS", 2000)
__all__ = [
    "MAX_IMPORT_BYTES",
    "MAX_IMPORT_EVENTS",
    "ImportOptions",
    "ImportRefused",
    "Parsed",
    "_refuse",
    "decode_calendar",
    "describe",
    "message_of",
    "parse_events",
    "vevent_lines",
]
_STATUS = {"TENTATIVE": "tentative", "CONFIRMED": "confirmed", "CANCELLED": "cancelled"}


@dataclass
class Parsed:
    uid: str
    fields: dict[str, Any]
    line: int | None = None
    overrides: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def content_hash(self) -> str:
        payload = json.dumps([self.fields, self.overrides], sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()


def _zone_of(prop, value: dt.datetime, default_zone: str, warnings: list[str]) -> str:
    """IANA name for an aware value (icalendar already maps Windows names such as
    "Russian Standard Time" through the CLDR table it ships)."""
    key = getattr(value.tzinfo, "key", None)
    tzid = str(prop.params.get("TZID", "")).strip('"') if prop is not None else ""
    # Old Lightning writes TZIDs such as "/mozilla.org/20070129_1/Europe/Moscow".
    tail = "/".join(tzid.split("/")[-2:]) if tzid.startswith("/") else ""
    for candidate in (key, tzid, WINDOWS_TO_OLSON.get(tzid), tail):
        if candidate:
            try:
                return canonical_zone(candidate)
            except ValidationError:
                continue
    if value.utcoffset() == dt.timedelta(0):
        return default_zone
    warnings.append(
        _("Unknown time zone; the time was kept as an instant in %(z)s.") % {"z": default_zone}
    )
    return default_zone


def _when(component, name: str, zone_name: str | None, default_zone: str, warnings: list[str]):
    """(value, zone) with aware datetimes; floating times are read in the default zone."""
    prop = component.get(name)
    if prop is None:
        return None, zone_name
    value = component.decoded(name)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            zone = zone_name or default_zone
            try:
                value = make_aware_strict(value, zone)
            except ValidationError as exc:
                raise ValueError(f"{name}: {' '.join(exc.messages)}") from exc
            warnings.append(_("Floating %(n)s read in %(z)s.") % {"n": name, "z": zone})
            return value, zone
        zone = zone_name or _zone_of(prop, value, default_zone, warnings)
        return value, zone
    if isinstance(value, dt.date):
        return value, zone_name
    raise ValueError(f"{name}: unsupported value")


def _kind(component, default_kind: str) -> str:
    cats = component.get("CATEGORIES")
    values: list[str] = []
    for item in cats if isinstance(cats, list) else [cats] if cats is not None else []:
        values.extend(str(c) for c in getattr(item, "cats", [item]))
    labels = {str(label).lower(): value for value, label in Event.Kind.choices}
    for raw in values:
        text = raw.strip().lower()
        if text in Event.Kind.values:
            return text
        if text in labels:
            return labels[text]
    return default_kind


def _rruletext_of(component, start, zone: str) -> str:
    rules = component.get("RRULE")
    if rules is None:
        return ""
    if isinstance(rules, list):
        if len(rules) > 1:
            raise ValueError("more than one RRULE is not supported")
        rules = rules[0]
    rule = icalendar.vRecur(dict(rules))
    until = rule.get("UNTIL")
    if until:
        value = until[0]
        # events.recurrence reads UNTIL as local wall-clock time in the event's zone.
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            value = value.astimezone(get_zone(zone)).replace(tzinfo=None)
        # A DATE series with a DATE-TIME UNTIL (Nextcloud): instances are local midnights, so
        # the local date of UNTIL keeps exactly the same instances, in the form RFC 5545 wants.
        if isinstance(value, dt.datetime) and not isinstance(start, dt.datetime):
            value = value.date()
        rule["UNTIL"] = [value]
    return rule.to_ical().decode()


def _repair_rrule(component) -> bool:
    """Old Outlook/CDO writes ``BYDAY=MO, TU, WE``: drop the spaces. True if repaired."""
    raw = component.get("RRULE")
    if raw is None or isinstance(raw, list | icalendar.vRecur):
        return False
    text = "".join(str(getattr(raw, "ical_value", raw)).split())
    try:
        component["RRULE"] = icalendar.vRecur.from_ical(text)
    except ValueError:
        return False
    return True


def _series_date(value: dt.date, name: str, zone: str) -> dt.date:
    """The instance date a RECURRENCE-ID or EXDATE names in an all-day (DATE) series.

    Exchange writes them as midnight in its own zone (``;TZID=...:20301224T000000``, or
    ``VALUE=DATE`` with a TZID): the wall-clock date in that zone is the instance.
    """
    if not isinstance(value, dt.datetime):
        return value
    if value.tzinfo is not None and value.utcoffset() == dt.timedelta(0):
        value = value.astimezone(get_zone(zone))
    if value.time() != dt.time():
        raise ValueError(
            f"{name} {value.isoformat()} is not a date of this all-day series (not midnight)"
        )
    return value.date()


def _exdates(component, all_day: bool, zone: str) -> list[str]:
    props = component.get("EXDATE")
    if props is None:
        return []
    result = []
    for prop in props if isinstance(props, list) else [props]:
        for item in prop.dts:
            value = item.dt
            if all_day:
                result.append(_series_date(value, "EXDATE", zone).isoformat())
            elif isinstance(value, dt.datetime):
                if value.tzinfo is not None:
                    value = value.astimezone(get_zone(zone)).replace(tzinfo=None)
                result.append(value.isoformat())
            else:
                result.append(value.isoformat())
    return sorted(set(result))


def _cdo_all_day(component, start, end) -> bool:
    flag = text_of(component, "X-MICROSOFT-CDO-ALLDAYEVENT") or text_of(
        component, "X-MICROSOFT-MSNCALENDAR-ALLDAYEVENT"
    )
    return (
        flag.upper() == "TRUE"
        and isinstance(start, dt.datetime)
        and start.time() == dt.time()
        and (end is None or (isinstance(end, dt.datetime) and end.time() == dt.time()))
    )


def _parse_master(component, options: ImportOptions, warnings: list[str]) -> dict[str, Any]:
    titles = [one_line(text) for text in in_languages(component, "SUMMARY", by_script=True)]
    if not any(titles):
        raise ValueError("no SUMMARY (title)")
    if any(len(title) > 200 for title in titles):
        warnings.append(_("Title shortened to 200 characters."))
    title_en, title_ru = (title[:200] for title in titles)
    description_en, description_ru = in_languages(component, "DESCRIPTION", by_script=True)
    location, location_ru = in_languages(component, "LOCATION", by_script=False)
    start, zone = _when(component, "DTSTART", None, options.default_timezone, warnings)
    if start is None:
        raise ValueError("no DTSTART")
    end, _zone = _when(component, "DTEND", zone, options.default_timezone, warnings)
    duration = component.decoded("DURATION") if component.get("DURATION") is not None else None
    if _cdo_all_day(component, start, end):
        # Exchange/CDO writes some all-day events as midnight-to-midnight in its own zone.
        start, end, duration = start.date(), end.date() if end is not None else None, None
    fields: dict[str, Any] = {
        "kind": _kind(component, options.kind),
        "status": _STATUS.get(text_of(component, "STATUS").upper(), Event.Status.CONFIRMED),
        "visibility": options.visibility,
        # Calendar apps write addresses on several lines; ours is one line.
        "location": one_line(location)[:300],
        "location_ru": one_line(location_ru)[:300],
        "title_en": title_en,
        "title_ru": title_ru,
        "description_en": description_en,
        "description_ru": description_ru,
    }
    if isinstance(start, dt.datetime):
        if end is None and duration is not None:
            end = start + duration
        if end is not None and not isinstance(end, dt.datetime):
            raise ValueError("DTSTART is a date-time but DTEND is a date")
        if end == start:
            end = None  # DTEND equal to DTSTART (or DURATION:PT0S): a moment, as ours are
        fields.update(precision=Event.Precision.TIME, timezone=zone, start=start, end=end)
    else:
        if isinstance(end, dt.datetime):
            raise ValueError("DTSTART is a date but DTEND is a date-time")
        if end is None and duration is not None:
            end = start + duration
        last = (end - dt.timedelta(days=1)) if end is not None and end > start else start
        fields.update(
            precision=Event.Precision.DAY,
            timezone=options.default_timezone,
            start_date=start,
            end_date=last if last != start else None,
        )
    zone_for_rule = fields["timezone"]
    fields["rrule"] = _rruletext_of(component, start, zone_for_rule)
    if fields["rrule"]:
        # Refuse unbounded expansion and a DTSTART that is not the rule's first instance here
        # already, so every bad event is reported at once (README: refused, not normalised).
        local_start = (
            start.astimezone(get_zone(zone_for_rule)).replace(tzinfo=None)
            if isinstance(start, dt.datetime)
            else dt.datetime.combine(start, dt.time())
        )
        try:
            validate_rrule(fields["rrule"], dtstart=local_start)
        except ValidationError as exc:
            raise ValueError(f"RRULE: {' '.join(exc.messages)}") from exc
    fields["exdates"] = _exdates(component, not isinstance(start, dt.datetime), zone_for_rule)
    if component.get("RDATE") is not None:
        warnings.append(_("RDATE is not supported and was ignored."))
    return fields


def _parse_override(component, master: dict[str, Any], options: ImportOptions) -> dict[str, Any]:
    warnings: list[str] = []
    rid, _zone = _when(component, "RECURRENCE-ID", master["timezone"], master["timezone"], warnings)
    if rid is None:
        raise ValueError("no RECURRENCE-ID")
    if master["precision"] == Event.Precision.DAY:
        rid = _series_date(rid, "RECURRENCE-ID", master["timezone"])
    elif isinstance(rid, dt.datetime):
        rid = rid.astimezone(get_zone(master["timezone"])).replace(tzinfo=None)
    else:
        raise ValueError(f"RECURRENCE-ID {rid.isoformat()} is a date but the series is timed")
    location, location_ru = in_languages(component, "LOCATION", by_script=False)
    values: dict[str, Any] = {
        "original_start": rid,
        "location": location[:300],
        "location_ru": location_ru[:300],
    }
    if text_of(component, "STATUS").upper() == "CANCELLED":
        values["cancelled"] = True
        return values
    start, zone = _when(component, "DTSTART", master["timezone"], master["timezone"], warnings)
    end, _zone = _when(component, "DTEND", zone, master["timezone"], warnings)
    if master["precision"] == Event.Precision.DAY and _cdo_all_day(component, start, end):
        start, end = start.date(), end.date() if end is not None else None
    if isinstance(start, dt.datetime):
        values.update(start=start, end=end if isinstance(end, dt.datetime) else None)
    elif start is not None:
        last = (end - dt.timedelta(days=1)) if isinstance(end, dt.date) and end > start else start
        values.update(start_date=start, end_date=last)
    return values


@dataclass(frozen=True)
class ImportOptions:
    source: str
    city_ids: tuple[int, ...] = ()
    kind: str = Event.Kind.OTHER
    visibility: str = Event.Visibility.PUBLIC
    default_timezone: str = "UTC"


def parse_events(
    calendar: icalendar.Calendar,
    options: ImportOptions,
    lines: list[int] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[list[Parsed], list[dict[str, Any]]]:
    """Every event of the calendar, or the problems found (UID, line and reason for each).

    ``lines`` is vevent_lines() of the file; a problem's line is None when they disagree.
    ``progress("parsed", done, total)`` is called every 100 VEVENTs."""
    vevents = calendar.walk("VEVENT")
    if len(vevents) > MAX_IMPORT_EVENTS:
        raise _refuse(
            _("The file holds %(n)d events; at most %(max)d are accepted per import.")
            % {"n": len(vevents), "max": MAX_IMPORT_EVENTS}
        )
    starts = lines if lines is not None and len(lines) == len(vevents) else [None] * len(vevents)
    problems: list[dict[str, Any]] = []
    masters: dict[str, Parsed] = {}
    overrides: list[tuple[str, Any, int | None]] = []
    for index, (component, line) in enumerate(zip(vevents, starts, strict=True), start=1):
        if progress is not None and index % 100 == 0:
            progress("parsed", index, len(vevents))
        uid = text_of(component, "UID")
        label = uid or f"#{index}"
        errors = getattr(component, "errors", None)
        if errors and any(name == "RRULE" for name, _e in errors) and _repair_rrule(component):
            errors = [(name, e) for name, e in errors if name != "RRULE"]
        if errors:
            problems.append(
                {"uid": label, "line": line, "error": "; ".join(f"{n}: {e}" for n, e in errors)}
            )
            continue
        if not uid:
            problems.append({"uid": label, "line": line, "error": "no UID"})
            continue
        if len(uid) > 500:
            problems.append(
                {"uid": label[:60], "line": line, "error": "UID longer than 500 characters"}
            )
            continue
        if component.get("RECURRENCE-ID") is not None:
            overrides.append((uid, component, line))
            continue
        if uid in masters:
            problems.append({"uid": uid, "line": line, "error": "the UID appears twice"})
            continue
        warnings: list[str] = []
        try:
            fields = _parse_master(component, options, warnings)
        except (ValueError, TypeError, KeyError, ValidationError) as exc:
            problems.append({"uid": uid, "line": line, "error": message_of(exc)})
            continue
        masters[uid] = Parsed(uid=uid, fields=fields, line=line, warnings=warnings)
    for uid, component, line in overrides:
        master = masters.get(uid)
        if master is None:
            problems.append(
                {"uid": uid, "line": line, "error": "RECURRENCE-ID without its recurring event"}
            )
            continue
        try:
            master.overrides.append(_parse_override(component, master.fields, options))
        except (ValueError, TypeError, KeyError, ValidationError) as exc:
            problems.append({"uid": uid, "line": line, "error": message_of(exc)})
    return list(masters.values()), problems
