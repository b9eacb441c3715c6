"""Every page makes a bounded number of SQL queries, however many events exist."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.models import Event, Participation
from events.occurrence_index.maintain import refresh_events
from tests.factories import EventFactory

pytestmark = pytest.mark.usefixtures("index_mode")

MANY = 60
MAX_QUERIES = 13


@pytest.fixture
def many_events(world):
    """MANY extra public events in May 2020 and upcoming, some yearly, all in both cities."""
    return _add_bulk(world, 0, MANY)


def _add_bulk(world, first, last):
    events = []
    for n in range(first, last):
        start = dt.datetime(2020, 5, 1 + n % 28, 10, 0, tzinfo=dt.UTC)
        events.append(
            EventFactory.build(
                slug=f"bulk-{n}",
                title_en=f"Bulk event {n}",
                kind=Event.Kind.FESTIVAL if n % 2 else Event.Kind.FORUM,
                start=start,
                end=start + dt.timedelta(hours=2),
                rrule="FREQ=YEARLY" if n % 3 == 0 else "",
                partnership=world.pair if n % 4 == 0 else None,
            )
        )
    created = Event.objects.bulk_create(events)
    Participation.objects.bulk_create(
        Participation(event=event, city=city, role="participant")
        for event in created
        for city in (world.egvekinot, world.fairbanks)
    )
    refresh_events(event_ids=[event.pk for event in created])
    return created


PAGES = [
    ("web:home", {}, {}),
    ("web:event_list", {}, {}),
    ("web:event_list", {}, {"period": "past"}),
    ("web:event_list", {}, {"month": "2020-05", "city": "fairbanks", "country": "US"}),
    ("web:event_list", {}, {"kind": "festival", "partnership": "PAIR", "q": "bulk"}),
    ("web:month", {}, {"month": "2020-05"}),
    ("web:month", {}, {"month": "2020-05", "city": "egvekinot"}),
    ("web:city_detail", {"slug": "fairbanks"}, {}),
    ("web:partnership_detail", {"pk": "PAIR"}, {}),
    ("web:event_detail", {"slug": "bulk-0"}, {}),
    ("web:event_detail", {"slug": "bulk-0"}, {"city": "fairbanks"}),
    ("web:event_detail", {"slug": "bulk-3"}, {"city": "not-a-city"}),
    ("web:event_detail", {"slug": "victory-day-ceremony"}, {"city": "egvekinot"}),
]


@pytest.mark.parametrize(("name", "kwargs", "params"), PAGES)
def test_public_page_query_count_is_bounded(
    client, many_events, world, django_assert_max_num_queries, name, kwargs, params
):
    kwargs = {k: world.pair.pk if v == "PAIR" else v for k, v in kwargs.items()}
    params = {k: world.pair.pk if v == "PAIR" else v for k, v in params.items()}

    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(reverse(name, kwargs=kwargs), params)

    assert response.status_code == 200


@pytest.mark.parametrize(("name", "kwargs", "params"), PAGES)
def test_public_page_query_count_is_the_same_at_two_sizes(client, world, name, kwargs, params):
    kwargs = {k: world.pair.pk if v == "PAIR" else v for k, v in kwargs.items()}
    params = {k: world.pair.pk if v == "PAIR" else v for k, v in params.items()}
    url = reverse(name, kwargs=kwargs)
    _add_bulk(world, 0, 8)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, params).status_code == 200
    _add_bulk(world, 8, 8 + MANY)

    with CaptureQueriesContext(connection) as large:
        assert client.get(url, params).status_code == 200

    assert len(large) == len(small)


def test_desk_query_count_is_bounded(
    coordinator_client, many_events, django_assert_max_num_queries
):
    Event.objects.filter(slug__startswith="bulk-").update(
        status=Event.Status.TENTATIVE, start=dt.datetime(2099, 1, 1, tzinfo=dt.UTC), end=None
    )

    with django_assert_max_num_queries(MAX_QUERIES + 4):
        response = coordinator_client.get(reverse("web:desk"))

    assert response.status_code == 200
    assert response.content.decode().count("Bulk event") >= MANY
