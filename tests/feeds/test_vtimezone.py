"""VTIMEZONEs checked against zoneinfo by an expansion of our own (dateutil for RRULEs)."""

import bisect
import datetime as dt
import random
import zoneinfo

import pytest
from dateutil import rrule

from events import ical
from events.ical import vtimezones

ZONES = [
    "Europe/Moscow",
    "Asia/Magadan",
    "Asia/Yakutsk",
    "Asia/Anadyr",
    "America/Anchorage",
    "America/New_York",
    "America/Chicago",
    "Asia/Tehran",
    "Europe/Dublin",
    "Australia/Lord_Howe",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "Pacific/Apia",
    "UTC",
    "Etc/UTC",
]
DEMO_ZONES = ["America/Anchorage", "Europe/Moscow", "Asia/Magadan", "Asia/Anadyr"]
END = dt.datetime(2200, 1, 1)


def _offset(text: str) -> dt.timedelta:
    sign = -1 if text[0] == "-" else 1
    hours, minutes, seconds = int(text[1:3]), int(text[3:5]), int(text[5:7] or 0)
    return sign * dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)


def _local(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y%m%dT%H%M%S")  # noqa: DTZ007


def _onsets(data: bytes) -> list[tuple[dt.datetime, dt.timedelta]]:
    """(UTC onset, offset from then on) of every observance instance up to 2200, sorted."""
    text = data.decode().replace("\r\n ", "")
    onsets = []
    block: dict[str, list[str]] = {}
    for line in text.split("\r\n"):
        name, _sep, value = line.partition(":")
        if name in ("BEGIN",) and value in ("STANDARD", "DAYLIGHT"):
            block = {}
        elif name == "END" and value in ("STANDARD", "DAYLIGHT"):
            start = _local(block["DTSTART"][0])
            before = _offset(block["TZOFFSETFROM"][0])
            after = _offset(block["TZOFFSETTO"][0])
            locals_ = [start] + [_local(v) for v in block.get("RDATE", [])]
            for rule in block.get("RRULE", []):
                locals_ += list(
                    rrule.rrulestr(rule, dtstart=start, cache=False).between(start, END, inc=True)
                )
            onsets += [(local - before, after) for local in set(locals_)]
        elif name:
            block.setdefault(name, []).append(value)
    return sorted(onsets)


def _offset_at(onsets, instant: dt.datetime) -> dt.timedelta:
    index = bisect.bisect_right(onsets, (instant, dt.timedelta.max)) - 1
    assert index >= 0, f"no observance in force at {instant}"
    return onsets[index][1]


def _instants(zone: str, since: dt.date) -> list[dt.datetime]:
    begin = dt.datetime.combine(since, dt.time())
    chosen = []
    for change in vtimezones.transitions(zone):
        at = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=change.at)
        if at >= begin:
            chosen += [at - dt.timedelta(hours=1), at, at + dt.timedelta(hours=1)]
    generator = random.Random(zone)
    span = int((END - begin).total_seconds())
    chosen += [begin + dt.timedelta(seconds=generator.randrange(span)) for _ in range(2000)]
    # Past the checked span: the yearly rules must go on (summer and winter of late years).
    chosen += [dt.datetime(year, month, 15) for year in range(2090, 2200) for month in (1, 7)]
    return [c for c in chosen if c >= begin]


@pytest.mark.parametrize("since", [dt.date(1940, 1, 1), dt.date(2011, 1, 1), dt.date(2026, 1, 1)])
@pytest.mark.parametrize("zone", ZONES)
def test_vtimezone_expanded_independently_matches_zoneinfo(zone, since):
    onsets = _onsets(ical.vtimezone(zone, since))
    tz = zoneinfo.ZoneInfo(zone)

    wrong = [
        instant
        for instant in _instants(zone, since)
        if _offset_at(onsets, instant) != instant.replace(tzinfo=dt.UTC).astimezone(tz).utcoffset()
    ]

    assert wrong == []


@pytest.mark.parametrize("zone", ZONES)
def test_vtimezone_rdate_lines_have_one_value(zone):
    lines = ical.vtimezone(zone).decode().replace("\r\n ", "").split("\r\n")

    assert [line for line in lines if line.startswith("RDATE") and "," in line] == []


@pytest.mark.parametrize("zone", DEMO_ZONES)
def test_vtimezone_single_event_block_is_compact(zone):
    since = ical.attachment_since([_Stub(dt.datetime(2027, 5, 9, 1, tzinfo=dt.UTC))])

    size = len(ical.vtimezone(zone, since))

    assert since == dt.date(2026, 1, 1)
    assert size <= 1500


@pytest.mark.parametrize("zone", ["America/Anchorage", "America/New_York", "Europe/Dublin"])
def test_vtimezone_current_rule_is_an_open_ended_rrule(zone):
    lines = ical.vtimezone(zone, dt.date(2026, 1, 1)).decode().split("\r\n")

    rules = [line for line in lines if line.startswith("RRULE")]

    assert len(rules) == 2
    assert all("UNTIL" not in rule and "COUNT" not in rule for rule in rules)


class _Stub:
    def __init__(self, start):
        self.start = start
        self.start_date = None
