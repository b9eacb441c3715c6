"""Four independent engines (ICAL.js, libical, ``ical``, recurring-ical-events) read the
Anchorage → Magadan leg as the same UTC instants, and those are what the API says.

The engines report instance starts only; to read each engine's DTEND in the arrival zone too,
the same feed is also given with each VEVENT's DTEND made its DTSTART (same TZID, same
VTIMEZONE block), so every engine resolves the arrival's Asia/Magadan wall time itself.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from events.ical.itinerary import leg_uid
from tests.interop import engines

pytestmark = pytest.mark.django_db

WINDOW = (dt.datetime(2030, 1, 1, tzinfo=dt.UTC), dt.datetime(2031, 1, 1, tzinfo=dt.UTC))


def _ends_as_starts(body: bytes) -> bytes:
    """Each VEVENT with a DTEND: drop DTSTART, rename DTEND to DTSTART."""

    def swap(match: re.Match[bytes]) -> bytes:
        block = match.group(0)
        if b"\r\nDTEND" not in block:
            return block
        block = re.sub(rb"\r\nDTSTART[;:][^\r]*", b"", block)
        return block.replace(b"\r\nDTEND", b"\r\nDTSTART")

    return re.sub(rb"BEGIN:VEVENT.*?END:VEVENT", swap, body, flags=re.S)


def _z(value: str) -> str:
    return dt.datetime.fromisoformat(value).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_engines_agree_on_the_leg_and_match_the_api(client, flight, visit, anchorage, magadan):
    api = client.get(f"/api/events/{visit.pk}/itinerary/legs/{flight.pk}/").json()
    paths = [
        f"/feeds/event/{visit.slug}.ics",
        "/feeds/all.ics",
        f"/feeds/city/{anchorage.slug}.ics",
        f"/feeds/city/{magadan.slug}.ics",
    ]
    bodies = [b"".join(client.get(path).streaming_content) for path in paths]
    calendars = bodies + [_ends_as_starts(body) for body in bodies]

    results = engines.run_all(calendars, *WINDOW)

    uid = leg_uid(visit, flight)
    expected_start = (uid, _z(api["departs_at"]))
    expected_end = (uid, _z(api["arrives_at"]))
    assert expected_start == (uid, "2030-05-09T06:00:00Z")
    assert expected_end == (uid, "2030-05-09T10:30:00Z")
    for name, per_calendar in results.items():
        for index, result in enumerate(per_calendar):
            label = f"{name}, {paths[index % len(paths)]}{' (ends)' if index >= 4 else ''}"
            assert not result.errors, f"{label}: {result.errors}"
            legs = {i for i in result.instances if i[0] == uid}
            assert legs == {expected_end if index >= len(paths) else expected_start}, label
        reference = results["recurring-ical-events"]
        assert [r.instances for r in per_calendar] == [r.instances for r in reference], name
