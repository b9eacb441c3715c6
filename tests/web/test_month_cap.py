"""The month grid draws at most CAP entries a day, with "+N more" linking to the day's list."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.models import Event
from events.occurrence_index.maintain import refresh_events
from events.web.month_cells import CAP
from tests.factories import EventFactory

pytestmark = pytest.mark.usefixtures("index_mode")


def _crowd(first, last, day=dt.date(2020, 6, 10)):
    events = [
        EventFactory.build(
            slug=f"crowd-{n}",
            title_en=f"Crowd event {n}",
            start=dt.datetime.combine(day, dt.time(8, n % 50), tzinfo=dt.UTC),
            end=dt.datetime.combine(day, dt.time(9, n % 50), tzinfo=dt.UTC),
            timezone="UTC",
        )
        for n in range(first, last)
    ]
    created = Event.objects.bulk_create(events)
    refresh_events(event_ids=[event.pk for event in created])


def test_crowded_day_shows_cap_entries_and_more_link(client, world):
    _crowd(0, CAP + 7)

    html = client.get(reverse("web:month"), {"month": "2020-06"}).content.decode()

    assert html.count("Crowd event") == CAP
    link = re.search(r'<a class="day-more" href="([^"]*)">\+(\d+) more</a>', html)
    assert link
    assert int(link.group(2)) == 7
    day = client.get(link.group(1).replace("&amp;", "&"))
    assert day.status_code == 200
    assert day.content.decode().count("Crowd event") == CAP + 7


def test_month_grid_queries_do_not_grow_with_a_crowded_day(client, world):
    _crowd(0, CAP + 2)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("web:month"), {"month": "2020-06"})
    _crowd(CAP + 2, 80)

    with CaptureQueriesContext(connection) as large:
        html = client.get(reverse("web:month"), {"month": "2020-06"}).content.decode()

    assert len(large) == len(small)
    assert "+76 more" in html


@pytest.mark.parametrize("day", ["2020-13-01", "garbage"])
def test_day_list_bad_day_is_400(client, world, day):
    response = client.get(reverse("web:day", args=[day]))

    assert response.status_code == 400
    assert "Give the day as YYYY-MM-DD" in response.content.decode()
