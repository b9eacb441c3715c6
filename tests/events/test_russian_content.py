"""Russian values of the public content fields (location, venue, notes, contact names) and the
one fallback rule (common.languages.localized): the reader's language, else the other one."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.urls import reverse
from django.utils import translation

from common.languages import localized
from events import services
from events.models import Contact, Event, Partnership
from tests.factories import (
    CityFactory,
    EventFactory,
    ParticipationFactory,
    PartnershipFactory,
)

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture(autouse=True)
def _english_after(settings):
    """A Russian request leaves Russian active in this thread: later tests expect the default."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def make_cities():
    magadan = CityFactory(
        slug="magadan",
        name_en="Magadan",
        name_native="Магадан",
        country="RU",
        timezone="Asia/Magadan",
    )
    anchorage = CityFactory(
        slug="anchorage", name_en="Anchorage", name_ru="Анкоридж", timezone="America/Anchorage"
    )
    return magadan, anchorage


def make_ceremony(magadan, anchorage):
    """A Magadan ceremony with a place and a host venue in both languages; Anchorage's venue
    is English only."""
    event = EventFactory(
        slug="mask-of-sorrow",
        title_en="Wreaths at the Mask of Sorrow",
        title_ru="Возложение венков у «Маски скорби»",
        timezone="Asia/Magadan",
        start=dt.datetime(2030, 5, 9, 0, 0, tzinfo=UTC),
        end=dt.datetime(2030, 5, 9, 1, 0, tzinfo=UTC),
        location="Krutaya Hill",
        location_ru="сопка Крутая",
    )
    ParticipationFactory(
        event=event, city=magadan, role="host", venue="Mask of Sorrow", venue_ru="Маска скорби"
    )
    ParticipationFactory(event=event, city=anchorage, role="guest_delegation", venue="City Hall")
    return event


@pytest.fixture
def cities(db):
    return make_cities()


@pytest.fixture
def ceremony(cities):
    return make_ceremony(*cities)


class _Row:
    def __init__(self, **values: str) -> None:
        self.__dict__.update(values)


@pytest.mark.parametrize(
    ("values", "language", "expected"),
    [
        ({"venue": "Hall", "venue_ru": "Зал"}, "ru", "Зал"),
        ({"venue": "Hall", "venue_ru": "Зал"}, "en", "Hall"),
        ({"venue": "Hall", "venue_ru": ""}, "ru", "Hall"),
        ({"venue": "", "venue_ru": "Зал"}, "en", "Зал"),
        ({"venue": "", "venue_ru": "  "}, "ru", ""),
        ({"venue": "Hall", "venue_ru": "Зал"}, "ru-RU", "Зал"),
    ],
)
def test_localized_bare_column_is_the_english_value(values, language, expected):
    assert localized(_Row(**values), "venue", language) == expected


def test_localized_per_language_columns_unchanged():
    assert localized(_Row(title_en="Forum", title_ru=""), "title", "ru") == "Forum"
    assert localized(_Row(title_en="Forum", title_ru="Форум"), "title", "ru") == "Форум"


