"""The desk event form's rule preview in Chromium: the next dates in Magadan and Anchorage
appear as the coordinator types (and, without script, after "Preview the dates"), in English
and Russian at desktop and phone widths, with screenshots."""

from __future__ import annotations

import re

import pytest

from events.models import Event
from tests.web.browser.conftest import DESKTOP, PHONE
from tests.web.browser.test_desk_event_form import (  # noqa: F401 (desk_world: a fixture)
    _log_in,
    _overflow,
    desk_world,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180), pytest.mark.usefixtures("desk_world")]


def _fill(page, language: str) -> None:
    page.locator("[name=title_en]").fill("Preview-only ceremony")
    page.locator("[name=kind]").select_option("commemoration")
    page.locator("[name=timezone]").select_option("Asia/Magadan")
    page.locator("[name=start]").fill("2030-05-09T10:00")
    page.locator("[name=cities-0-city]").select_option(
        label="Магадан" if language == "ru" else "Magadan"
    )
    page.locator("[name=cities-1-city]").select_option(label="Anchorage")
    page.locator("[name=repeat][value=yearly_date]").check()


def _open_form(browser, live_server, language, viewport, *, script: bool = True):
    context = browser.new_context(
        viewport=viewport,
        locale="en-US",
        timezone_id="Europe/Berlin",
        base_url=live_server.url,
        java_script_enabled=script,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    _log_in(page)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto("/desk/events/new/full/")
    return context, page


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(("viewport", "label"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_rule_preview_updates_as_you_type(
    browser, live_server, screenshots, language, viewport, label
):
    context, page = _open_form(browser, live_server, language, viewport)
    try:
        # With the script the button is not needed: the preview follows the fields.
        assert page.locator("[data-preview-button]").is_hidden()
        _fill(page, language)
        anchorage = page.locator('[data-preview-city="America/Anchorage"] li')
        anchorage.first.wait_for()
        first = anchorage.first.inner_text()
        assert ("8 мая 2030" if language == "ru" else "May 8, 2030") in first
        assert "15:00" in first
        assert anchorage.count() == 5
        magadan = page.locator('[data-preview-city="Asia/Magadan"] li').first.inner_text()
        assert "10:00" in magadan
        assert _overflow(page) <= 1, f"the preview overflows at {label} width"
        page.locator("[data-rule-preview]").scroll_into_view_if_needed()
        page.screenshot(path=screenshots / f"rule-preview-{language}-{label}.png", full_page=True)
        page.locator("[data-rule-preview]").screenshot(
            path=screenshots / f"rule-preview-{language}-{label}-box.png"
        )

        # Same local time: 10:00 in Anchorage too, on 9 May.
        page.locator("[name=time_mode][value=local]").check()
        page.wait_for_function(
            "document.querySelector('[data-preview-city=\"America/Anchorage\"] li')"
            ".textContent.includes('10:00')"
        )

        # A rule the services refuse is named, not previewed.
        page.locator("[name=repeat][value=raw]").check()
        page.locator("[name=rrule]").fill("FREQ=HOURLY")
        page.locator("[data-preview-problems]").wait_for()
        page.screenshot(
            path=screenshots / f"rule-preview-{language}-{label}-problem.png", full_page=True
        )
        assert not Event.objects.filter(title_en="Preview-only ceremony").exists()
    finally:
        context.close()


@pytest.mark.parametrize("language", ["en", "ru"])
def test_rule_preview_without_script(browser, live_server, screenshots, language):
    context, page = _open_form(browser, live_server, language, PHONE, script=False)
    try:
        _fill(page, language)
        assert page.locator('[data-preview-city="America/Anchorage"]').count() == 0
        page.locator("[data-preview-button]").click()
        page.wait_for_load_state()
        anchorage = page.locator('[data-preview-city="America/Anchorage"] li')
        assert anchorage.count() == 5
        assert ("8 мая 2030" if language == "ru" else "May 8, 2030") in anchorage.first.inner_text()
        # The form keeps what was typed, and nothing was saved.
        assert page.locator("[name=title_en]").input_value() == "Preview-only ceremony"
        assert re.search(r"/desk/events/new/full/$", page.url)
        assert not Event.objects.filter(title_en="Preview-only ceremony").exists()
        assert _overflow(page) <= 1
        page.screenshot(
            path=screenshots / f"rule-preview-{language}-phone-noscript.png", full_page=True
        )
        page.locator("[data-rule-preview]").screenshot(
            path=screenshots / f"rule-preview-{language}-phone-noscript-box.png"
        )
    finally:
        context.close()
