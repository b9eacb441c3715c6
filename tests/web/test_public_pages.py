import datetime as dt
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from events import services
from events.models import Event
from events.services import ParticipationInput
from tests.web.conftest import build_local_ceremony

pytestmark = pytest.mark.usefixtures("index_mode")


def _text(response) -> str:
    return response.content.decode()


def _city_row(html: str, slug: str) -> str:
    match = re.search(rf'<tr data-city="{slug}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, slug
    return match.group(1)


def test_home_lists_cities_anniversaries_and_recent_events(client, world):
    response = client.get(reverse("web:home"))

    html = _text(response)
    assert response.status_code == 200
    assert 'href="/events/alsib-wreath-laying/"' in html
    assert "/cities/egvekinot/" in html
    assert 'role="search"' in html


def test_home_hides_tentative_and_internal_events_from_anonymous(client, world):
    html = _text(client.get(reverse("web:home")))

    assert "Secret tentative visit" not in html
    assert "Internal planning call" not in html


def test_event_page_shows_each_city_local_date_across_date_line(client, world):
    response = client.get(reverse("web:event_detail", args=["alsib-wreath-laying"]))

    html = _text(response)
    assert response.status_code == 200
    assert "May 9, 2020" in _city_row(html, "egvekinot")
    assert "12:00" in _city_row(html, "egvekinot")
    assert "May 8, 2020" in _city_row(html, "fairbanks")
    assert "16:00" in _city_row(html, "fairbanks")
    assert '<time datetime="2020-05-09T00:00:00Z" data-visitor-time' in html


@pytest.mark.parametrize("language", ["en", "ru"])
def test_event_page_zone_column_names_the_abbreviation_not_the_iana_zone(client, world, language):
    html = _text(
        client.get(
            reverse("web:event_detail", args=["alsib-wreath-laying"]),
            HTTP_ACCEPT_LANGUAGE=language,
        )
    )

    def zone_cell(slug: str) -> str:
        row = _city_row(html, slug)
        return re.sub(r"<[^>]+>", "", row.rsplit("<td", 1)[1].split(">", 1)[1]).strip()

    # Alaska on 8 May is on daylight time; Chukotka's zone has no letters, only its offset.
    assert zone_cell("fairbanks") == "AKDT, UTC−8"
    assert zone_cell("egvekinot") == "UTC+12"
    assert 'title="America/Anchorage"' in _city_row(html, "fairbanks")


def test_event_page_shows_roles_and_calendar_links(client, world):
    html = _text(client.get(reverse("web:event_detail", args=["alsib-wreath-laying"])))

    assert "Host" in _city_row(html, "egvekinot")
    assert "Co-host" in _city_row(html, "fairbanks")
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE" in html
    assert "dates=20200509T000000Z%2F20200509T010000Z" in html
    assert "https://outlook.live.com/calendar/0/deeplink/compose?" in html


def test_event_page_in_russian_uses_russian_title_and_month_names(ru, world):
    html = _text(ru.get(reverse("web:event_detail", args=["alsib-wreath-laying"])))

    assert "Возложение венков в память об АЛСИБ" in html
    assert "Эгвекинот" in html
    assert "9 мая 2020" in _city_row(html, "egvekinot")
    assert "8 мая 2020" in _city_row(html, "fairbanks")
    assert '<html lang="ru">' in html


def test_event_page_of_cancelled_event_says_so_prominently(client, world):
    html = _text(client.get(reverse("web:event_detail", args=["jazz-train-to-chattanooga"])))

    assert 'class="banner banner-cancelled" role="alert"' in html
    assert "This event is cancelled." in html
    assert "calendar.google.com" not in html


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        ("delegation-from-albany-to-tula", "February 2020"),
        ("texas-ural-conversation", "2021"),
        ("student-exchange", "date to be announced"),
    ],
)
def test_event_page_shows_imprecise_dates_honestly(client, world, slug, expected):
    html = _text(client.get(reverse("web:event_detail", args=[slug])))

    assert f"<dd>{expected}" in html


def test_event_page_of_month_only_event_in_russian(ru, world):
    html = _text(ru.get(reverse("web:event_detail", args=["delegation-from-albany-to-tula"])))

    assert "Февраль 2020" in html


def test_event_page_of_recurring_event_shows_next_dates(client, world):
    html = _text(client.get(reverse("web:event_detail", args=["victory-day-ceremony"])))

    assert "Recurring event" in html
    assert "Next dates" in html


