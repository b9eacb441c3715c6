"""Itineraries in feeds and downloads: each leg its own VEVENT with DTSTART and DTEND in their
own zones, both VTIMEZONEs present, stable UIDs, fragments re-rendered on a leg change."""

import datetime as dt

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events import services
from events.feeds.models import FeedFragment
from events.ical.itinerary import item_uid, leg_uid
from tests.factories import CityFactory

pytestmark = pytest.mark.django_db


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content).decode().replace("\r\n ", "")


def _feeds(visit, anchorage, magadan):
    return [
        "/feeds/all.ics",
        f"/feeds/event/{visit.slug}.ics",
        f"/feeds/city/{anchorage.slug}.ics",
        f"/feeds/city/{magadan.slug}.ics",
        "/feeds/kind/delegation_visit.ics",
    ]


def test_feeds_carry_the_leg_with_each_end_in_its_own_zone(
    client, flight, visit, anchorage, magadan
):
    for url in _feeds(visit, anchorage, magadan):
        body = _get(client, url)
        assert f"UID:{leg_uid(visit, flight)}" in body, url
        assert "DTSTART;TZID=America/Anchorage:20300508T220000" in body, url
        assert "DTEND;TZID=Asia/Magadan:20300509T213000" in body, url
        assert "TZID:America/Anchorage" in body, url
        assert "TZID:Asia/Magadan" in body, url
        assert f"RELATED-TO:{visit.uid}@twinning-calendar" in body, url


def test_leg_vevent_parses_to_the_api_instants(client, flight, visit):
    calendar = icalendar.Calendar.from_ical(_get(client, f"/feeds/event/{visit.slug}.ics"))
    (leg,) = [c for c in calendar.walk("VEVENT") if str(c["UID"]) == leg_uid(visit, flight)]

    assert leg.decoded("DTSTART").astimezone(dt.UTC) == flight.departs_at
    assert leg.decoded("DTEND").astimezone(dt.UTC) == flight.arrives_at
    assert "Crosses the date line." in str(leg["DESCRIPTION"])
    assert "Arrives the next day" in str(leg["DESCRIPTION"])


def test_programme_item_is_a_vevent_in_the_host_zone(client, visit):
    item = services.add_programme_item(
        event=visit, title_en="Meeting", starts_at=dt.datetime(2030, 5, 10, 10, 0)
    )

    body = _get(client, "/feeds/all.ics")

    assert f"UID:{item_uid(visit, item)}" in body
    assert "DTSTART;TZID=Asia/Magadan:20300510T100000" in body


def test_leg_change_rerenders_the_stored_fragment_and_bumps_its_sequence(client, flight, visit):
    _get(client, "/feeds/all.ics")  # stores the fragment

    services.update_leg(leg=flight, arrives_at=dt.datetime(2030, 5, 9, 22, 15))
    body = _get(client, "/feeds/all.ics")

    assert "DTEND;TZID=Asia/Magadan:20300509T221500" in body
    assert "SEQUENCE:1" in body


def test_leg_deleted_leaves_the_feed(client, flight, visit):
    _get(client, "/feeds/all.ics")

    services.delete_leg(leg=flight)

    assert leg_uid(visit, flight) not in _get(client, "/feeds/all.ics")


def test_feed_etag_moves_on_a_leg_change(client, flight):
    first = client.get("/feeds/all.ics")["ETag"]

    services.update_leg(leg=flight, reference="PC 124")

    assert client.get("/feeds/all.ics", HTTP_IF_NONE_MATCH=first).status_code == 200


def test_feed_query_count_does_not_grow_with_legs(
    client, flight, visit, anchorage, magadan, django_assert_num_queries
):
    services.add_leg(
        event=visit,
        departure_city=magadan.pk,
        departs_at=dt.datetime(2030, 5, 12, 10, 0),
        arrival_city=anchorage.pk,
        arrives_at=dt.datetime(2030, 5, 11, 19, 0),
    )
    for url in ["/feeds/all.ics", f"/feeds/city/{anchorage.slug}.ics"]:
        _get(client, url)  # cold
        lookup = 1 if "/city/" in url else 0
        with django_assert_num_queries(lookup + 3):
            body = _get(client, url)
        assert body.count("BEGIN:VEVENT") == 3


def test_cold_render_query_count_does_not_grow_with_legs(client, visit, magadan):
    def cold_queries():
        FeedFragment.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            _get(client, "/feeds/all.ics")
        return len(ctx.captured_queries)

    base = cold_queries()
    for day in (9, 10, 11):
        services.add_leg(
            event=visit,
            departure_city=magadan.pk,
            departs_at=dt.datetime(2030, 5, day, 10, 0),
            arrival_city=magadan.pk,
            arrives_at=dt.datetime(2030, 5, day, 11, 0),
        )

    assert cold_queries() == base


def test_rename_of_a_leg_city_that_does_not_take_part_rerenders_the_fragment(client, flight, visit):
    nome = CityFactory(slug="nome", name_en="Nome", timezone="America/Nome")
    services.add_leg(
        event=visit,
        departure_city=nome.pk,
        departs_at=dt.datetime(2030, 5, 8, 10, 0),
        arrival_city=flight.departure_city_id,
        arrives_at=dt.datetime(2030, 5, 8, 12, 0),
    )
    _get(client, "/feeds/all.ics")

    services.update_city(city=nome, name_en="Nome (Sitnasuak)")

    assert "Nome (Sitnasuak) → Anchorage" in _get(client, "/feeds/all.ics")


def test_guest_citys_private_feed_carries_the_leg_in_both_zones(client, flight, visit, anchorage):
    from events.feeds.services import create_feed_token

    issued = create_feed_token(label="Anchorage mayor's office", city_ids=[anchorage.pk])

    body = _get(client, f"/feeds/private/{issued.secret}.ics")
    assert f"UID:{leg_uid(visit, flight)}" in body
    assert "DTSTART;TZID=America/Anchorage:20300508T220000" in body
    assert "DTEND;TZID=Asia/Magadan:20300509T213000" in body
