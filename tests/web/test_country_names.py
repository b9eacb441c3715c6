"""Countries are shown by their name in the reader's language, not by their ISO code."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import CityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cities():
    CityFactory(slug="samarkand", name_en="Samarkand", country="UZ", timezone="Asia/Samarkand")
    CityFactory(slug="tula", name_en="Tula", name_native="Тула", country="RU")
    CityFactory(slug="albany", name_en="Albany", country="US")


def _country_options(html: str) -> dict[str, str]:
    select = re.search(r'<select name="country"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None, html
    return dict(re.findall(r'<option value="(\w*)"[^>]*>([^<]*)</option>', select.group(1)))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", {"": "Any country", "RU": "Russia", "US": "United States", "UZ": "Uzbekistan"}),
        ("ru", {"": "Любая страна", "RU": "Россия", "US": "США", "UZ": "Узбекистан"}),
    ],
)
def test_event_list_country_filter_names_each_country(client, cities, language, expected):
    response = client.get(reverse("web:event_list"), HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    assert _country_options(response.content.decode()) == expected


@pytest.mark.parametrize(("language", "name"), [("en", "Uzbekistan"), ("ru", "Узбекистан")])
def test_city_page_and_home_name_the_country(client, cities, language, name):
    city = client.get(reverse("web:city_detail", args=["samarkand"]), HTTP_ACCEPT_LANGUAGE=language)
    home = client.get("/", HTTP_ACCEPT_LANGUAGE=language)

    assert f"· {name} ·" in city.content.decode()
    assert f'<span class="muted">{name}</span>' in home.content.decode()