@pytest.mark.parametrize("slug", ["secret-tentative-visit", "internal-planning-call", "nope"])
def test_event_page_hidden_or_unknown_is_404_for_anonymous(client, world, slug):
    assert client.get(reverse("web:event_detail", args=[slug])).status_code == 404


def test_event_page_tentative_visible_to_coordinator(coordinator_client, world):
    response = coordinator_client.get(reverse("web:event_detail", args=["secret-tentative-visit"]))

    assert response.status_code == 200
    assert "Tentative: not confirmed yet." in _text(response)


def test_city_page_lists_partners_with_years_and_events(client, world):
    response = client.get(reverse("web:city_detail", args=["fairbanks"]))

    html = _text(response)
    assert response.status_code == 200
    assert "/cities/egvekinot/" in html
    assert "since May 9, 1990" in html
    assert "ALSIB wreath-laying" in html
    # The Fairbanks page shows the ceremony in Fairbanks' own time.
    assert "May 8, 2020, 16:00" in html


def test_city_page_unknown_slug_is_404(client, world):
    assert client.get("/cities/atlantis/").status_code == 404


def test_partnership_page_with_year_precision_shows_only_the_year(client, world):
    response = client.get(reverse("web:partnership_detail", args=[world.old_pair.pk]))

    html = _text(response)
    assert response.status_code == 200
    assert "<dd>1991 — " in html
    assert "January 1, 1991" not in html
    assert "Delegation from Albany to Tula" in html


def test_partnership_page_shows_shared_events_and_next_anniversary(client, world):
    html = _text(client.get(reverse("web:partnership_detail", args=[world.pair.pk])))

    assert "ALSIB wreath-laying" in html
    assert "Next anniversary" in html
    assert "May 9, 1990" in html


def test_partnership_page_unknown_id_is_404(client, world):
    assert client.get("/partnerships/99999/").status_code == 404
    assert client.get("/partnerships/abc/").status_code == 404


def test_event_list_past_period_lists_past_events(client, world):
    html = _text(client.get(reverse("web:event_list"), {"period": "past"}))

    assert "ALSIB wreath-laying" in html


@pytest.mark.parametrize(
    ("params", "present", "absent"),
    [
        ({"month": "2020-05", "city": "fairbanks"}, "ALSIB wreath-laying", "Jazz Train"),
        ({"month": "2099-07", "kind": "festival"}, "Jazz Train", "ALSIB"),
        ({"month": "2099-07", "country": "US"}, "No events match", "Jazz Train"),
        ({"month": "2020-02"}, "Delegation from Albany to Tula", "ALSIB"),
        ({"period": "past", "q": "wreath"}, "ALSIB wreath-laying", "Victory Day"),
    ],
)
def test_event_list_filters(client, world, params, present, absent):
    response = client.get(reverse("web:event_list"), params)

    html = _text(response)
    assert response.status_code == 200
    assert present in html
    assert absent not in html


def test_event_list_partnership_filter(client, world):
    html = _text(
        client.get(reverse("web:event_list"), {"partnership": world.pair.pk, "period": "past"})
    )

    assert "ALSIB wreath-laying" in html
    assert "Delegation from Albany" not in html


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"month": "2020-13"}, "Month"),
        ({"month": "May 2020"}, "Month"),
        ({"month": "99999-01"}, "Month"),
        ({"city": "atlantis"}, "City"),
        ({"kind": "rave"}, "Kind"),
        ({"country": "ZZ"}, "Country"),
        ({"partnership": "x"}, "Partnership"),
        ({"period": "future"}, "When"),
        ({"q": "x" * 500}, "Search"),
    ],
)
def test_event_list_bad_filter_is_400_naming_the_field(client, world, params, field):
    response = client.get(reverse("web:event_list"), params)

    assert response.status_code == 400
    assert f"<li>{field}: " in _text(response)


def test_event_list_bad_filter_keeps_the_valid_ones(client, world):
    response = client.get(
        reverse("web:event_list"), {"month": "2020-05", "kind": "rave", "page": "zzz"}
    )

    assert response.status_code == 400
    assert "ALSIB wreath-laying" in _text(response)


def test_event_list_hides_tentative_from_anonymous(client, world):
    html = _text(client.get(reverse("web:event_list"), {"month": "2099-03"}))

    assert "Secret tentative visit" not in html
    assert "Internal planning call" not in html


