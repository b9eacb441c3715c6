"""The desk planner in Chromium: the GET form without JavaScript, live updates with it, and
screenshots in English and Russian at desktop and phone widths."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User

from tests.web.browser.conftest import DESKTOP, PHONE
from tests.web.conftest import build_local_ceremony

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

PASSWORD = "planner-pass-123"
ASK = "/desk/planner/?cities=magadan&cities=anchorage&cities=tula&date=2027-05-09&time=10:00"


@pytest.fixture
def planner_world(live_world):
    build_local_ceremony(live_world.tula)
    user = User.objects.create_user("olga", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=settings.COORDINATORS_GROUP)[0])
    return live_world


def _context(browser, live_server, *, javascript=True):
    context = browser.new_context(
        viewport=DESKTOP,
        locale="en-US",
        timezone_id="Europe/Berlin",
        base_url=live_server.url,
        java_script_enabled=javascript,
    )
    context.set_default_timeout(15_000)
    return context


def _log_in(page):
    page.goto("/desk/")
    page.get_by_label("Username").fill("olga")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/desk/$"))


def _row(page, table_body, city):
    return page.locator(f"[{table_body}] tr[data-city={city}]")


def test_planner_without_javascript_submits_the_form(browser, live_server, planner_world):
    context = _context(browser, live_server, javascript=False)
    page = context.new_page()
    try:
        _log_in(page)
        page.get_by_role("link", name="Planner").click()
        page.wait_for_url(re.compile(r"/desk/planner/$"))
        for name in ("Magadan", "Anchorage", "Tula"):
            page.get_by_label(re.compile(rf"^\s*{name}")).check()
        page.get_by_label("Reference city", exact=True).select_option("magadan")
        page.get_by_label("Date in the reference city").fill("2027-05-09")
        page.get_by_label("Time in the reference city").fill("10:00")
        page.get_by_role("button", name="Show").click()

        page.wait_for_url(re.compile(r"cities=anchorage.*time=10%3A00"))
        anchorage = _row(page, "data-clocks", "anchorage").inner_text()
        assert "Saturday" in anchorage
        assert "previous day" in anchorage
        assert page.locator("[data-week-message]").is_visible()
        roll = page.locator("[data-roll] tr").all_inner_texts()
        assert [text.split()[0] for text in roll] == ["Magadan", "Tula", "Anchorage"]
    finally:
        context.close()


def test_planner_with_javascript_updates_as_you_type(browser, live_server, planner_world):
    context = _context(browser, live_server)
    page = context.new_page()
    try:
        _log_in(page)
        page.goto(ASK)
        page.locator("form[data-planner][data-ready]").wait_for()
        assert "10:00" in _row(page, "data-clocks", "magadan").inner_text()

        page.get_by_label("Time in the reference city").fill("15:00")

        page.locator("form[data-planner][data-updated]").wait_for()
        assert "15:00" in _row(page, "data-clocks", "magadan").inner_text()
        assert "20:00" in _row(page, "data-clocks", "anchorage").inner_text()  # 8 May, AKDT
        assert "time=15%3A00" in page.url

        page.get_by_label(re.compile(r"^\s*Egvekinot")).check()
        _row(page, "data-clocks", "egvekinot").wait_for()
        assert "cities=egvekinot" in page.url

        page.get_by_label("Meeting length (minutes)").fill("5")
        errors = page.get_by_role("alert").filter(has_text="duration")
        errors.wait_for()
        assert "from 15 to 720" in errors.inner_text()
    finally:
        context.close()


@pytest.mark.parametrize("language", ["en", "ru"])
def test_planner_screenshots(browser, live_server, planner_world, screenshots, language):
    context = _context(browser, live_server)
    page = context.new_page()
    try:
        _log_in(page)
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        for viewport, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
            page.set_viewport_size(viewport)
            page.goto(ASK)
            page.locator("form[data-planner][data-ready]").wait_for()
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"planner overflows by {overflow}px at {label} width"
            page.screenshot(path=screenshots / f"planner-{language}-{label}.png", full_page=True)
        if language == "ru":
            assert "8 мая 2027 г." in _row(page, "data-clocks", "anchorage").inner_text()
    finally:
        context.close()
