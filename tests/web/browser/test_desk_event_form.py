"""The desk's full event form in Chromium: a yearly "2nd Sunday of May" ceremony at the same
local time in Magadan and Anchorage, created and then edited, in English and Russian at
desktop and phone widths, with screenshots."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User

from events import services
from events.models import Event
from tests.web.browser.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

PASSWORD = "desk-form-pass-123"


@pytest.fixture
def desk_world(live_world):
    services.create_city(
        slug="magadan", name_en="Magadan", name_native="Магадан", country="RU",
        timezone="Asia/Magadan",
    )  # fmt: skip
    services.create_city(
        slug="anchorage", name_en="Anchorage", name_native="Anchorage", country="US",
        timezone="America/Anchorage",
    )  # fmt: skip
    user = User.objects.create_user("nina", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=settings.COORDINATORS_GROUP)[0])
    return live_world


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


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(("viewport", "label"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_desk_event_form_creates_and_edits_a_yearly_same_local_time_event(
    browser, live_server, desk_world, screenshots, language, viewport, label
):
    context = browser.new_context(
        viewport=viewport, locale="en-US", timezone_id="Europe/Berlin", base_url=live_server.url
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    name = f"desk-form-{language}-{label}"
    try:
        _log_in(page)
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page.goto("/desk/")
        page.locator("a[href='/desk/events/new/full/']").click()
        page.wait_for_url(re.compile(r"/desk/events/new/full/$"))
        page.locator("[name=title_en]").fill("Victory Day in Magadan and Anchorage")
        page.locator("[name=title_ru]").fill("День Победы в Магадане и Анкоридже")
        page.locator("[name=kind]").select_option("commemoration")
        page.locator("[name=time_mode][value=local]").check()
        page.locator("[name=timezone]").select_option("Asia/Magadan")
        page.locator("[name=start]").fill("2027-05-09T10:00")
        page.locator("[name=end]").fill("2027-05-09T11:00")
        page.locator("[name=repeat][value=yearly_weekday]").check()
        # The script shows only the fields of the choices made.
        assert page.locator("[name=start_date]").is_hidden()
        assert page.locator("[name=rec_weekdays]").first.is_hidden()
        assert page.locator("[name=rec_count]").is_hidden()
        page.locator("[name=rec_month]").select_option("5")
        page.locator("[name=rec_nth]").select_option("2")
        page.locator("[name=rec_weekday]").select_option("SU")
        page.locator("[name=cities-0-city]").select_option(
            label="Магадан" if language == "ru" else "Magadan"
        )
        page.locator("[name=cities-0-venue]").fill("Magadan memorial")
        page.locator("[name=cities-1-city]").select_option(label="Anchorage")
        page.locator("[name=cities-1-role]").select_option("participant")
        page.locator("[name=cities-1-venue]").fill("Delaney Park")
        assert _overflow(page) <= 1, f"the new-event form overflows at {label} width"
        page.screenshot(path=screenshots / f"{name}-new.png", full_page=True)
        page.locator("form.event-form button[type=submit]:not([name=preview])").click()
        page.wait_for_url(re.compile(r"/desk/events/\d+/edit/$"))

        event = Event.objects.get(title_en="Victory Day in Magadan and Anchorage")
        assert event.rrule == "FREQ=YEARLY;BYMONTH=5;BYDAY=2SU"
        assert event.time_mode == Event.TimeMode.LOCAL
        assert page.locator("[name=repeat][value=yearly_weekday]").is_checked()
        beside = page.locator("[data-beside] li[data-city=anchorage]")
        assert "10:00" in beside.inner_text()
        assert page.locator(".occurrence-row").count() >= 3
        assert _overflow(page) <= 1, f"the edit form overflows at {label} width"
        page.screenshot(path=screenshots / f"{name}-edit.png", full_page=True)

        page.locator("[name=title_en]").fill("Victory Day, Magadan and Anchorage")
        page.locator("[name=rec_end][value=count]").check()
        page.locator("[name=rec_count]").fill("5")
        page.locator("form.event-form button[type=submit]:not([name=preview])").click()
        page.locator(".messages").wait_for()
        event.refresh_from_db()
        assert event.title_en == "Victory Day, Magadan and Anchorage"
        assert event.rrule == "FREQ=YEARLY;BYMONTH=5;BYDAY=2SU;COUNT=5"

        row = page.locator(".occurrence-row").nth(1)
        row.get_by_role("button").nth(1).click()  # cancel this date
        page.locator(".occurrence-row.is-cancelled").wait_for()
        page.screenshot(path=screenshots / f"{name}-saved.png", full_page=True)
    finally:
        context.close()