def test_month_grid_places_ceremony_on_each_city_date(client, world):
    in_fairbanks = _text(
        client.get(reverse("web:month"), {"month": "2020-05", "city": "fairbanks"})
    )
    in_egvekinot = _text(
        client.get(reverse("web:month"), {"month": "2020-05", "city": "egvekinot"})
    )

    def day_of(html: str) -> str:
        cell = re.search(r'visually-hidden">([^<]*)</span>(?:(?!</td>).)*ALSIB', html, re.S)
        assert cell
        return cell.group(1)

    assert day_of(in_fairbanks) == "May 8, 2020"
    assert day_of(in_egvekinot) == "May 9, 2020"


def test_month_grid_default_month_and_navigation(client, world):
    response = client.get(reverse("web:month"))

    assert response.status_code == 200
    assert 'rel="prev"' in _text(response)


@pytest.mark.parametrize("month", ["2020-00", "garbage", "0000-01", "2020-5-5"])
def test_month_grid_malformed_month_is_400_with_message(client, world, month):
    response = client.get(reverse("web:month"), {"month": month})

    assert response.status_code == 400
    assert "Give the month as YYYY-MM" in _text(response)


def test_month_grid_shows_multi_day_event_on_each_day(client, world):
    html = _text(client.get(reverse("web:month"), {"month": "2099-07"}))

    assert html.count("Jazz Train to Chattanooga") == 3


def test_language_switch_sets_russian(client, world):
    response = client.post(
        "/i18n/setlang/", {"language": "ru", "next": "/"}, HTTP_REFERER="/", follow=True
    )

    assert "Ближайшие события" in _text(response)


def test_pages_link_to_feeds_when_feeds_exist(client, world):
    html = _text(client.get(reverse("web:city_detail", args=["fairbanks"])))

    feed = reverse("feeds:city", kwargs={"slug": "fairbanks"})
    assert f"webcal://testserver{feed}" in html
    assert f"http://testserver{feed}" in html


def test_event_in_local_mode_shows_same_wall_clock_everywhere(client, world):
    services.create_event(
        title_en="Same hour everywhere",
        kind=Event.Kind.COMMEMORATION,
        status=Event.Status.CONFIRMED,
        time_mode=Event.TimeMode.LOCAL,
        timezone="Asia/Anadyr",
        start=dt.datetime(2030, 5, 9, 10, 0),
        participations=[
            ParticipationInput(city_id=world.egvekinot.pk),
            ParticipationInput(city_id=world.fairbanks.pk),
        ],
    )

    html = _text(client.get(reverse("web:event_detail", args=["same-hour-everywhere"])))

    assert "10:00" in _city_row(html, "egvekinot")
    assert "10:00" in _city_row(html, "fairbanks")
    assert "May 9, 2030" in _city_row(html, "fairbanks")


def test_home_shows_a_recurring_event_once_per_list(client, world):
    html = _text(client.get(reverse("web:home")))

    recent = html.split('id="recent-heading"', 1)[1].split("</section>", 1)[0]
    assert recent.count("Victory Day ceremony") == 1


@pytest.mark.parametrize("page_name", ["web:city_detail", "web:partnership_detail"])
def test_city_and_pair_pages_show_a_series_once_with_its_next_date(client, world, page_name):
    args = ["egvekinot"] if page_name == "web:city_detail" else [world.pair.pk]
    html = _text(client.get(reverse(page_name, args=args)))

    upcoming = html.split('id="upcoming-heading"', 1)[1].split("</section>", 1)[0]
    past = html.split('id="past-heading"', 1)[1].split("</section>", 1)[0]
    assert upcoming.count("Victory Day ceremony") == 1
    assert past.count("Victory Day ceremony") == 1
    # The series badge says its rule; the entry says which of its dates it shows.
    assert "Every year on May 9" in upcoming
    assert "Next date:" in upcoming
    assert "Last date:" in past


@pytest.mark.parametrize("page", ["zzz", "-1", "999999", "1e9"])
def test_event_list_bad_page_number_is_not_an_error(client, world, page):
    response = client.get(reverse("web:event_list"), {"period": "past", "page": page})

    assert response.status_code == 200


def test_city_page_in_russian_uses_native_name_and_plurals(ru, world):
    html = _text(ru.get(reverse("web:city_detail", args=["fairbanks"])))

    assert "Эгвекинот" in html
    assert "лет)" in html
    assert "местное время: Fairbanks" in html


