"""The four independent engines, each behind one function: calendars in, instance sets out.

Every engine gets a batch of .ics texts and a UTC window [start, end) and returns, per
calendar, an ``EngineResult``: the set of (UID, UTC start ISO with Z) instances it shows
(cancelled instances and events excluded) and the errors it reported. ICAL.js and libical run
as one subprocess per batch to keep the suite fast.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).parent
NODE = shutil.which("node") or "/usr/bin/node"
SYSTEM_PYTHON = "/usr/bin/python3"
Instance = tuple[str, str]


@dataclass
class EngineResult:
    instances: set[Instance] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    itip_errors: list[str] = field(default_factory=list)


def _require(condition: bool, what: str) -> None:
    if condition:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} is required in CI (scripts/test installs it)")
    pytest.skip(f"{what} missing: run ./scripts/test tests/interop to install it")


def _iso(value: dt.datetime | dt.date) -> str:
    """An instance's start as compared across engines: UTC with Z, or the date of an all-day
    instance."""
    if not isinstance(value, dt.datetime):
        return value.isoformat()
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _in_window(value: dt.datetime | dt.date, start: dt.datetime, end: dt.datetime) -> bool:
    if not isinstance(value, dt.datetime):
        return start.date() <= value < end.date()
    return start <= value < end


def _shown(status: str) -> bool:
    return status.upper() != "CANCELLED"


def _subprocess(cmd: list[str], payload: dict) -> list[dict]:
    done = subprocess.run(
        cmd, input=json.dumps(payload), capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode != 0:
        raise AssertionError(f"{cmd[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def _from_rows(rows: list[dict]) -> list[EngineResult]:
    return [
        EngineResult(
            instances={(uid, start) for uid, start, status in row["instances"] if _shown(status)},
            errors=list(row["errors"]),
            itip_errors=list(row.get("itip", [])),
        )
        for row in rows
    ]


def icaljs(calendars: list[bytes], start: dt.datetime, end: dt.datetime) -> list[EngineResult]:
    """ICAL.js (Thunderbird, Nextcloud): tests/interop/js/expand.mjs under the machine's node."""
    _require(Path(NODE).exists(), "node")
    _require((HERE / "js/node_modules/ical.js").is_dir(), "npm package ical.js")
    payload = {
        "calendars": [c.decode() for c in calendars],
        "start": _iso(start),
        "end": _iso(end),
    }
    return _from_rows(_subprocess([NODE, str(HERE / "js/expand.mjs")], payload))


def libical(
    calendars: list[bytes], start: dt.datetime, end: dt.datetime, *, itip: bool = False
) -> list[EngineResult]:
    """libical through GObject introspection (Evolution), with the system python."""
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import gi; gi.require_version('ICalGLib', '3.0')"],
        capture_output=True,
        check=False,
    )
    _require(probe.returncode == 0, "python3-gi + gir1.2-ical-3.0")
    payload = {
        "calendars": [c.decode() for c in calendars],
        "start": _iso(start),
        "end": _iso(end),
        "itip": [itip] * len(calendars),
    }
    return _from_rows(_subprocess([SYSTEM_PYTHON, str(HERE / "libical_expand.py")], payload))


def ical_timeline(
    calendars: list[bytes], start: dt.datetime, end: dt.datetime
) -> list[EngineResult]:
    """allenporter's ``ical`` (Home Assistant): its own parser and timeline."""
    from ical.calendar_stream import IcsCalendarStream

    results = []
    for data in calendars:
        result = EngineResult()
        try:
            calendar = IcsCalendarStream.calendar_from_ics(data.decode())
            for item in calendar.timeline_tz(dt.UTC).overlapping(start, end):
                begin = item.dtstart
                status = str(item.status.value) if item.status else ""
                if _in_window(begin, start, end) and _shown(status):
                    result.instances.add((item.uid, _iso(begin)))
        except Exception as exc:
            result.errors.append(f"{type(exc).__name__}: {exc}")
        results.append(result)
    return results


def recurring_ical_events(
    calendars: list[bytes], start: dt.datetime, end: dt.datetime
) -> list[EngineResult]:
    """recurring-ical-events on top of the icalendar parser."""
    import icalendar
    import recurring_ical_events as rie

    results = []
    for data in calendars:
        result = EngineResult()
        try:
            calendar = icalendar.Calendar.from_ical(data)
            for vevent in rie.of(calendar).between(start, end):
                begin = vevent.decoded("DTSTART")
                if _in_window(begin, start, end) and _shown(str(vevent.get("STATUS", ""))):
                    result.instances.add((str(vevent["UID"]), _iso(begin)))
        except Exception as exc:
            result.errors.append(f"{type(exc).__name__}: {exc}")
        results.append(result)
    return results


ENGINES = {
    "ICAL.js": icaljs,
    "libical": libical,
    "ical": ical_timeline,
    "recurring-ical-events": recurring_ical_events,
}


def run_all(
    calendars: list[bytes], start: dt.datetime, end: dt.datetime
) -> dict[str, list[EngineResult]]:
    """Every engine over the same batch: {engine name: one result per calendar}."""
    return {name: engine(calendars, start, end) for name, engine in ENGINES.items()}
