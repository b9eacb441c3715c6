"""The desk's history in Chromium: a change made on the desk form and one over the API show
under the form and on the history page, in English and Russian at desktop and phone widths,
the moment of each change in the browser's zone, with screenshots."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.utils import translation

from common import audit
from events import services
from tests.web.browser.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

PASSWORD = "desk-history-pass-123"
LOCATION = {"en": "Location (English)", "ru": "Место (английский)"}


@pytest.fixture
def coordinator_nina(live_world):
    user = User.objects.create_user("nina", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=settings.COORDINATORS_GROUP)[0])
    with audit.acting(audit.Interface.API, user):
        services.update_event(event=live_world.ceremony, title_en="ALSIB wreath-laying 2020")
    return user


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
def test_desk_history_shows_desk_and_api_changes(
    browser, live_server, live_world, coordinator_nina, screenshots, language, viewport, label
):
    context = browser.new_context(
        viewport=viewport, locale="en-US", timezone_id="Europe/Berlin", base_url=live_server.url
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    with translation.override(language):
        heading, desk = translation.gettext("History"), str(audit.Interface.DESK.label)
    event = live_world.ceremony
    try:
        _log_in(page)
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page.goto(f"/desk/events/{event.pk}/edit/")
        page.locator("[name=location]").fill("Egvekinot memorial")
        page.locator("form.event-form button[type=submit]:not([name=preview])").click()
        page.wait_for_url(re.compile(rf"/desk/events/{event.pk}/edit/$"))

        section = page.locator("#history")
        shown_heading = section.locator("h2").inner_text()
        newest_text = section.locator(".history-row").first.inner_text()
        page.evaluate("document.getElementById('history').scrollIntoView()")
        page.screenshot(path=str(screenshots / f"desk-history-form-{language}-{label}.png"))
        page.locator("[data-more-history]").click()
        page.wait_for_url(re.compile(rf"/desk/events/{event.pk}/history/$"))
        rows = page.locator(".history-row")
        api_row = rows.nth(1).inner_text()
        when = rows.first.locator("time[data-visitor-time]")
        page.screenshot(
            path=str(screenshots / f"desk-history-page-{language}-{label}.png"), full_page=True
        )

        assert shown_heading == heading
        assert f"{LOCATION[language]}: ALSIB monuments → Egvekinot memorial" in newest_text
        assert "nina" in newest_text
        assert desk in newest_text
        assert "API" in api_row
        assert "ALSIB wreath-laying → ALSIB wreath-laying 2020" in api_row
        assert when.get_attribute("data-rendered") == "true"
        assert "Europe/Berlin" in when.inner_text()
        assert _overflow(page) <= 0
    finally:
        context.close()