def _add_links(html: str, slug: str) -> dict[str, str]:
    """{ics, google, outlook} hrefs of one city's "add to calendar" row."""
    match = re.search(rf'<li data-add-city="{slug}"[^>]*>(.*?)</ul>', html, re.S)
    assert match, slug
    found = re.findall(r'href="([^"]+)"[^>]*data-add="(\w+)"', match.group(1))
    return {kind: unescape(href) for href, kind in found}


def _query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def _picked(html: str) -> str:
    match = re.search(r'<p class="picked-time">(.*?)</p>', html, re.S)
    assert match
    return re.sub(r"<[^>]+>", "", match.group(1))


def _selected_city(html: str) -> str:
    picker = html.split('<select id="city-pick"', 1)[1].split("</select>", 1)[0]
    match = re.search(r'<option value="([\w-]+)"[^>]* selected>', picker)
    assert match
    return match.group(1)


def _local_page(client, ceremony, **params):
    return client.get(reverse("web:event_detail", args=[ceremony.event.slug]), params)


def test_event_page_local_mode_city_tula_shows_moscow_ten_oclock(client, local_ceremony):
    response = _local_page(client, local_ceremony, city="tula")

    html = _text(response)
    assert response.status_code == 200
    assert _selected_city(html) == "tula"
    assert _picked(html) == "Tula: May 9, 2027, 10:00–11:00 (MSK, UTC+3)"
    assert "data-visitor-time" not in html


def test_event_page_local_mode_tula_calendar_links_carry_tula_instance(client, local_ceremony):
    html = _text(_local_page(client, local_ceremony, city="tula"))

    tula = _add_links(html, "tula")
    google = _query(tula["google"])
    outlook = _query(tula["outlook"])
    assert google["dates"] == "20270509T070000Z/20270509T080000Z"
    assert google["ctz"] == "Europe/Moscow"
    assert google["location"] == "Victory Square, Tula"
    assert outlook["startdt"] == "2027-05-09T10:00:00+03:00"
    assert outlook["enddt"] == "2027-05-09T11:00:00+03:00"
    assert outlook["location"] == "Victory Square, Tula"
    assert tula["ics"] == f"/feeds/event/{local_ceremony.event.slug}.ics?city=tula"


def test_event_page_local_mode_city_anchorage_shows_akdt_ten_oclock(client, local_ceremony):
    html = _text(_local_page(client, local_ceremony, city="anchorage"))

    google = _query(_add_links(html, "anchorage")["google"])
    assert _selected_city(html) == "anchorage"
    assert _picked(html) == "Anchorage: May 9, 2027, 10:00–11:00 (AKDT, UTC−8)"
    assert google["dates"] == "20270509T180000Z/20270509T190000Z"
    assert google["ctz"] == "America/Anchorage"
    assert _query(_add_links(html, "anchorage")["outlook"])["startdt"] == (
        "2027-05-09T10:00:00-08:00"
    )


def test_event_page_local_mode_every_city_has_its_own_calendar_links(client, local_ceremony):
    html = _text(_local_page(client, local_ceremony))

    dates = {
        slug: _query(_add_links(html, slug)["google"])["dates"]
        for slug in ("magadan", "anchorage", "tula")
    }
    assert dates == {
        "magadan": "20270508T230000Z/20270509T000000Z",
        "anchorage": "20270509T180000Z/20270509T190000Z",
        "tula": "20270509T070000Z/20270509T080000Z",
    }


def test_event_page_local_mode_without_city_picks_the_host(client, local_ceremony):
    html = _text(_local_page(client, local_ceremony))

    assert _selected_city(html) == "magadan"
    assert _picked(html) == "Magadan: May 9, 2027, 10:00–11:00 (UTC+11)"
    assert "May 9, 2027, 10:00–11:00 (local time in each city)" in html
    assert 'role="status"' not in html


@pytest.mark.parametrize(
    "city", ["zzz", "egvekinot", "TULA", "../tula", "x" * 500, "<script>", "tula\x00", " "]
)
def test_event_page_unknown_or_absent_city_falls_back_to_host(client, local_ceremony, city):
    response = _local_page(client, local_ceremony, city=city)

    html = _text(response)
    assert response.status_code == 200
    assert _selected_city(html) == "magadan"
    assert "<script>" not in html.split("<main", 1)[-1]


