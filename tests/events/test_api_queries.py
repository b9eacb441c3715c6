"""Query-count guards: list endpoints cost the same number of queries for 3 or 15 events."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events import services
from events.models import Event, Partnership
from tests.factories import CityFactory, ContactFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_mode")]

ENDPOINTS = [
    ("/api/events/", {}),
    ("/api/events/", {"country": "RU", "search": "Event", "ordering": "-start"}),
    ("/api/occurrences/", {"start": "2030-01-01", "end": "2032-12-31"}),
    ("/api/occurrences/", {"start": "2030-01-01", "end": "2032-12-31", "country": "RU"}),
    ("/api/cities/", {}),
    ("/api/partnerships/", {}),
    ("/api/contacts/", {}),
    ("/api/anniversaries/", {"start": "2030-01-01", "end": "2039-12-31"}),
]
MAX_QUERIES = 12


def _populate(count: int) -> None:
    """``count`` events with three cities each; every third recurs and has a moved instance."""
    for n in range(count):
        cities = [
            CityFactory(country="RU", timezone="Asia/Magadan"),
            CityFactory(country="US", timezone="America/Anchorage"),
            CityFactory(country="US", timezone="America/New_York"),
        ]
        pair = services.create_partnership(
            city_a_id=cities[0].pk, city_b_id=cities[1].pk, established_on=dt.date(1990 + n, 6, 1)
        )
        services.change_partnership_status(partnership=pair, status=Partnership.Status.DORMANT)
        ContactFactory(city=cities[0])
        recurring = n % 3 == 0
        event = services.create_event(
            title_en=f"Event {n}",
            kind=Event.Kind.FESTIVAL,
            status=Event.Status.CONFIRMED,
            timezone="Asia/Magadan",
            time_mode=Event.TimeMode.LOCAL if n % 2 else Event.TimeMode.INSTANT,
            start=dt.datetime(2030, 5, 9, 10, 0),
            rrule="FREQ=YEARLY" if recurring else "",
            partnership=pair,
            participations=[services.ParticipationInput(city_id=c.pk) for c in cities],
        )
        if recurring:
            services.change_occurrence(
                event=event,
                original_start=dt.datetime(2031, 5, 9, 10, 0),
                start=dt.datetime(2031, 5, 10, 10, 0),
            )


def _count(client, url, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    return len(queries)


@pytest.mark.parametrize(("url", "params"), ENDPOINTS)
def test_list_query_count_does_not_grow_with_data(
    coordinator_api_client, django_assert_max_num_queries, url, params
):
    _populate(3)
    small = _count(coordinator_api_client, url, params)
    _populate(12)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = coordinator_api_client.get(url, params)
    large = _count(coordinator_api_client, url, params)

    assert response.json()["count"] > 0
    assert large == small


def test_event_detail_query_count_is_bounded(coordinator_api_client, django_assert_max_num_queries):
    _populate(3)
    event = Event.objects.filter(rrule__gt="").first()

    with django_assert_max_num_queries(MAX_QUERIES):
        response = coordinator_api_client.get(f"/api/events/{event.pk}/")

    assert len(response.json()["participations"]) == 3
