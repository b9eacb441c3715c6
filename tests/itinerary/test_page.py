"""The event page shows the itinerary day by day, both ends of each leg in their own local
time, and marks the date-line crossing, in English and Russian; its query count is flat."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events import services

pytestmark = pytest.mark.django_db


def _page(client, visit, language="en"):
    response = client.get(f"/events/{visit.slug}/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_event_page_shows_both_local_times_and_the_date_line_mark(client, flight, visit):
    text = _text(_page(client, visit))

    assert "Itinerary and programme" in text
    assert "Flight Anchorage → Magadan (PC 123)" in text
    assert "May 8, 2030, 22:00 (AKDT, UTC−8)" in text
    assert "May 9, 2030, 21:30 (UTC+11)" in text
    assert "arrives the next day" in text
    assert "crosses the date line" in text
    assert "Ted Stevens Anchorage International Airport" in text


def test_event_page_programme_in_host_time_with_guest_time_beside(client, flight, visit):
    services.add_programme_item(
        event=visit,
        kind="ceremony",
        title_en="Wreath-laying",
        title_ru="Возложение венков",
        venue_en="ALSIB monument",
        starts_at=dt.datetime(2030, 5, 10, 11, 0),
    )

    text = _text(_page(client, visit))

    # 10 May 11:00 in Magadan is 9 May 16:00 in Anchorage.
    assert "Friday, May 10, 2030" in text
    assert "Ceremony: Wreath-laying" in text
    assert "Magadan: 11:00 Anchorage: May 9, 2030, 16:00" in text


def test_event_page_itinerary_in_russian(client, flight, visit):
    html = _page(client, visit, "ru")
    text = _text(html)

    assert "Анкоридж → Магадан" in text
    assert "22:00" in text
    assert "21:30" in text


def test_event_page_without_itinerary_has_no_section(client, visit):
    assert "data-itinerary" not in _page(client, visit)


def test_event_page_query_count_does_not_grow_with_legs(client, flight, visit, anchorage, magadan):
    with CaptureQueriesContext(connection) as one:
        _page(client, visit)
    for day in (10, 11):
        services.add_leg(
            event=visit,
            mode="transfer",
            departure_city=magadan.pk,
            departs_at=dt.datetime(2030, 5, day, 9, 0),
            arrival_city=anchorage.pk if day == 11 else magadan.pk,
            arrives_at=dt.datetime(2030, 5, day, 10, 0)
            if day == 10
            else dt.datetime(2030, 5, 10, 23, 0),
        )
        services.add_programme_item(
            event=visit, title_en=f"Meeting {day}", starts_at=dt.datetime(2030, 5, day, 12, 0)
        )

    with CaptureQueriesContext(connection) as three:
        _page(client, visit)

    assert len(three.captured_queries) == len(one.captured_queries)