def test_api_event_round_trip_keeps_russian_location_and_venues(coordinator_api_client, cities):
    magadan, anchorage = cities
    body = {
        "title_en": "ALSIB memorial",
        "kind": "commemoration",
        "status": "confirmed",
        "timezone": "Asia/Magadan",
        "start": "2030-05-09T11:00",
        "location": "Krutaya Hill",
        "location_ru": "сопка Крутая",
        "rrule": "FREQ=YEARLY",
        "participations": [
            {"city": magadan.pk, "role": "host", "venue": "Memorial", "venue_ru": "Мемориал"},
            {"city": anchorage.pk, "role": "guest_delegation", "venue": "City Hall"},
        ],
    }
    created = coordinator_api_client.post("/api/events/", body, format="json")
    assert created.status_code == 201, created.json()

    data = coordinator_api_client.get(f"/api/events/{created.json()['id']}/").json()
    assert (data["location"], data["location_ru"]) == ("Krutaya Hill", "сопка Крутая")
    assert [(p["venue"], p["venue_ru"]) for p in data["participations"]] == [
        ("Memorial", "Мемориал"),
        ("City Hall", ""),
    ]
    assert {ct["city"]["slug"]: ct["venue_ru"] for ct in data["city_times"]} == {
        "magadan": "Мемориал",
        "anchorage": "",
    }

    patched = coordinator_api_client.patch(
        f"/api/events/{data['id']}/", {"location_ru": "площадь Ленина"}, format="json"
    )
    assert patched.status_code == 200
    assert Event.objects.get(pk=data["id"]).location_ru == "площадь Ленина"

    moved = coordinator_api_client.post(
        f"/api/events/{data['id']}/occurrence-changes/",
        {"original_start": "2031-05-09T11:00", "location": "Park", "location_ru": "Парк"},
        format="json",
    )
    assert moved.status_code == 201, moved.json()
    assert (moved.json()["location"], moved.json()["location_ru"]) == ("Park", "Парк")


def test_api_russian_venue_with_line_break_is_400_naming_participations(
    coordinator_api_client, cities
):
    magadan, _anchorage = cities
    body = {
        "title_en": "Forum",
        "kind": "forum",
        "timezone": "Asia/Magadan",
        "start": "2030-05-09T11:00",
        "participations": [{"city": magadan.pk, "venue_ru": "Зал\nBcc: x@example.com"}],
    }
    response = coordinator_api_client.post("/api/events/", body, format="json")
    assert response.status_code == 400
    assert "participations" in response.json()


def test_api_partnership_and_contact_round_trip_russian(coordinator_api_client, cities):
    magadan, anchorage = cities
    pair = coordinator_api_client.post(
        "/api/partnerships/",
        {
            "city_a": magadan.pk,
            "city_b": anchorage.pk,
            "notes": "Signed in 1991.",
            "notes_ru": "Подписано в 1991 году.",
        },
        format="json",
    )
    assert pair.status_code == 201, pair.json()
    assert pair.json()["notes_ru"] == "Подписано в 1991 году."
    assert Partnership.objects.get().notes_ru == "Подписано в 1991 году."

    contact = coordinator_api_client.post(
        "/api/contacts/",
        {
            "name": "Mayor's office",
            "name_ru": "Мэрия",
            "email": "mayor@example.org",
            "language": "ru",
            "timezone": "Asia/Magadan",
        },
        format="json",
    )
    assert contact.status_code == 201, contact.json()
    assert contact.json()["name_ru"] == "Мэрия"
    assert Contact.objects.get().display_name("ru") == "Мэрия"
    assert Contact.objects.get().display_name("en") == "Mayor's office"


def test_russian_event_page_shows_russian_venue_and_location(client, ceremony):
    client.cookies["django_language"] = "ru"
    html = client.get(reverse("web:event_detail", args=[ceremony.slug])).content.decode()
    assert "Маска скорби" in html
    assert "сопка Крутая" in html
    assert "Mask of Sorrow" not in html
    # Anchorage has no Russian venue: the English one stands in.
    assert "City Hall" in html


def test_english_event_page_shows_english_venue(client, ceremony):
    client.cookies["django_language"] = "en"
    html = client.get(reverse("web:event_detail", args=[ceremony.slug])).content.decode()
    assert "Mask of Sorrow" in html
    assert "Krutaya Hill" in html
    assert "Маска скорби" not in html


def test_russian_page_falls_back_to_english_when_russian_empty(client, ceremony):
    Event.objects.filter(pk=ceremony.pk).update(location_ru="")
    ceremony.participations.update(venue_ru="")
    client.cookies["django_language"] = "ru"
    html = client.get(reverse("web:event_detail", args=[ceremony.slug])).content.decode()
    assert "Mask of Sorrow" in html
    assert "Krutaya Hill" in html


