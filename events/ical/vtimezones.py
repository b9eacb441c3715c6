"""VTIMEZONE components every calendar engine reads the same way.

icalendar's ``Timezone.from_tzid`` lists every transition on one comma-separated RDATE per
observance; ICAL.js (Thunderbird, Nextcloud) reads only the first value of such an RDATE, so
zones came out at the wrong offset for decades. This module writes what Outlook and Google
write instead:

* the zone's current yearly rule as two RRULE observances (``FREQ=YEARLY;BYMONTH=3;BYDAY=2SU``),
  open-ended, so instances past 2038 and 2100 stay right; a zone without DST now ends with one
  STANDARD observance;
* the history before that rule, from ``since`` on, as one observance per kind of transition
  with ONE RDATE PER LINE (never a multi-value RDATE);
* the observance in force at ``since`` always comes first, so the earliest times are right.

Transitions are read from the zone database: instants from the zone's TZif file, offsets and
names from ``zoneinfo`` itself, and later transitions (a "slim" file stops at the last rule
change) found by scanning ``zoneinfo`` to ``RULE_CHECKED_UNTIL``. A tail of transitions is
written as a rule only if the rule reproduces every one of them exactly up to that year.
"""

from __future__ import annotations

import calendar
import datetime as dt
import importlib.resources
import itertools
import os
import struct
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from events.ical.wire import fold
from events.timezones import get_zone

if TYPE_CHECKING:
    from events.models import Event

# Rules are verified against the zone database up to this year, and written open-ended.
RULE_CHECKED_UNTIL = 2100
# The onset of the observance in force before a zone's first transition (as Outlook writes).
BEGINNING = dt.datetime(1601, 1, 1)  # noqa: DTZ001 - a local wall-clock time
# A rule must hold this many years in a row (the weekday-calendar cycle) to be trusted past
# RULE_CHECKED_UNTIL; a shorter coincidence (Jerusalem's "Friday before the last Sunday" is the
# last Friday in some years) is written as RDATEs.
MIN_RULE_YEARS = 28
_SCAN_STEP = 86_400  # seconds: rule transitions are months apart
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Transition:
    at: int  # POSIX seconds of the change
    before: dt.timedelta  # UTC offset just before
    after: dt.timedelta  # UTC offset from ``at`` on
    dst: bool
    name: str

    @property
    def local(self) -> dt.datetime:
        """Onset as RFC 5545 writes it: wall-clock time in the offset before the change."""
        return dt.datetime(1970, 1, 1) + dt.timedelta(seconds=self.at) + self.before  # noqa: DTZ001

    @property
    def kind(self) -> tuple[dt.timedelta, dt.timedelta, bool, str]:
        return (self.before, self.after, self.dst, self.name)


@dataclass(frozen=True)
class YearlyRule:
    """An observance onset on one weekday of one month each year at one wall-clock time."""

    month: int
    weekday: int  # 0 = Monday
    nth: int  # 1..4, -1 = last, 0 = the weekday within ``first_day`` .. ``first_day + 6``
    first_day: int
    time: dt.time

    def onset(self, year: int) -> dt.datetime:
        length = calendar.monthrange(year, self.month)[1]
        if self.nth == -1:
            day = length - (dt.date(year, self.month, length).weekday() - self.weekday) % 7
        else:
            start = 7 * (self.nth - 1) + 1 if self.nth > 0 else self.first_day
            day = start + (self.weekday - dt.date(year, self.month, start).weekday()) % 7
        return dt.datetime.combine(dt.date(year, self.month, day), self.time)

    def rrule(self) -> str:
        text = f"RRULE:FREQ=YEARLY;BYMONTH={self.month};"
        if self.nth:
            return text + f"BYDAY={self.nth}{_DAYS[self.weekday]}"
        days = ",".join(str(d) for d in range(self.first_day, self.first_day + 7))
        return text + f"BYDAY={_DAYS[self.weekday]};BYMONTHDAY={days}"


# --- Reading the zone database -------------------------------------------------------------


def _tzif_bytes(key: str) -> bytes:
    """The TZif file zoneinfo reads for ``key`` (TZPATH first, then the tzdata package)."""
    for base in zoneinfo.TZPATH:
        path = os.path.join(base, key)
        if os.path.isfile(path):
            with open(path, "rb") as handle:
                return handle.read()
    resource = importlib.resources.files("tzdata.zoneinfo").joinpath(*key.split("/"))
    return resource.read_bytes()