def test_event_page_unknown_city_says_it_was_ignored(client, local_ceremony):
    html = _text(_local_page(client, local_ceremony, city="egvekinot"))

    assert "“egvekinot” does not take part in this event; showing Magadan." in html


def test_event_page_local_mode_where_shows_the_picked_city_venue(client, local_ceremony):
    html = _text(_local_page(client, local_ceremony, city="anchorage"))

    assert re.search(r"<dd data-picked-where[^>]*>Delaney Park, Anchorage</dd>", html)


def test_event_page_local_mode_in_russian(ru, local_ceremony):
    html = _text(_local_page(ru, local_ceremony, city="tula"))

    assert "Ваш город" in html
    assert _picked(html).startswith("Тула: 9 мая 2027")
    assert "местное время в каждом городе" in html


def test_event_page_instant_city_pick_shows_that_city_date_across_date_line(client, world):
    html = _text(
        client.get(reverse("web:event_detail", args=["alsib-wreath-laying"]), {"city": "fairbanks"})
    )

    google = _query(_add_links(html, "fairbanks")["google"])
    assert _picked(html) == "Fairbanks: May 8, 2020, 16:00–17:00 (AKDT, UTC−8)"
    assert google["dates"] == "20200509T000000Z/20200509T010000Z"
    assert google["ctz"] == "America/Anchorage"
    assert _query(_add_links(html, "egvekinot")["google"])["dates"] == google["dates"]
    assert '<time datetime="2020-05-09T00:00:00Z" data-visitor-time' in html


def test_event_page_instant_default_city_is_the_host(client, world):
    html = _text(client.get(reverse("web:event_detail", args=["alsib-wreath-laying"])))

    assert _picked(html) == "Egvekinot: May 9, 2020, 12:00–13:00 (UTC+12)"


def test_event_page_recurring_local_mode_next_dates_per_city(client, world):
    ceremony = build_local_ceremony(world.tula, rrule="FREQ=YEARLY")

    html = _text(_local_page(client, ceremony, city="tula"))

    section = html.split('id="dates-heading"', 1)[1].split("</section>", 1)[0]
    items = re.findall(r'<ul class="dates-by-city">(.*?)</ul>', section, re.S)
    assert len(items) > 1
    for item in items:
        cities = re.findall(
            r'<li data-city="([\w-]+)"[^>]*><span class="muted">[^<]*</span> ([^<]*)</li>', item
        )
        assert [slug for slug, _ in cities] == ["magadan", "anchorage", "tula"]
        assert {when.split(", ")[-1] for _, when in cities} == {"10:00–11:00"}
        assert all(when.startswith("May 9, ") for _, when in cities)


def test_home_sorts_cities_by_the_name_the_reader_sees(client, db):
    from tests.factories import CityFactory

    for english, russian in (("Albany", "Олбани"), ("Fairbanks", "Фэрбанкс"), ("Juneau", "Джуно")):
        CityFactory(name_en=english, name_ru=russian, country="US")

    english = _text(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))
    russian = _text(client.get("/", HTTP_ACCEPT_LANGUAGE="ru"))

    assert sorted(["Juneau", "Fairbanks", "Albany"], key=english.index) == [
        "Albany",
        "Fairbanks",
        "Juneau",
    ]
    assert sorted(["Олбани", "Фэрбанкс", "Джуно"], key=russian.index) == [
        "Джуно",
        "Олбани",
        "Фэрбанкс",
    ]


def test_home_sorts_cities_alphabetically_across_countries_in_the_readers_language(client, db):
    from tests.factories import CityFactory

    # The country is shown beside each name, not as a heading: a list sorted by country code
    # first read "Якутск, Анкоридж" in Russian. The letter yo sorts as ye (Дёмино before Дзержинск).
    for english, russian, country in (
        ("Magadan", "Магадан", "RU"),
        ("Anchorage", "Анкоридж", "US"),
        ("Demino", "Дёмино", "RU"),
        ("Dzerzhinsk", "Дзержинск", "RU"),
        ("Yakutsk", "Якутск", "RU"),
    ):
        CityFactory(name_en=english, name_ru=russian, country=country)

    english = _text(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))
    russian = _text(client.get("/", HTTP_ACCEPT_LANGUAGE="ru"))

    names = ["Yakutsk", "Magadan", "Dzerzhinsk", "Demino", "Anchorage"]
    assert sorted(names, key=english.index) == sorted(names)
    assert sorted(["Якутск", "Магадан", "Дзержинск", "Дёмино", "Анкоридж"], key=russian.index) == [
        "Анкоридж",
        "Дёмино",
        "Дзержинск",
        "Магадан",
        "Якутск",
    ]


