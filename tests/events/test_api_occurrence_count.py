"""/api/occurrences/ counts a window no further than needed: exact up to a bound, beyond it
``count`` is null and ``count_at_least`` says how many at least, and ``next`` still leads
through every occurrence (the whole count of a year at 100,000 events read 14,000 rows)."""

import datetime as dt

import pytest

from common.api.base import BoundedCountPagination
from events.models import OccurrenceHorizon
from tests.factories import EventFactory

pytestmark = pytest.mark.usefixtures("index_mode")

URL = "/api/occurrences/"


@pytest.fixture
def daily(db, monkeypatch):
    """A daily event through March and April 2030, and an exact count up to 30."""
    monkeypatch.setattr(BoundedCountPagination, "EXACT_COUNT_UP_TO", 30)
    return EventFactory(
        rrule="FREQ=DAILY;UNTIL=20300430T235959Z",
        start=dt.datetime(2030, 3, 1, 10, tzinfo=dt.UTC),
        end=dt.datetime(2030, 3, 1, 11, tzinfo=dt.UTC),
        timezone="UTC",
    )


def _walk(api_client, params):
    """Every page through ``next``: the pages' bodies and all results' starts."""
    pages, starts = [], []
    response = api_client.get(URL, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append(body)
        starts += [row["start_utc"] for row in body["results"]]
        if not body["next"]:
            return pages, starts
        response = api_client.get(body["next"])


def test_a_small_window_is_counted_exactly(api_client, daily):
    body = api_client.get(URL, {"start": "2030-03-01", "end": "2030-03-20"}).json()

    assert body["count"] == 20
    assert "count_at_least" not in body
    assert len(body["results"]) == 20


def test_past_the_bound_count_is_null_and_next_leads_through_all(api_client, daily, index_mode):
    params = {"start": "2030-03-01", "end": "2030-04-30", "page_size": 5}

    pages, starts = _walk(api_client, params)

    assert len(starts) == 61 == len(set(starts))
    assert starts == sorted(starts)
    first = pages[0]
    if index_mode == "indexed":
        assert (first["count"], first["count_at_least"]) == (None, 30)
        # Deep pages count two pages past themselves: the last (13th) of 5 counts all 61.
        assert pages[-1]["count"] == 61
    else:  # expanded in memory: counted exactly
        assert first["count"] == 61
        assert "count_at_least" not in first


def test_page_last_counts_the_whole_window(api_client, daily):
    params = {"start": "2030-03-01", "end": "2030-04-30", "page_size": 5, "page": "last"}

    body = api_client.get(URL, params).json()

    assert body["count"] == 61
    assert [row["start_utc"][:10] for row in body["results"]] == ["2030-04-30"]
    assert body["next"] is None


def test_a_page_past_the_end_is_404(api_client, daily):
    params = {"start": "2030-03-01", "end": "2030-04-30", "page_size": 5, "page": 14}

    assert api_client.get(URL, params).status_code == 404


def test_from_the_index_a_big_window_is_paged_not_refused(api_client, daily, settings):
    settings.MAX_OCCURRENCES_PER_REQUEST = 40

    response = api_client.get(URL, {"start": "2030-03-01", "end": "2030-04-30", "page_size": 5})

    if OccurrenceHorizon.objects.exists():
        assert response.status_code == 200
        assert response.json()["count_at_least"] == 30
    else:  # expanding 61 occurrences is refused past the limit, as before
        assert response.status_code == 400
        assert "more than 40 occurrences" in response.json()["end"][0]