def _tzif_instants(data: bytes) -> list[int]:
    """Transition instants of a TZif file (RFC 8536), from its 64-bit block when present."""
    if data[:4] != b"TZif":
        raise ValueError("not a TZif file")
    counts = struct.unpack(">6l", data[20:44])
    isutc, isstd, leap, timecnt, typecnt, charcnt = counts
    if data[4] == 0:  # version 1: 32-bit times only
        return list(struct.unpack(f">{timecnt}l", data[44 : 44 + 4 * timecnt]))
    skip = 44 + timecnt * 5 + typecnt * 6 + charcnt + leap * 8 + isstd + isutc
    counts = struct.unpack(">6l", data[skip + 20 : skip + 44])
    timecnt = counts[3]
    start = skip + 44
    return list(struct.unpack(f">{timecnt}q", data[start : start + 8 * timecnt]))


def _state(zone: zoneinfo.ZoneInfo, at: int) -> tuple[dt.timedelta, bool, str]:
    moment = dt.datetime.fromtimestamp(at, dt.UTC).astimezone(zone)
    return moment.utcoffset() or dt.timedelta(0), bool(moment.dst()), moment.tzname() or ""


def _change(zone: zoneinfo.ZoneInfo, at: int) -> Transition:
    before = _state(zone, at - 1)[0]
    after, dst, name = _state(zone, at)
    return Transition(at=at, before=before, after=after, dst=dst, name=name)


@lru_cache(maxsize=512)
def transitions(key: str) -> tuple[Transition, ...]:
    """Every change of UTC offset of zone ``key`` up to the end of ``RULE_CHECKED_UNTIL``."""
    zone = zoneinfo.ZoneInfo(key)
    limit = int(dt.datetime(RULE_CHECKED_UNTIL + 1, 1, 1, tzinfo=dt.UTC).timestamp())
    result = [
        change
        for at in _tzif_instants(_tzif_bytes(key))
        if at < limit and (change := _change(zone, at)).before != change.after
    ]
    # Past the file's last instant the POSIX footer rules: ask zoneinfo day by day.
    at = max([*_tzif_instants(_tzif_bytes(key)), 0])
    offset = _state(zone, at)[0]
    while at < limit:
        step = min(_SCAN_STEP, limit - at)
        if _state(zone, at + step)[0] != offset:
            low, high = at, at + step  # offset(low) == offset, offset(high) differs
            while high - low > 1:
                middle = (low + high) // 2
                if _state(zone, middle)[0] == offset:
                    low = middle
                else:
                    high = middle
            result.append(_change(zone, high))
            offset = result[-1].after
            at = high
        else:
            at += step
    return tuple(result)


# --- Finding the current yearly rule -------------------------------------------------------


