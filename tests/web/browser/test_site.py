"""The website in a real browser: navigation, language, filters, feeds, the desk."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, User

from tests.web.browser.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


PASSWORD = "desk-pass-123"


def _coordinator(password: str = PASSWORD) -> User:
    from django.conf import settings

    user = User.objects.create_user("marina", password=password)
    user.groups.add(Group.objects.get_or_create(name=settings.COORDINATORS_GROUP)[0])
    return user


def _log_in(page, username: str = "marina", password: str = PASSWORD) -> None:
    page.goto("/desk/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/desk/$"))


def test_browse_from_home_to_event_page(page):
    page.goto("/")
    page.get_by_role("link", name="ALSIB wreath-laying").first.click()

    page.wait_for_url(re.compile(r"/events/alsib-wreath-laying/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "ALSIB wreath-laying"
    assert "May 9, 2020" in page.locator('tr[data-city="egvekinot"]').inner_text()
    assert "May 8, 2020" in page.locator('tr[data-city="fairbanks"]').inner_text()
    visitor = page.locator("time[data-visitor-time]")
    visitor.and_(page.locator("[data-rendered=true]")).wait_for()
    # The browser runs in Europe/Berlin: 00:00 UTC on 9 May 2020 is 02:00 there.
    assert "02:00" in visitor.inner_text()
    assert "Europe/Berlin" in visitor.inner_text()


def test_switch_to_russian(page):
    page.goto("/events/alsib-wreath-laying/")
    page.get_by_label("Language").select_option("ru")
    page.get_by_role("button", name="Switch").click()

    heading = page.get_by_role("heading", level=1)
    heading.filter(has_text="Возложение венков").wait_for()
    assert page.locator("html").get_attribute("lang") == "ru"
    assert "Местное время в каждом городе" in page.content()
    assert "8 мая 2020" in page.locator('tr[data-city="fairbanks"]').inner_text()
    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text() == "Города-побратимы в одном календаре"


def test_filter_events_list(page):
    page.goto("/events/")
    page.get_by_label("City").select_option("fairbanks")
    page.get_by_label("When").select_option("past")
    page.get_by_role("button", name="Apply filters").click()

    page.wait_for_url(re.compile(r"city=fairbanks"))
    results = page.locator("section[aria-labelledby=results-heading]")
    assert "ALSIB wreath-laying" in results.inner_text()
    assert "Jazz Train" not in results.inner_text()

    page.get_by_label("City").select_option("")
    page.get_by_label("Kind").select_option("festival")
    page.get_by_label("Month").fill("2099-07")
    page.get_by_role("button", name="Apply filters").click()

    page.wait_for_url(re.compile(r"kind=festival"))
    results = page.locator("section[aria-labelledby=results-heading]")
    assert "Jazz Train to Chattanooga" in results.inner_text()
    assert "ALSIB" not in results.inner_text()


def test_bad_filter_shows_a_message_not_an_error_page(page):
    response = page.goto("/events/?month=2020-13&kind=rave")

    assert response is not None
    assert response.status == 400
    assert page.get_by_role("alert").filter(has_text="Month").is_visible()


def test_subscribe_link_points_at_a_calendar_feed(page, live_server):
    page.goto("/cities/fairbanks/")
    https = page.locator("input[data-feed=https]").input_value()
    webcal = page.locator("a[data-feed=webcal]").get_attribute("href")
    google = page.locator("a[data-feed=google]").get_attribute("href")

    response = page.request.get(https)

    assert https.startswith(live_server.url)
    assert webcal == "webcal://" + https.split("://", 1)[1]
    assert google.startswith("https://calendar.google.com/")
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in response.text()
    assert "ALSIB wreath-laying" in response.text()


def test_coordinator_logs_in_and_confirms_a_tentative_event(page):
    _coordinator()

    _log_in(page)

    assert page.get_by_role("heading", level=1).inner_text() == "Coordinator's desk"
    page.get_by_role("button", name="Confirm Secret tentative visit").click()
    page.get_by_role("status").filter(has_text="Confirmed").wait_for()
    assert page.get_by_role("button", name="Confirm Secret tentative visit").count() == 0


def test_coordinator_creates_an_event_and_sees_dst_error(page):
    _coordinator()
    _log_in(page)

    page.get_by_label("Title (English)").fill("Spring forum")
    page.get_by_label("Kind").select_option("forum")
    page.get_by_label("Time zone").fill("America/New_York")
    page.get_by_label("Start (local time in that zone)").fill("2031-03-09T02:30")
    page.get_by_label("City 1").select_option(label="Albany")
    page.get_by_role("button", name="Create event").click()

    page.locator("#id_start-error").wait_for()
    assert "does not exist in America/New_York" in page.locator("#id_start-error").inner_text()

    page.get_by_label("Start (local time in that zone)").fill("2031-03-09T10:30")
    page.get_by_role("button", name="Create event").click()

    page.wait_for_url(re.compile(r"/events/spring-forum/$"))
    assert "Albany" in page.locator('tr[data-city="albany"]').inner_text()


def test_anonymous_visitor_cannot_reach_the_desk(page, django_user_model):
    page.goto("/desk/")

    page.wait_for_url(re.compile(r"/desk/login/\?next=/desk/"))
    assert "Tentative events to confirm" not in page.content()

    django_user_model.objects.create_user("visitor", password="visitor-pass-123")
    page.get_by_label("Username").fill("visitor")
    page.get_by_label("Password").fill("visitor-pass-123")
    with page.expect_response(lambda r: r.url.endswith("/desk/") and "login" not in r.url) as desk:
        page.get_by_role("button", name="Log in").click()
    assert desk.value.status == 403


PAGES = [
    ("home", "/"),
    ("events", "/events/?period=past"),
    ("month", "/events/month/?month=2020-05"),
    ("event", "/events/alsib-wreath-laying/"),
    ("event-cancelled", "/events/jazz-train-to-chattanooga/"),
    ("event-local", "/events/victory-day-in-three-cities/?city=tula"),
    ("city", "/cities/fairbanks/"),
    ("partnership", "/partnerships/{pair}/"),
    ("desk", "/desk/"),
]


def test_screenshots_of_main_pages(page, live_server, live_world, screenshots):
    from tests.web.conftest import build_local_ceremony

    build_local_ceremony(live_world.tula)
    _coordinator()
    _log_in(page)

    for viewport, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(viewport)
        for name, url in PAGES:
            page.goto(url.format(pair=live_world.pair.pk))
            page.wait_for_load_state("load")
            # Nothing may stick out sideways at phone width.
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"{name} overflows by {overflow}px at {label} width"
            page.screenshot(path=screenshots / f"{name}-{label}.png", full_page=True)

    page.context.add_cookies([{"name": "django_language", "value": "ru", "url": live_server.url}])
    for viewport, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(viewport)
        page.goto("/events/alsib-wreath-laying/")
        page.screenshot(path=screenshots / f"event-ru-{label}.png", full_page=True)
        page.goto(f"/partnerships/{live_world.pair.pk}/")
        page.screenshot(path=screenshots / f"partnership-ru-{label}.png", full_page=True)

    assert len(list(screenshots.glob("*-phone.png"))) >= len(PAGES)


def _new_page(browser, live_server, **options):
    context = browser.new_context(
        viewport=DESKTOP, locale="en-US", base_url=live_server.url, **options
    )
    context.set_default_timeout(15_000)
    return context, context.new_page()


def test_local_mode_event_preselects_the_city_in_the_browser_zone(browser, live_server, live_world):
    from tests.web.conftest import build_local_ceremony

    ceremony = build_local_ceremony(live_world.tula)
    context, tab = _new_page(browser, live_server, timezone_id="America/Anchorage")
    try:
        tab.goto(f"/events/{ceremony.event.slug}/")
        tab.locator("form[data-city-pick][data-shown=anchorage]").wait_for()

        assert tab.get_by_label("Your city").input_value() == "anchorage"
        assert tab.locator("[data-picked-when]").inner_text() == (
            "May 9, 2027, 10:00–11:00 (AKDT, UTC−8)"
        )
        google = tab.locator('[data-add-city="anchorage"] a[data-add=google]')
        assert "dates=20270509T180000Z%2F20270509T190000Z" in google.get_attribute("href")
        assert "is-picked" in tab.locator('[data-add-city="anchorage"]').get_attribute("class")
        assert tab.locator("time[data-visitor-time]").count() == 0
    finally:
        context.close()


def test_local_mode_event_visitor_picks_tula_and_sees_moscow_time(page, live_world):
    from tests.web.conftest import build_local_ceremony

    ceremony = build_local_ceremony(live_world.tula)
    page.goto(f"/events/{ceremony.event.slug}/")
    page.locator("form[data-city-pick][data-ready=true]").wait_for()

    page.get_by_label("Your city").select_option("tula")

    assert page.locator("[data-picked-when]").inner_text() == (
        "May 9, 2027, 10:00–11:00 (MSK, UTC+3)"
    )
    assert page.locator("[data-picked-name]").inner_text() == "Tula"
    assert "is-picked" in page.locator('[data-add-city="tula"]').get_attribute("class")
    assert "city=tula" in page.url
    page.reload()
    assert page.get_by_label("Your city").input_value() == "tula"
    assert "Victory Square, Tula" in page.locator("[data-picked-where]").inner_text()


def test_local_mode_event_city_form_works_without_javascript(browser, live_server, live_world):
    from tests.web.conftest import build_local_ceremony

    ceremony = build_local_ceremony(live_world.tula)
    context, tab = _new_page(
        browser, live_server, timezone_id="America/Anchorage", java_script_enabled=False
    )
    try:
        tab.goto(f"/events/{ceremony.event.slug}/")
        assert tab.get_by_label("Your city").input_value() == "magadan"

        tab.get_by_label("Your city").select_option("tula")
        tab.get_by_role("button", name="Show").click()

        tab.wait_for_url(re.compile(r"\?city=tula$"))
        assert tab.locator("[data-picked-when]").inner_text() == (
            "May 9, 2027, 10:00–11:00 (MSK, UTC+3)"
        )
        ics = tab.locator('[data-add-city="tula"] a[data-add=ics]').get_attribute("href")
        assert ics == f"/feeds/event/{ceremony.event.slug}.ics?city=tula"
    finally:
        context.close()


def test_api_docs_render_without_internet(page, live_server):
    """Swagger UI came from a CDN at @latest: a blank page offline. Every request the page
    makes now stays on our server, and the operations list renders."""
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith(live_server.url) or request.url.startswith(("data:", "blob:"))
            else outside.append(request.url)
        ),
    )

    page.goto("/api/docs/")
    page.wait_for_selector(".opblock-summary-path", timeout=15000)

    assert page.locator(".opblock-summary-path").count() > 10
    assert outside == []
