"""The desk's itinerary editor in Chromium: from the event form to the itinerary, a flight
Anchorage → Magadan added across the date line (leaves 8 May, lands 9 May), in English and
Russian at desktop and phone widths, with screenshots."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User

from events import services
from events.models import Event, ItineraryLeg, Participation
from tests.web.browser.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

PASSWORD = "desk-itinerary-pass-123"


@pytest.fixture
def visit(live_world):
    magadan = services.create_city(
        slug="magadan", name_en="Magadan", name_native="Магадан", country="RU",
        timezone="Asia/Magadan",
    )  # fmt: skip
    anchorage = services.create_city(
        slug="anchorage", name_en="Anchorage", name_native="Anchorage", name_ru="Анкоридж",
        country="US", region="Alaska", timezone="America/Anchorage",
    )  # fmt: skip
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
    user = User.objects.create_user("nina", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=settings.COORDINATORS_GROUP)[0])
    return event, anchorage, magadan


def _log_in(page):
    page.goto("/desk/login/")
    page.locator("input[name=username]").fill("nina")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/desk/$"))


def _overflow(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


MARKS = {
    "en": ["arrives the next day", "crosses the date line"],
    "ru": ["прибывает на следующий день", "пересекает линию перемены дат"],
}


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(("viewport", "label"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_desk_itinerary_adds_a_leg_across_the_date_line(
    browser, live_server, visit, screenshots, language, viewport, label
):
    event, anchorage, magadan = visit
    context = browser.new_context(
        viewport=viewport, locale="en-US", timezone_id="Europe/Berlin", base_url=live_server.url
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    name = f"desk-itinerary-{language}-{label}"
    try:
        _log_in(page)
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page.goto(f"/desk/events/{event.pk}/edit/")
        page.locator("[data-itinerary-link]").click()
        page.wait_for_url(re.compile(rf"/desk/events/{event.pk}/itinerary/$"))
        assert page.locator("[data-no-legs]").is_visible()
        assert _overflow(page) <= 0, f"{name}: the empty itinerary is wider than the screen"
        page.screenshot(path=screenshots / f"{name}-empty.png", full_page=True)

        form = page.locator("form[data-add-leg]")
        # The guest → host route is filled in already; the times are each city's own.
        assert form.locator("[name=departure_city]").input_value() == str(anchorage.pk)
        assert form.locator("[name=arrival_city]").input_value() == str(magadan.pk)
        form.locator("[name=reference]").fill("PC 123")
        form.locator("[name=departs_at]").fill("2030-05-08T22:00")
        form.locator("[name=departure_place]").fill("Ted Stevens Anchorage International Airport")
        # First a landing before the take-off (23:00 in Magadan is 12:00 UTC on 8 May).
        form.locator("[name=arrives_at]").fill("2030-05-08T23:00")
        form.locator("button[type=submit]").click()
        error = page.locator("form[data-add-leg] [data-field=arrives_at] .error")
        error.wait_for()
        assert "UTC" in error.inner_text()
        assert _overflow(page) <= 0, f"{name}: the form with an error is wider than the screen"
        page.locator("form[data-add-leg]").screenshot(path=screenshots / f"{name}-error.png")
        assert ItineraryLeg.objects.count() == 0

        form = page.locator("form[data-add-leg]")
        assert form.locator("[name=departs_at]").input_value() == "2030-05-08T22:00"
        form.locator("[name=arrives_at]").fill("2030-05-09T21:30")
        form.locator("[name=arrival_place]").fill("Sokol Airport")
        form.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(rf"/desk/events/{event.pk}/itinerary/(#legs)?$"))

        leg = page.locator("[data-leg]").first
        departs = leg.locator("[data-departs]").inner_text()
        arrives = leg.locator("[data-arrives]").inner_text()
        assert "22:00" in departs
        assert "AKDT" in departs
        assert "21:30" in arrives
        assert "UTC+11" in arrives
        if language == "ru":
            assert "8 мая 2030" in departs
            assert "9 мая 2030" in arrives
            assert "Анкоридж" in departs
        else:
            assert "May 8, 2030" in departs
            assert "May 9, 2030" in arrives
        marks = leg.locator("[data-mark]").all_inner_texts()
        # Until the lead merges the Russian catalogue, new labels may read in English.
        assert marks in (MARKS[language], MARKS["en"])
        assert _overflow(page) <= 0, f"{name}: the itinerary is wider than the screen"
        page.screenshot(path=screenshots / f"{name}.png", full_page=True)
        stored = ItineraryLeg.objects.get(event=event)
        assert stored.departs_at == dt.datetime(2030, 5, 9, 6, 0, tzinfo=dt.UTC)
        assert stored.arrives_at == dt.datetime(2030, 5, 9, 10, 30, tzinfo=dt.UTC)

        # The edit form shows each end's wall-clock time again, in its own city.
        leg.locator("[data-edit]").click()
        page.wait_for_url(re.compile(rf"/itinerary/legs/{stored.pk}/$"))
        edit = page.locator("form[data-edit-leg]")
        assert edit.locator("[name=departs_at]").input_value() == "2030-05-08T22:00"
        assert edit.locator("[name=arrives_at]").input_value() == "2030-05-09T21:30"
        assert _overflow(page) <= 0, f"{name}: the edit form is wider than the screen"
        page.screenshot(path=screenshots / f"{name}-edit.png", full_page=True)
    finally:
        context.close()


@pytest.mark.parametrize(("viewport", "label"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_desk_itinerary_asks_which_time_when_the_clocks_go_back(
    browser, live_server, visit, screenshots, viewport, label
):
    event, _anchorage, _magadan = visit
    services.update_event(
        event=event, start_date=dt.date(2030, 11, 2), end_date=dt.date(2030, 11, 4)
    )
    services.delete_programme_item(item=event.programme_items.get())
    context = browser.new_context(
        viewport=viewport, locale="en-US", timezone_id="Europe/Berlin", base_url=live_server.url
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        _log_in(page)
        page.goto(f"/desk/events/{event.pk}/itinerary/")
        form = page.locator("form[data-add-leg]")
        # 01:30 on 3 November 2030 happens twice in Anchorage.
        form.locator("[name=departs_at]").fill("2030-11-03T01:30")
        form.locator("[name=arrives_at]").fill("2030-11-04T06:00")
        form.locator("button[type=submit]").click()
        choices = page.locator("form[data-add-leg] [data-fold-choices]")
        choices.wait_for()
        assert "AKST" in choices.inner_text()
        assert _overflow(page) <= 0
        page.locator("form[data-add-leg]").screenshot(
            path=screenshots / f"desk-itinerary-fold-{label}.png"
        )
        choices.locator("[name=departs_at_fold][value='1']").check()
        page.locator("form[data-add-leg] button[type=submit]").click()
        page.wait_for_url(re.compile(rf"/desk/events/{event.pk}/itinerary/(#legs)?$"))
        assert "AKST" in page.locator("[data-leg] [data-departs]").inner_text()
        stored = ItineraryLeg.objects.get(event=event)
        assert stored.departs_at == dt.datetime(2030, 11, 3, 10, 30, tzinfo=dt.UTC)
    finally:
        context.close()