def _rule_for(onsets: list[dt.datetime]) -> YearlyRule | None:
    """The yearly rule producing exactly ``onsets`` (one a year, consecutive years), if any."""
    first = onsets[0]
    if any(o.month != first.month or o.time() != first.time() for o in onsets):
        return None
    if any(o.weekday() != first.weekday() for o in onsets):
        return None
    if [o.year for o in onsets] != list(range(first.year, first.year + len(onsets))):
        return None
    nths = {(o.day - 1) // 7 + 1 for o in onsets}
    candidates = []
    if len(nths) == 1 and max(nths) <= 4:
        candidates.append(YearlyRule(first.month, first.weekday(), max(nths), 0, first.time()))
    candidates.append(YearlyRule(first.month, first.weekday(), -1, 0, first.time()))
    low = min(o.day for o in onsets)
    if low + 6 <= calendar.monthrange(2001, first.month)[1]:  # within the month every year
        candidates.append(YearlyRule(first.month, first.weekday(), 0, low, first.time()))
    for rule in candidates:
        if all(rule.onset(o.year) == o for o in onsets):
            return rule
    return None


def _rules_from(tail: tuple[Transition, ...]) -> list[tuple[Transition, YearlyRule]] | None:
    """Two alternating kinds of transition, each following a yearly rule, or None."""
    kinds = [t.kind for t in tail]
    if (
        len(tail) < 2 * MIN_RULE_YEARS
        or len(set(kinds)) != 2
        or any(a == b for a, b in itertools.pairwise(kinds))
    ):
        return None
    result = []
    for first in tail[:2]:
        onsets = [t.local for t in tail if t.kind == first.kind]
        rule = _rule_for(onsets)
        if rule is None:
            return None
        result.append((first, rule))
    return result


@lru_cache(maxsize=512)
def _split(key: str) -> tuple[int, list[tuple[Transition, YearlyRule]]]:
    """(index where the repeating rule takes over, the rule's two observances)."""
    changes = transitions(key)
    if not changes or changes[-1].local.year < RULE_CHECKED_UNTIL - 1:
        return len(changes), []
    start = len(changes) - 2
    pair = {changes[-1].kind, changes[-2].kind}
    while start > 0 and changes[start - 1].kind in pair - {changes[start].kind}:
        start -= 1
    for index in range(start, len(changes) - 2 * MIN_RULE_YEARS + 1):
        rules = _rules_from(changes[index:])
        if rules is not None:
            return index, rules
    return len(changes), []


# --- Writing -------------------------------------------------------------------------------


def _offset(value: dt.timedelta) -> str:
    seconds = int(value.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")


def _stamp(value: dt.datetime) -> str:
    return f"{value.year:04d}{value.month:02d}{value.day:02d}T{value:%H%M%S}"


def _observance(
    daylight: bool, first: Transition, rest: list[str], *, onset: dt.datetime | None = None
) -> list[str]:
    name = "DAYLIGHT" if daylight else "STANDARD"
    lines = [
        f"BEGIN:{name}",
        f"DTSTART:{_stamp(onset or first.local)}",
        f"TZOFFSETFROM:{_offset(first.before)}",
        f"TZOFFSETTO:{_offset(first.after)}",
    ]
    if first.name:
        lines.append(f"TZNAME:{first.name}")
    lines.extend(rest)
    lines.append(f"END:{name}")
    return lines


def vtimezone_lines(key: str, since: dt.date) -> list[str]:
    """The content lines of the VTIMEZONE of ``key`` valid from ``since`` on."""
    changes = transitions(key)
    cut, rules = _split(key)
    # A day of margin: ``since`` is a local date and zones are at most a day from UTC.
    since_at = int(dt.datetime.combine(since, dt.time(), dt.UTC).timestamp()) - 86_400
    first = next((i for i, t in enumerate(changes) if t.at > since_at), len(changes))
    first = max(first - 1, 0)  # the transition in force at ``since``
    lines = ["BEGIN:VTIMEZONE", f"TZID:{key}"]
    if not changes or changes[0].at > since_at:
        # ``since`` is before the first change (or there is none): the zone's initial offset.
        zone = zoneinfo.ZoneInfo(key)
        initial = changes[0].before if changes else _state(zone, since_at)[0]
        name = _state(zone, changes[0].at - 1)[2] if changes else _state(zone, since_at)[2]
        base = Transition(at=0, before=initial, after=initial, dst=False, name=name)
        lines += _observance(False, base, [], onset=BEGINNING)
    historic = changes[first:cut]
    groups: dict[tuple, list[Transition]] = {}
    for change in historic:
        groups.setdefault(change.kind, []).append(change)
    for members in groups.values():
        head = members[0]
        daylight = head.dst and head.after > head.before
        lines += _observance(daylight, head, [f"RDATE:{_stamp(t.local)}" for t in members[1:]])
    if rules:
        offsets = [t.after for t, _rule in rules]
        for change, rule in rules:
            # Start the rule at its first onset at or after the transition in force at since.
            begin = max(cut, first)
            onset = next(t for t in changes[begin:] if t.kind == change.kind)
            lines += _observance(
                change.after == max(offsets), onset, [rule.rrule()], onset=onset.local
            )
    lines.append("END:VTIMEZONE")
    return lines


# VTIMEZONE definitions cover this span by default: ALSIB-era commemorations on.
VTIMEZONE_FIRST = dt.date(1940, 1, 1)
# A calendar needs at least one component (RFC 5545 section 3.6): an empty feed carries this
# zone's VTIMEZONE so it stays valid for libical and Evolution.
EMPTY_CALENDAR_ZONE = "Etc/UTC"


@lru_cache(maxsize=512)
def vtimezone(tzid: str, since: dt.date | None = None) -> bytes:
    """The VTIMEZONE for an IANA zone valid from ``since`` (default: 1940) on, as folded CRLF
    content lines (cached per process)."""
    get_zone(tzid)  # refuse unknown names
    return b"".join(fold(line) for line in vtimezone_lines(tzid, since or VTIMEZONE_FIRST))


def attachment_since(events: Iterable[Event]) -> dt.date | None:
    """Where a single-event calendar's VTIMEZONEs start: a year before its first date's year."""
    found = [event.start.date() if event.start else event.start_date for event in events]
    days: list[dt.date] = [day for day in found if day is not None]
    return dt.date(min(days).year - 1, 1, 1) if days else None


def timezones_block(tzids: Iterable[str], since: dt.date | None = None) -> bytes:
    """The VTIMEZONEs of ``tzids``; never empty, so a calendar always has a component."""
    names = sorted(set(tzids)) or [EMPTY_CALENDAR_ZONE]
    return b"".join(vtimezone(tzid, since) for tzid in names)
