"""Feeds checked with parsers we do not write with: vobject, ical, recurring-ical-events."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import vobject
from ical.calendar_stream import IcsCalendarStream

from events import ical, services
from events.models import Event
from events.selectors import with_related
from tests.feeds.conftest import fetch

ANCHORAGE = ZoneInfo("America/Anchorage")
ANADYR = ZoneInfo("Asia/Anadyr")


def _vevents(body: bytes):
    calendar = vobject.readOne(body.decode())
    return calendar, list(getattr(calendar, "vevent_list", []))


def _lines(body: bytes) -> list[bytes]:
    assert body.endswith(b"\r\n")
    return body[:-2].split(b"\r\n")


def test_feed_lines_are_crlf_and_folded_at_75_octets_without_splitting_utf8(client, egvekinot):
    services.create_event(
        title_ru="Очень длинное название, с запятыми; и точками с запятой — " * 3,
        description_ru="Описание; с \\ обратной косой чертой,\nи переводом строки. " * 5,
        kind=Event.Kind.COMMEMORATION,
        status=Event.Status.CONFIRMED,
        timezone="Asia/Anadyr",
        start=dt.datetime(2030, 5, 9, 12, 0),
        participations=[services.ParticipationInput(city_id=egvekinot.pk)],
    )

    status, body, _response = fetch(client, "/feeds/all.ics?lang=ru")

    assert status == 200
    assert b"\n" not in body.replace(b"\r\n", b"")
    for line in _lines(body):
        assert len(line) <= 75
        line.decode("utf-8")  # every physical line is valid UTF-8: no character was split


def test_feed_text_escaping_and_cyrillic_round_trip_through_vobject_and_ical(client, egvekinot):
    title = "Встреча, делегации; Эгвекинот \\ Фэрбанкс"
    description = "Первая строка,\nвторая; строка"
    services.create_event(
        title_ru=title,
        description_ru=description,
        kind=Event.Kind.DELEGATION_VISIT,
        status=Event.Status.CONFIRMED,
        timezone="Asia/Anadyr",
        start=dt.datetime(2030, 6, 1, 12, 0),
        location="Дом культуры, ул. Ленина; 1",
        participations=[services.ParticipationInput(city_id=egvekinot.pk)],
    )

    _status, body, _response = fetch(client, "/feeds/all.ics?lang=ru")

    _calendar, [vevent] = _vevents(body)
    assert vevent.summary.value == title
    assert vevent.description.value.startswith(description)
    assert vevent.location.value == "Дом культуры, ул. Ленина; 1"
    [parsed] = IcsCalendarStream.calendar_from_ics(body.decode()).events
    assert parsed.summary == title


def test_feed_every_tzid_has_its_vtimezone_and_parses_with_ical(
    client, ceremony, victory_day, festival
):
    for url in ["/feeds/all.ics", "/feeds/city/fairbanks.ics", "/feeds/city/egvekinot.ics"]:
        _status, body, _response = fetch(client, url)
        text = body.decode()
        used = set(re.findall(r";TZID=([^:;]+)[:;]", text))
        defined = set(re.findall(r"^TZID:(.+)\r$", text, flags=re.M))
        assert used <= defined, url
        IcsCalendarStream.calendar_from_ics(text)  # raises on invalid RFC 5545
        assert text.startswith("BEGIN:VCALENDAR\r\n")
        for prop in ("PRODID:", "VERSION:2.0", "X-WR-CALNAME:", "X-WR-CALDESC:"):
            assert f"\r\n{prop}" in text
        assert "REFRESH-INTERVAL;VALUE=DURATION:PT6H" in text
        assert "X-PUBLISHED-TTL:PT6H" in text


def test_city_feeds_show_simultaneous_ceremony_on_different_local_dates(client, ceremony):
    _s, fairbanks_body, _r = fetch(client, "/feeds/city/fairbanks.ics")
    _s, egvekinot_body, _r = fetch(client, "/feeds/city/egvekinot.ics")

    # vobject (dateutil) misreads RDATE-style VTIMEZONEs, so times are checked with `ical`.
    [in_fairbanks] = IcsCalendarStream.calendar_from_ics(fairbanks_body.decode()).events
    [in_egvekinot] = IcsCalendarStream.calendar_from_ics(egvekinot_body.decode()).events
    assert in_fairbanks.dtstart == in_egvekinot.dtstart  # one instant
    assert in_fairbanks.dtstart.replace(tzinfo=None) == dt.datetime(2030, 5, 8, 16, 0)
    assert in_egvekinot.dtstart.replace(tzinfo=None) == dt.datetime(2030, 5, 9, 12, 0)
    assert "TZID=America/Anchorage:20300508T160000" in fairbanks_body.decode()
    assert in_fairbanks.uid == in_egvekinot.uid == f"{ceremony.uid}@twinning-calendar"
    description = in_fairbanks.description
    assert "Egvekinot (Host): 2030-05-09 12:00" in description
    assert "Fairbanks (Host): 2030-05-08 16:00" in description


def test_annual_commemoration_expands_with_moved_and_cancelled_years(
    client, victory_day, fairbanks
):
    _s, body, _r = fetch(client, "/feeds/city/fairbanks.ics")

    calendar = icalendar.Calendar.from_ical(body)
    instances = recurring_ical_events.of(calendar).between(
        dt.datetime(2030, 1, 1, tzinfo=dt.UTC), dt.datetime(2034, 1, 1, tzinfo=dt.UTC)
    )
    starts = sorted(
        e.decoded("DTSTART").astimezone(ANCHORAGE).replace(tzinfo=None) for e in instances
    )
    assert starts == [
        dt.datetime(2030, 5, 9, 10, 0),  # same wall-clock time in Fairbanks (LOCAL mode)
        dt.datetime(2031, 5, 10, 15, 0),  # moved
        dt.datetime(2033, 5, 9, 10, 0),  # 2032 cancelled
    ]
    _c, vevents = _vevents(body)
    # Fairbanks' own copy of the same-local-time event, as in the aggregate feeds.
    assert {v.uid.value for v in vevents} == {
        f"{victory_day.uid}-c{fairbanks.pk}@twinning-calendar"
    }
    [override] = [v for v in vevents if hasattr(v, "recurrence_id")]
    assert int(override.sequence.value) >= 1


def test_all_day_festival_uses_dates_with_exclusive_end(client, festival):
    _s, body, _r = fetch(client, "/feeds/all.ics")

    _c, [vevent] = _vevents(body)
    assert vevent.dtstart.value == dt.date(2030, 7, 1)
    assert vevent.dtend.value == dt.date(2030, 7, 4)
    assert "DTSTART;VALUE=DATE:20300701" in body.decode()


def test_cancelled_event_stays_in_feed_as_cancelled_with_higher_sequence(client, ceremony):
    before = ceremony.sequence
    services.cancel_event(event=ceremony)

    _s, body, _r = fetch(client, "/feeds/all.ics")

    _c, [vevent] = _vevents(body)
    assert vevent.status.value == "CANCELLED"
    assert int(vevent.sequence.value) == before + 1
    assert vevent.uid.value == f"{ceremony.uid}@twinning-calendar"


def test_cancelled_event_leaves_feed_after_retention(client, ceremony):
    services.cancel_event(event=ceremony)
    Event.objects.filter(pk=ceremony.pk).update(cancelled_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))

    _s, body, _r = fetch(client, "/feeds/all.ics")

    assert b"BEGIN:VEVENT" not in body


def test_fragment_is_byte_identical_to_fresh_render(
    client, ceremony, victory_day, festival, fairbanks
):
    fetch(client, "/feeds/city/fairbanks.ics")  # stores fragments
    _s, stored, _r = fetch(client, "/feeds/city/fairbanks.ics")  # served from them

    events = with_related(Event.objects.order_by("pk"))
    fresh_fragments = [ical.render_fragment(e, language="en", city=fairbanks) for e in events]
    assert sorted(re.findall(rb"BEGIN:VEVENT.*?END:VEVENT\r\n", stored, flags=re.S)) == sorted(
        re.findall(rb"BEGIN:VEVENT.*?END:VEVENT\r\n", b"".join(fresh_fragments), flags=re.S)
    )
    from events.feeds.models import FeedFragment

    for event, fresh in zip(events, fresh_fragments, strict=True):
        row = FeedFragment.objects.get(event=event, variant=f"city:{fairbanks.pk}", language="en")
        assert row.body.encode() == fresh


def test_uid_stays_and_sequence_rises_when_time_changes(client, ceremony):
    _s, before, _r = fetch(client, "/feeds/all.ics")
    services.update_event(
        event=ceremony, start=dt.datetime(2030, 5, 9, 14, 0), end=dt.datetime(2030, 5, 9, 15, 0)
    )
    services.update_event(event=ceremony, title_en="ALSIB wreaths")

    _s, after, _r = fetch(client, "/feeds/all.ics")

    _c, [old] = _vevents(before)
    _c, [new] = _vevents(after)
    assert old.uid.value == new.uid.value
    assert int(new.sequence.value) == int(old.sequence.value) + 1
    assert new.summary.value == "ALSIB wreaths"
    assert new.last_modified.value > old.last_modified.value or new.last_modified.value == (
        old.last_modified.value
    )


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_invitation_ics_for_one_occurrence_is_a_standalone_vevent(victory_day, egvekinot, method):
    """A RECURRENCE-ID VEVENT without its master shows as nothing in ICAL.js: one occurrence
    is a VEVENT of its own, with a UID stable across moves (the original start in it)."""
    event = with_related(Event.objects.filter(pk=victory_day.pk)).get()

    data = ical.invitation_ics(
        event, language="ru", method=method, recurrence_id=dt.datetime(2033, 5, 9, 10, 0)
    )

    calendar = vobject.readOne(data.decode())
    assert calendar.method.value == method
    [vevent] = calendar.vevent_list
    # 10:00 in Anadyr (UTC+12) on 9 May 2033 is 22:00 UTC on 8 May; the host's copy.
    assert vevent.uid.value == (
        f"{victory_day.uid}-c{egvekinot.pk}-20330508T220000Z@twinning-calendar"
    )
    assert vevent.summary.value == "День Победы"
    assert not hasattr(vevent, "recurrence_id")
    assert not hasattr(vevent, "rrule")
    assert vevent.dtstart.value.replace(tzinfo=None) == dt.datetime(2033, 5, 9, 10, 0)
    assert int(vevent.sequence.value) == victory_day.sequence
    assert hasattr(vevent, "organizer")
    assert (vevent.status.value == "CANCELLED") == (method == "CANCEL")


def test_invitation_ics_whole_event_includes_rule_and_overrides(victory_day):
    data = ical.invitation_ics(victory_day, language="en")

    calendar = icalendar.Calendar.from_ical(data)
    assert calendar["METHOD"] == "REQUEST"
    masters = [v for v in calendar.walk("VEVENT") if "RECURRENCE-ID" not in v]
    assert len(masters) == 1
    assert "RRULE" in masters[0]
    assert calendar.get_missing_tzids() == set()


@pytest.mark.parametrize(
    ("zone", "local", "offset_hours"),
    [
        ("America/Anchorage", dt.datetime(2030, 5, 9, 12, 0), -8),
        ("America/Anchorage", dt.datetime(2030, 1, 9, 12, 0), -9),
        ("Asia/Anadyr", dt.datetime(2030, 5, 9, 12, 0), 12),
        ("Europe/Moscow", dt.datetime(2010, 7, 1, 12, 0), 4),
        ("Europe/Moscow", dt.datetime(2030, 7, 1, 12, 0), 3),
    ],
)
def test_vtimezone_definition_alone_gives_the_right_offsets(zone, local, offset_hours):
    """Renamed TZID: the `ical` parser must use our VTIMEZONE, not its own zone database."""
    block = ical.vtimezone(zone).decode().replace(f"TZID:{zone}", "TZID:Custom/Zone")
    text = (
        ical.calendar_head(name="t").decode()
        + block
        + "BEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20200101T000000Z\r\n"
        + f"DTSTART;TZID=Custom/Zone:{local:%Y%m%dT%H%M%S}\r\nEND:VEVENT\r\n"
        + "END:VCALENDAR\r\n"
    )

    [event] = IcsCalendarStream.calendar_from_ics(text).events

    assert event.dtstart.utcoffset() == dt.timedelta(hours=offset_hours)


def test_invitation_ics_attendee_for_outlook(ceremony):
    data = ical.invitation_ics(ceremony, language="en", attendee="mayor@fairbanks.example")

    [vevent] = vobject.readOne(data.decode()).vevent_list
    assert vevent.attendee.value == "mailto:mayor@fairbanks.example"
    assert vevent.attendee.params["RSVP"] == ["FALSE"]
    assert vevent.organizer.value == "mailto:calendar@localhost"


def test_text_with_lone_cr_and_control_characters_keeps_line_structure(client, egvekinot):
    services.create_event(
        title_en="Bell\x07 ringing",
        description_en="first\rsecond\r\nthird\x01",
        kind=Event.Kind.COMMEMORATION,
        status=Event.Status.CONFIRMED,
        timezone="Asia/Anadyr",
        start=dt.datetime(2030, 5, 9, 12, 0),
    )

    _s, body, _r = fetch(client, "/feeds/all.ics")

    assert b"\r" not in body.replace(b"\r\n", b"")
    [parsed] = IcsCalendarStream.calendar_from_ics(body.decode()).events
    assert parsed.summary == "Bell ringing"
    assert parsed.description.startswith("first\nsecond\nthird")
