"""The desk's Planner page: coordinators only, a GET form answered on the server, bad input
shown beside the field with a 400, both languages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import CityFactory
from tests.web.conftest import build_local_ceremony

URL = reverse("web:desk_planner")
ASK = "?cities=magadan&cities=anchorage&cities=tula&date=2027-05-09&time=10:00"


@pytest.fixture
def ceremony(world):
    return build_local_ceremony(world.tula)


def test_planner_anonymous_is_redirected_to_login(client, ceremony):
    response = client.get(URL + ASK)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_planner_non_coordinator_is_403(client, ceremony, django_user_model):
    client.force_login(django_user_model.objects.create_user("visitor", password="x-123456"))

    assert client.get(URL).status_code == 403


def test_planner_linked_from_the_desk(coordinator_client, world):
    html = coordinator_client.get(reverse("web:desk")).content.decode()

    assert f'href="{URL}"' in html


def test_planner_empty_form_has_every_city(coordinator_client, ceremony):
    response = coordinator_client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="cities" value="magadan"' in html
    assert 'name="cities" value="egvekinot"' in html
    assert "data-planner-results hidden" in html


def test_planner_form_answers_on_the_server(coordinator_client, ceremony):
    response = coordinator_client.get(URL + ASK)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="magadan" checked' in html
    assert "Saturday" in html  # 10:00 Sunday 9 May in Magadan is Saturday 8 May in Anchorage
    assert "previous day" in html
    assert "No hour of this week is within working hours" in html
    assert html.index('data-city="magadan"', html.index("data-roll")) < html.index(
        'data-city="anchorage"', html.index("data-roll")
    )


def test_planner_bad_input_is_400_beside_the_field(coordinator_client, ceremony):
    response = coordinator_client.get(URL + "?cities=magadan&cities=atlantis&time=7pm")

    html = response.content.decode()
    assert response.status_code == 400
    assert "Unknown city: atlantis." in html
    assert "Enter a time as HH:MM" in html
    assert 'role="alert" data-planner-errors>' in html


def test_planner_in_russian(coordinator_client, ceremony):
    coordinator_client.cookies["django_language"] = "ru"

    html = coordinator_client.get(URL + ASK).content.decode()

    assert "Анкоридж" in html or "Anchorage" in html
    assert "Магадан" in html
    assert "8 мая 2027 г." in html


def test_planner_starts_from_an_event(coordinator_client, ceremony):
    response = coordinator_client.get(URL + f"?event={ceremony.event.slug}")

    assert response.status_code == 302
    assert response["Location"] == URL + (
        "?cities=magadan&cities=anchorage&cities=tula&ref=magadan&date=2027-05-09&time=10%3A00"
    )


def test_planner_instant_event_uses_the_host_clock(coordinator_client, world):
    # The ALSIB ceremony: 12:00 on 9 May 2020 in Egvekinot (host), Fairbanks co-host.
    response = coordinator_client.get(URL + f"?event={world.ceremony.slug}")

    assert response["Location"] == URL + (
        "?cities=egvekinot&cities=fairbanks&ref=egvekinot&date=2020-05-09&time=12%3A00"
    )


def test_planner_unknown_event_is_404(coordinator_client, world):
    assert coordinator_client.get(URL + "?event=atlantis").status_code == 404
    assert coordinator_client.get(URL + "?event=a%00b").status_code == 404


def _twelve_cities():
    zones = ["Asia/Magadan", "America/Anchorage", "Europe/Moscow", "America/New_York"] * 3
    return [CityFactory(slug=f"city-{n}", timezone=zone).slug for n, zone in enumerate(zones)]


def test_planner_page_queries_are_bounded(
    coordinator_client, ceremony, django_assert_max_num_queries
):
    query = "&".join(f"cities={slug}" for slug in _twelve_cities())

    with django_assert_max_num_queries(8):
        response = coordinator_client.get(f"{URL}?{query}&date=2027-05-09")

    assert response.status_code == 200


def test_planner_api_queries_are_bounded(client, ceremony, django_assert_max_num_queries):
    query = "&".join(f"cities={slug}" for slug in _twelve_cities())

    with django_assert_max_num_queries(2):
        response = client.get(f"/api/planner/?{query}&date=2027-05-09")

    assert response.status_code == 200


def test_planner_reference_badge_is_the_planners_word_not_the_legs_field(
    coordinator_client, ceremony
):
    # "reference" is also an itinerary leg's field (a flight number): in Russian the planner's
    # badge for the reference city read "номер рейса".
    from django.utils import translation

    coordinator_client.cookies["django_language"] = "ru"

    html = coordinator_client.get(URL + ASK).content.decode()

    with translation.override("ru"):
        badge = translation.pgettext("planner badge", "reference")
    assert "номер рейса" not in html
    assert f'<span class="badge">{badge}</span>' in html
    assert f'data-l-reference="{badge}"' in html
