"""Same-local-time events in every export: one copy per city, at that city's wall clock.

A Victory Day ceremony at 10:00 local in Magadan, Anchorage and Tula used to leave every
aggregate feed as Magadan's instant (02:00 for Tula); a DST gap in Anchorage moved Tula; the
Tula feed named Magadan's venue and coordinates.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events

from events import ical, services
from events.feeds.services import create_feed_token
from events.models import Event
from tests.factories import CityFactory, PartnershipFactory
from tests.feeds.conftest import fetch

ZONES = {
    "magadan": "Asia/Magadan",
    "anchorage": "America/Anchorage",
    "tula": "Europe/Moscow",
}
WINDOW = (dt.datetime(2027, 1, 1, tzinfo=dt.UTC), dt.datetime(2028, 1, 1, tzinfo=dt.UTC))


@pytest.fixture
def cities(db):
    coords = {
        "magadan": ("59.56000", "150.80000"),
        "anchorage": ("61.22000", "-149.90000"),
        "tula": ("54.19000", "37.62000"),
    }
    return {
        slug: CityFactory(
            slug=slug,
            name_en=slug.title(),
            timezone=zone,
            latitude=coords[slug][0],
            longitude=coords[slug][1],
        )
        for slug, zone in ZONES.items()
    }


def _local_event(cities, start: dt.datetime, **extra) -> Event:
    return services.create_event(
        title_en="Victory Day, 82 years",
        kind=Event.Kind.COMMEMORATION,
        status=Event.Status.CONFIRMED,
        time_mode=Event.TimeMode.LOCAL,
        timezone="Asia/Magadan",
        start=start,
        end=start + dt.timedelta(hours=1),
        participations=[
            services.ParticipationInput(
                city_id=cities["magadan"].pk, role="host", venue="Mask of Sorrow"
            ),
            services.ParticipationInput(city_id=cities["anchorage"].pk, role="participant"),
            services.ParticipationInput(
                city_id=cities["tula"].pk, role="participant", venue="Memorial square"
            ),
        ],
        **extra,
    )


@pytest.fixture
def victory(cities):
    return _local_event(cities, dt.datetime(2027, 5, 9, 10, 0))


def _instances(body: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(body)
    found = recurring_ical_events.of(calendar).between(*WINDOW)
    return {str(e["UID"]): e for e in found}


def _walls(body: bytes) -> dict[str, tuple[str, dt.datetime, dt.datetime]]:
    """UID -> (TZID, wall start, wall end) as written."""
    result = {}
    for vevent in icalendar.Calendar.from_ical(body).walk("VEVENT"):
        start, end = vevent.decoded("DTSTART"), vevent.decoded("DTEND")
        result[str(vevent["UID"])] = (
            str(vevent["DTSTART"].params["TZID"]),
            start.replace(tzinfo=None),
            end.replace(tzinfo=None),
        )
    return result


def _paths(cities, victory) -> list[str]:
    pair = PartnershipFactory(city_a=cities["magadan"], city_b=cities["anchorage"])
    token = create_feed_token(label="Mayor's office")
    return [
        "/feeds/all.ics",
        f"/feeds/kind/{Event.Kind.COMMEMORATION}.ics",
        f"/feeds/partnership/{pair.pk}.ics",
        f"/feeds/private/{token.secret}.ics",
        f"/feeds/event/{victory.slug}.ics",
    ]


@pytest.mark.django_db
def test_aggregate_feeds_carry_one_copy_per_city_at_its_own_ten_oclock(client, cities, victory):
    for path in _paths(cities, victory):
        status, body, _r = fetch(client, path)
        assert status == 200, path

        walls = _walls(body)

        expected = {
            ical.city_uid(victory, city): (ZONES[slug], dt.datetime(2027, 5, 9, 10, 0))
            for slug, city in cities.items()
        }
        assert {uid: (tzid, start) for uid, (tzid, start, _e) in walls.items()} == expected, path
        instances = _instances(body)
        utc = {uid: e.decoded("DTSTART").astimezone(dt.UTC) for uid, e in instances.items()}
        assert utc[ical.city_uid(victory, cities["tula"])] == dt.datetime(
            2027, 5, 9, 7, 0, tzinfo=dt.UTC
        ), path
        assert utc[ical.city_uid(victory, cities["anchorage"])] == dt.datetime(
            2027, 5, 9, 18, 0, tzinfo=dt.UTC
        ), path
        summaries = {str(e["SUMMARY"]) for e in instances.values()}
        assert summaries == {
            "Victory Day, 82 years (Magadan)",
            "Victory Day, 82 years (Anchorage)",
            "Victory Day, 82 years (Tula)",
        }, path
        assert "BEGIN:VTIMEZONE\r\nTZID:Europe/Moscow" in body.decode(), path


@pytest.mark.django_db
def test_event_download_for_one_city_is_that_citys_copy_with_its_venue(client, cities, victory):
    status, body, _r = fetch(client, f"/feeds/event/{victory.slug}.ics?city=tula")

    assert status == 200
    [vevent] = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert str(vevent["UID"]) == ical.city_uid(victory, cities["tula"])
    assert vevent.decoded("DTSTART") == dt.datetime(
        2027, 5, 9, 10, 0, tzinfo=ZoneInfo("Europe/Moscow")
    )
    assert str(vevent["SUMMARY"]) == "Victory Day, 82 years"
    assert str(vevent["LOCATION"]) == "Memorial square, Tula"
    assert (vevent["GEO"].latitude, vevent["GEO"].longitude) == (54.19, 37.62)


@pytest.mark.django_db
def test_event_download_for_a_city_not_taking_part_is_404(client, cities, victory):
    CityFactory(slug="albany", timezone="America/New_York")

    assert client.get(f"/feeds/event/{victory.slug}.ics?city=albany").status_code == 404
    assert client.get(f"/feeds/event/{victory.slug}.ics?city=nowhere").status_code == 404


@pytest.mark.django_db
def test_city_feed_shows_that_citys_venue_and_coordinates_not_the_hosts(client, cities, victory):
    _s, tula, _r = fetch(client, "/feeds/city/tula.ics")
    _s, anchorage, _r = fetch(client, "/feeds/city/anchorage.ics")

    [in_tula] = icalendar.Calendar.from_ical(tula).walk("VEVENT")
    [in_anchorage] = icalendar.Calendar.from_ical(anchorage).walk("VEVENT")
    assert str(in_tula["LOCATION"]) == "Memorial square, Tula"
    assert (in_tula["GEO"].latitude, in_tula["GEO"].longitude) == (54.19, 37.62)
    assert "Mask of Sorrow" not in str(in_tula["LOCATION"])
    # No venue given for Anchorage: the city itself, never Magadan's place.
    assert str(in_anchorage["LOCATION"]) == "Anchorage"
    assert (in_anchorage["GEO"].latitude, in_anchorage["GEO"].longitude) == (61.22, -149.9)


@pytest.mark.django_db
def test_a_dst_gap_in_one_city_moves_only_that_city_and_keeps_the_length(client, cities):
    # Anchorage skips 02:00-03:00 on 14 March 2027; Magadan and Moscow have no DST.
    event = _local_event(cities, dt.datetime(2027, 3, 14, 2, 30))

    _s, body, _r = fetch(client, "/feeds/all.ics")

    walls = _walls(body)
    assert walls[ical.city_uid(event, cities["tula"])][1:] == (
        dt.datetime(2027, 3, 14, 2, 30),
        dt.datetime(2027, 3, 14, 3, 30),
    )
    assert walls[ical.city_uid(event, cities["anchorage"])][1:] == (
        dt.datetime(2027, 3, 14, 3, 30),
        dt.datetime(2027, 3, 14, 4, 30),
    )
    response = client.get("/api/occurrences/", {"start": "2027-03-13", "end": "2027-03-16"})
    [occurrence] = response.json()["results"]
    api = {ct["city"]["slug"]: (ct["start"], ct["end"]) for ct in occurrence["cities"]}
    assert api == {  # the API and the feed give the same answer
        "magadan": ("2027-03-14T02:30:00+11:00", "2027-03-14T03:30:00+11:00"),
        "anchorage": ("2027-03-14T03:30:00-08:00", "2027-03-14T04:30:00-08:00"),
        "tula": ("2027-03-14T02:30:00+03:00", "2027-03-14T03:30:00+03:00"),
    }


@pytest.mark.django_db
def test_invitation_for_a_tula_contact_carries_tulas_ten_oclock(cities, victory):
    data = ical.invitation_ics(
        victory, language="en", attendee="mer@tula.example", city=cities["tula"]
    )

    [vevent] = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert str(vevent["UID"]) == ical.city_uid(victory, cities["tula"])
    assert vevent.decoded("DTSTART") == dt.datetime(
        2027, 5, 9, 10, 0, tzinfo=ZoneInfo("Europe/Moscow")
    )
    assert str(vevent["LOCATION"]) == "Memorial square, Tula"
