"""Calendar-level RFC 5545/5546 rules that Evolution, Outlook and libical enforce (issue 8.8).

Checked on the raw bytes, not through icalendar: the library that writes a feed is not the
judge of it.
"""

from __future__ import annotations

import pytest

from events.feeds.models import FeedToken  # noqa: F401 - feeds app loaded
from tests.factories import CityFactory


def _lines(body: bytes) -> list[str]:
    # Unfold (RFC 5545 3.1) before looking at property lines.
    return body.decode().replace("\r\n ", "").split("\r\n")


@pytest.mark.django_db
def test_subscription_feed_has_no_method_without_organizer(client, ceremony):
    lines = _lines(client.get("/feeds/all.ics").getvalue())

    assert not [line for line in lines if line.startswith("METHOD")]
    assert not [line for line in lines if line.startswith("ORGANIZER")]


@pytest.mark.django_db
def test_event_download_has_no_method(client, ceremony):
    lines = _lines(client.get(f"/feeds/event/{ceremony.slug}.ics").getvalue())

    assert not [line for line in lines if line.startswith("METHOD")]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/feeds/all.ics", "/feeds/kind/exchange.ics"])
def test_feed_without_events_still_holds_a_component(client, path):
    lines = _lines(client.get(path).getvalue())

    assert lines[0] == "BEGIN:VCALENDAR"
    assert "BEGIN:VTIMEZONE" in lines
    assert "END:VCALENDAR" in lines


@pytest.mark.django_db
def test_city_feed_without_events_holds_the_city_zone(client):
    city = CityFactory(slug="empty-town", name_en="Empty Town", timezone="Asia/Magadan")

    lines = _lines(client.get(f"/feeds/city/{city.slug}.ics").getvalue())

    assert "TZID:Asia/Magadan" in lines


@pytest.mark.django_db
def test_calendar_name_escapes_commas_and_semicolons(client):
    city = CityFactory(slug="odd", name_en="Town, Bay; Port\\North", timezone="Asia/Magadan")

    lines = _lines(client.get(f"/feeds/city/{city.slug}.ics").getvalue())

    name = next(line for line in lines if line.startswith("X-WR-CALNAME:"))
    assert name == "X-WR-CALNAME:Twinning calendar: Town\\, Bay\\; Port\\\\North"
    desc = next(line for line in lines if line.startswith("X-WR-CALDESC:"))
    assert "Town\\, Bay\\; Port\\\\North" in desc
