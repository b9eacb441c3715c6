"""Whatever a client sends to the itinerary endpoints, the answer is a 2xx or a 4xx naming the
problem, never a 5xx; and the list costs the same number of queries for 1 leg or 5."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import services

pytestmark = pytest.mark.django_db

ANY = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=50),
    st.sampled_from(
        [
            "2030-05-08T22:00",
            "2030-03-10T02:30",
            "2030-11-03T01:30",
            "2030-05-09T21:30+11:00",
            "9999-12-31T23:59",
            "0001-01-01T00:00",
            "flight",
            "\x00",
            "a\u2028b",
        ]
    ),
    st.lists(st.integers(), max_size=2),
)
FIELDS = [
    "mode",
    "departure_city",
    "departure_place",
    "departs_at",
    "arrival_city",
    "arrival_place",
    "arrives_at",
    "reference",
    "title_en",
    "city",
    "starts_at",
    "ends_at",
    "kind",
]


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=st.dictionaries(st.sampled_from(FIELDS), ANY, max_size=8))
def test_itinerary_writes_never_fail_with_5xx(coordinator_api_client, flight, visit, body):
    base = f"/api/events/{visit.pk}/itinerary/"
    for method, url in [
        ("post", f"{base}legs/"),
        ("patch", f"{base}legs/{flight.pk}/"),
        ("post", f"{base}programme/"),
    ]:
        response = getattr(coordinator_api_client, method)(url, body, format="json")
        assert response.status_code < 500, (url, body, response.content[:300])


def test_leg_list_query_count_is_flat(
    api_client, flight, visit, anchorage, magadan, django_assert_max_num_queries
):
    url = f"/api/events/{visit.pk}/itinerary/"
    with django_assert_max_num_queries(10) as one:
        api_client.get(url)
    for day in (10, 11, 12):
        services.add_leg(
            event=visit,
            departure_city=magadan.pk,
            departs_at=dt.datetime(2030, 5, day, 10, 0),
            arrival_city=anchorage.pk if day == 12 else magadan.pk,
            arrives_at=dt.datetime(2030, 5, day if day != 12 else 11, 11 if day != 12 else 19, 0),
        )

    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(api_client.get(url).json()["legs"]) == 4
