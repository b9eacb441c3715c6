import datetime as dt
import re

import pytest
from django.urls import NoReverseMatch, reverse

from events import services
from events.models import Event
from events.services import ParticipationInput


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

    try:
        feed = reverse("feeds:city", kwargs={"slug": "fairbanks"})
    except NoReverseMatch:
        pytest.skip("feeds:city is not wired yet")
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


@pytest.mark.parametrize("page", ["zzz", "-1", "999999", "1e9"])
def test_event_list_bad_page_number_is_not_an_error(client, world, page):
    response = client.get(reverse("web:event_list"), {"period": "past", "page": page})

    assert response.status_code == 200


def test_city_page_in_russian_uses_native_name_and_plurals(ru, world):
    html = _text(ru.get(reverse("web:city_detail", args=["fairbanks"])))

    assert "Эгвекинот" in html
    assert "лет)" in html
    assert "местное время: Fairbanks" in html
