"""Property tests: our hand-written wire format (events/ical/wire.py) against icalendar's
parser, which it replaces for speed."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import icalendar
from hypothesis import given, settings
from hypothesis import strategies as st

from events.ical.wire import VEvent, escape_text, fold

# Any text a coordinator could type, Cyrillic and emoji included, plus the characters TEXT
# escaping is about.
TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
        st.sampled_from([*",;\\\n\r:\"'", "М", "а", "🎉", "é"]),
    ),
    max_size=300,
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _expected(value: str) -> str:
    """What a TEXT value can carry: newlines as LF, no control characters."""
    return _CONTROLS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_fold_keeps_lines_short_and_unfolds_to_the_original(value):
    line = "SUMMARY:" + escape_text(value)

    folded = fold(line)

    assert folded.endswith(b"\r\n")
    physical = folded[:-2].split(b"\r\n")
    assert all(len(part) <= 75 for part in physical)
    for part in physical:
        part.decode()  # never splits a UTF-8 character
        assert not part.endswith(b"\\") or part.endswith(b"\\\\")
    assert folded[:-2].replace(b"\r\n ", b"").decode() == line


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT)
def test_icalendar_reads_back_what_we_write(summary, location):
    vevent = VEvent()
    vevent.add("UID", "1@test")
    vevent.add("DTSTAMP", dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    vevent.add("DTSTART", dt.datetime(2030, 5, 9, 10, 0, tzinfo=ZoneInfo("Asia/Magadan")))
    vevent.add("SUMMARY", summary)
    vevent.add("LOCATION", location)
    vevent.add("CATEGORIES", [summary or "x", "Commemoration"])
    text = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:t\r\n" + vevent.to_ical() + b"END:VCALENDAR\r\n"
    )

    [parsed] = icalendar.Calendar.from_ical(text).walk("VEVENT")

    assert str(parsed.get("SUMMARY", "")) == _expected(summary)
    assert str(parsed.get("LOCATION", "")) == _expected(location)
    assert parsed.decoded("DTSTART") == dt.datetime(
        2030, 5, 9, 10, 0, tzinfo=ZoneInfo("Asia/Magadan")
    )
    assert parsed["DTSTART"].params["TZID"] == "Asia/Magadan"


@settings(max_examples=100, deadline=None)
@given(st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1)))
def test_dates_and_utc_times_read_back_exactly(moment):
    moment = moment.replace(microsecond=0)
    vevent = VEvent()
    vevent.add("DTSTART", moment.replace(tzinfo=dt.UTC))
    vevent.add("DTEND", moment.date())
    text = vevent.to_ical()

    parsed = icalendar.Event.from_ical(text)

    assert parsed.decoded("DTSTART") == moment.replace(tzinfo=dt.UTC)
    assert parsed.decoded("DTEND") == moment.date()