def test_partnership_page_shows_notes_in_readers_language(client, cities):
    pair = PartnershipFactory(
        city_a=cities[0], city_b=cities[1], notes="Since 1991.", notes_ru="С 1991 года."
    )
    url = reverse("web:partnership_detail", args=[pair.pk])
    client.cookies["django_language"] = "ru"
    assert "С 1991 года." in client.get(url).content.decode()
    client.cookies["django_language"] = "en"
    assert "Since 1991." in client.get(url).content.decode()


def _locations(response) -> list[str]:
    calendar = icalendar.Calendar.from_ical(b"".join(response.streaming_content))
    return [str(v["LOCATION"]) for v in calendar.walk("VEVENT")]


def test_feed_location_in_russian_for_lang_ru(client, ceremony):
    url = reverse("feeds:event", kwargs={"slug": ceremony.slug})
    assert _locations(client.get(url, {"lang": "ru"})) == ["сопка Крутая"]
    assert _locations(client.get(url, {"lang": "en"})) == ["Krutaya Hill"]


def test_city_download_location_is_the_citys_russian_venue(client, ceremony):
    url = reverse("feeds:event", kwargs={"slug": ceremony.slug})
    body = client.get(url, {"lang": "ru", "city": "magadan"})
    assert _locations(body) == ["Маска скорби, Магадан"]
    # No Russian venue for Anchorage: the English one, with the Russian city name.
    body = client.get(url, {"lang": "ru", "city": "anchorage"})
    assert _locations(body) == ["City Hall, Анкоридж"]


def test_feed_moved_instance_has_its_own_russian_place(client, cities):
    event = EventFactory(
        slug="yearly",
        timezone="Asia/Magadan",
        start=dt.datetime(2030, 5, 9, 0, 0, tzinfo=UTC),
        end=None,
        rrule="FREQ=YEARLY",
        location="Hill",
        location_ru="Сопка",
    )
    services.change_occurrence(
        event=event,
        original_start=dt.datetime(2031, 5, 9, 11, 0),
        location="Park",
        location_ru="Парк",
    )
    url = reverse("feeds:event", kwargs={"slug": event.slug})
    assert _locations(client.get(url, {"lang": "ru"})) == ["Сопка", "Парк"]


@pytest.mark.usefixtures("index_mode")
def test_russian_page_of_a_same_local_time_series_shows_russian_venues(client, db):
    """City times read from the occurrence index's city rows too (same local time, timed)."""
    magadan, anchorage = make_cities()
    event = services.create_event(
        title_en="Wreaths",
        kind=Event.Kind.COMMEMORATION,
        status=Event.Status.CONFIRMED,
        timezone="Asia/Magadan",
        time_mode="local",
        start=dt.datetime(2027, 5, 9, 10, 0),
        rrule="FREQ=YEARLY",
        participations=[
            services.ParticipationInput(
                city_id=magadan.pk, role="host", venue="Memorial", venue_ru="Мемориал"
            ),
            services.ParticipationInput(city_id=anchorage.pk, venue="Park", venue_ru="Парк"),
        ],
    )
    client.cookies["django_language"] = "ru"
    html = client.get(reverse("web:event_detail", args=[event.slug])).content.decode()
    assert "Мемориал" in html
    assert "Парк" in html
    assert "Memorial" not in html


def test_admin_forms_offer_the_russian_fields(admin_client, ceremony, cities):
    event_page = admin_client.get(f"/admin/events/event/{ceremony.pk}/change/").content.decode()
    assert 'name="location_ru"' in event_page
    assert 'value="сопка Крутая"' in event_page
    assert 'name="participations-0-venue_ru"' in event_page
    assert 'value="Маска скорби"' in event_page
    pair = PartnershipFactory(city_a=cities[0], city_b=cities[1], notes_ru="С 1991 года.")
    pair_page = admin_client.get(f"/admin/events/partnership/{pair.pk}/change/").content.decode()
    assert 'name="notes_ru"' in pair_page
    assert 'name="name_ru"' in admin_client.get("/admin/events/contact/add/").content.decode()
