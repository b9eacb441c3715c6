"""Times on pages name a city and the zone's abbreviation, not a raw IANA name."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from events.models import Event
from events.selectors import with_related
from events.web import formatting
from tests.factories import CityFactory, EventFactory


@pytest.mark.parametrize(
    ("zone", "when", "expected"),
    [
        ("Europe/Moscow", dt.datetime(2027, 5, 9, 10), "MSK, UTC+3"),
        ("America/Anchorage", dt.datetime(2027, 5, 9, 10), "AKDT, UTC−8"),
        ("America/Anchorage", dt.datetime(2027, 1, 9, 10), "AKST, UTC−9"),
        ("Asia/Magadan", dt.datetime(2027, 5, 9, 10), "UTC+11"),
        ("UTC", dt.datetime(2027, 5, 9, 10), "UTC+0"),
    ],
)
def test_zone_abbreviation(zone, when, expected):
    assert formatting.zone_abbreviation(when.replace(tzinfo=ZoneInfo(zone))) == expected


@pytest.mark.django_db
def test_event_when_names_the_host_city_in_the_reader_language(django_assert_num_queries):
    from django.utils.translation import override

    from events.models import Participation

    tula = CityFactory(name_en="Tula", name_native="Тула", country="RU", timezone="Europe/Moscow")
    event = EventFactory(
        timezone="Europe/Moscow",
        start=dt.datetime(2027, 5, 9, 7, tzinfo=dt.UTC),
        end=dt.datetime(2027, 5, 9, 8, tzinfo=dt.UTC),
    )
    Participation.objects.create(event=event, city=tula, role=Participation.Role.HOST)
    loaded = with_related(Event.objects.filter(pk=event.pk)).get()

    with django_assert_num_queries(0):
        english = formatting.event_when(loaded)
    with override("ru"), django_assert_num_queries(0):
        russian = formatting.event_when(loaded)
    bare = formatting.event_when(Event.objects.get(pk=event.pk))

    assert english.endswith("10:00–11:00 (Tula, MSK, UTC+3)")
    assert russian.endswith("(Тула, MSK, UTC+3)")
    assert bare.endswith("(Moscow, MSK, UTC+3)")