def test_past_month_only_events_are_past_not_dates_not_fixed(client, world):
    html = _text(client.get(reverse("web:partnership_detail", args=[world.old_pair.pk])))
    undated = html.split('id="undated-heading"')[1] if 'id="undated-heading"' in html else ""
    earlier = html.split('id="approx-past-heading"')[1]

    # February 2020 is over: the delegation is listed as past, not as "dates not fixed yet".
    assert "Delegation from Albany to Tula" in earlier
    assert "Delegation from Albany to Tula" not in undated.split("</section>")[0]


@pytest.mark.parametrize("page", ["city", "partnership"])
def test_past_section_does_not_say_none_above_a_month_only_past_event(client, world, page):
    url = (
        reverse("web:city_detail", args=[world.albany.slug])
        if page == "city"
        else reverse("web:partnership_detail", args=[world.old_pair.pk])
    )
    html = _text(client.get(url))
    past = html.split('id="past-heading"')[1].split("</section>")[0]

    # Albany's only past event is known by its month: "No past events." above it was false.
    assert "Delegation from Albany to Tula" in html.split('id="approx-past-heading"')[1]
    assert "No past events." not in past
    assert "No past events with an exact date; those known only by month or year follow." in past


def test_event_list_shows_past_month_only_events_under_past(client, world):
    upcoming = _text(client.get(reverse("web:event_list")))
    past = _text(client.get(reverse("web:event_list"), {"period": "past"}))

    assert "Delegation from Albany to Tula" not in upcoming
    assert "Earlier, known only by month or year" in past
    assert "Delegation from Albany to Tula" in past


def _select_options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    return [unescape(o).strip() for o in re.findall(r"<option[^>]*>([^<]*)</option>", select[1])]


@pytest.fixture
def far_apart_cities(db):
    from tests.factories import CityFactory

    for english, russian, country in (
        ("Albany", "Олбани", "US"),
        ("Anchorage", "Анкоридж", "US"),
        ("Magadan", "Магадан", "RU"),
        ("Yolkino", "Ёлкино", "RU"),
        ("Yegoryevsk", "Егорьевск", "RU"),
    ):
        CityFactory(name_en=english, name_ru=russian, country=country)


@pytest.mark.parametrize("url", ["/events/", "/events/month/"])
def test_filter_city_choices_are_in_the_readers_alphabet(client, far_apart_cities, url):
    english = _select_options(_text(client.get(url, HTTP_ACCEPT_LANGUAGE="en")), "city")
    russian = _select_options(_text(client.get(url, HTTP_ACCEPT_LANGUAGE="ru")), "city")

    assert english[1:] == ["Albany", "Anchorage", "Magadan", "Yegoryevsk", "Yolkino"]
    # Sorted by the English names the Russian list read Олбани, Анкоридж, Магадан.
    assert russian[1:] == ["Анкоридж", "Егорьевск", "Ёлкино", "Магадан", "Олбани"]


def test_filter_partnership_choices_are_in_the_readers_alphabet(client, db):
    from tests.factories import CityFactory

    tula = CityFactory(name_en="Tula", name_ru="Тула")
    albany = CityFactory(name_en="Albany", name_ru="Олбани", country="US")
    magadan = CityFactory(name_en="Magadan", name_ru="Магадан")
    anchorage = CityFactory(name_en="Anchorage", name_ru="Анкоридж", country="US")
    services.create_partnership(city_a_id=tula.pk, city_b_id=albany.pk)
    services.create_partnership(city_a_id=magadan.pk, city_b_id=anchorage.pk)

    english = _select_options(
        _text(client.get("/events/", HTTP_ACCEPT_LANGUAGE="en")), "partnership"
    )
    russian = _select_options(
        _text(client.get("/events/", HTTP_ACCEPT_LANGUAGE="ru")), "partnership"
    )

    assert english[1:] == ["Magadan – Anchorage", "Tula – Albany"]
    assert russian[1:] == ["Магадан – Анкоридж", "Тула – Олбани"]
