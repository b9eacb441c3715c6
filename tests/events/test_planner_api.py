"""GET /api/planner/: reading the question (Cyrillic names, caps, bad values → 400 naming the
parameter), the answer in English and Russian, and the schema."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.http import QueryDict
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import response_schema_conformance

from config.wsgi import application
from events.planning.query import MAX_CITIES, parse_query
from tests.factories import CityFactory

pytestmark = pytest.mark.django_db
URL = "/api/planner/"


@pytest.fixture
def cities(db):
    return {
        "magadan": CityFactory(
            slug="magadan", name_en="Magadan", name_native="Магадан", country="RU",
            timezone="Asia/Magadan",
        ),
        "anchorage": CityFactory(
            slug="anchorage", name_en="Anchorage", name_native="Anchorage", name_ru="Анкоридж",
            country="US", timezone="America/Anchorage",
        ),
        "tula": CityFactory(
            slug="tula", name_en="Tula", name_native="Тула", country="RU", timezone="Europe/Moscow"
        ),
    }  # fmt: skip


def _query(text: str):
    return parse_query(QueryDict(text))


def test_parse_query_cyrillic_names_find_the_cities(cities):
    query = _query("cities=Магадан,анкоридж&date=2026-05-11")

    assert [city.slug for city in query.cities] == ["magadan", "anchorage"]
    assert query.reference.slug == "magadan"


def test_parse_query_ref_is_added_first(cities):
    query = _query("cities=magadan&cities=tula&ref=anchorage&date=2026-05-11")

    assert [city.slug for city in query.cities] == ["anchorage", "magadan", "tula"]


def test_parse_query_duplicates_count_once(cities):
    query = _query("cities=magadan,magadan,Магадан&date=2026-05-11")

    assert [city.slug for city in query.cities] == ["magadan"]


@pytest.mark.parametrize(
    ("text", "param", "fragment"),
    [
        ("cities=Москва", "cities", "Москва"),
        ("cities=magadan&ref=nowhere", "ref", "nowhere"),
        ("", "cities", "at least one"),
        ("cities=magadan&date=2026-02-30", "date", "2026-02-30"),
        ("cities=magadan&date=11.05.2026", "date", "YYYY-MM-DD"),
        ("cities=magadan&date=1800-01-01", "date", "between"),
        ("cities=magadan&time=24:00", "time", "HH:MM"),
        ("cities=magadan&time=١٠:٠٠", "time", "HH:MM"),
        ("cities=magadan&work_start=20:00&work_end=08:00", "work_end", "end after"),
        ("cities=magadan&night_start=22:00&night_end=22:00", "night_end", "same time"),
        ("cities=magadan&duration=5", "duration", "15"),
        ("cities=magadan&limit=0", "limit", "1"),
        ("cities=magadan&fold=2", "fold", "0"),
        ("cities=magadan&weekends=maybe", "weekends", "1 or 0"),
        ("cities=mag%00adan", "cities", "NUL"),
        ("cities=magadan&time=10%00:00", "time", "NUL"),
    ],
)
def test_api_bad_input_is_400_naming_the_parameter(api_client, cities, text, param, fragment):
    response = api_client.get(f"{URL}?{text}")

    assert response.status_code == 400
    assert param in response.json()
    assert fragment in " ".join(response.json()[param])


def test_api_too_many_cities_is_400(api_client, cities):
    slugs = ",".join(f"city-{n}" for n in range(MAX_CITIES + 1))

    response = api_client.get(f"{URL}?cities={slugs}")

    assert response.status_code == 400
    assert response.json() == {"cities": [f"Choose at most {MAX_CITIES} cities."]}


def test_api_reports_every_bad_parameter_at_once(api_client, cities):
    response = api_client.get(f"{URL}?cities=nowhere&date=2026-13-01&time=25:00")

    assert set(response.json()) == {"cities", "date", "time"}


def test_api_magadan_anchorage_answer(api_client, cities):
    response = api_client.get(f"{URL}?cities=magadan,anchorage&date=2026-05-11&time=10:00")

    body = response.json()
    assert response.status_code == 200
    assert body["reference"]["instant"] == "2026-05-10T23:00Z"
    anchorage = body["clocks"][1]
    assert (anchorage["weekday"], anchorage["date"], anchorage["time"]) == (
        "Sunday",
        "May 10, 2026",
        "15:00",
    )
    assert (anchorage["utc_offset"], anchorage["abbreviation"]) == ("-08:00", "AKDT")
    assert anchorage["day_note"] == "previous day"
    assert body["week"]["common"] is True
    assert len(body["week"]["windows"]) == 4
    assert [r["city"] for r in body["same_local"]] == ["magadan", "anchorage"]


def test_api_no_common_hour_says_so(api_client, cities):
    response = api_client.get(f"{URL}?cities=magadan,anchorage,tula&date=2026-05-11")

    week = response.json()["week"]
    assert week["common"] is False
    assert week["windows"] == []
    assert week["message"].startswith("No hour of this week is within working hours")
    assert week["slots"][0]["summary"] == "1 city outside working hours"


def test_api_gap_and_fold_are_warned(api_client, cities):
    gap = api_client.get(f"{URL}?cities=anchorage&date=2026-03-08&time=02:30").json()
    fold = api_client.get(f"{URL}?cities=anchorage&date=2026-11-01&time=01:30&fold=1").json()

    assert gap["reference"]["dst"] == "gap"
    assert "does not exist in Anchorage" in gap["warnings"][0]
    assert gap["clocks"][0]["time"] == "03:30"
    assert fold["reference"]["dst"] == "fold"
    assert fold["reference"]["other_fold"] == 0
    assert fold["clocks"][0]["abbreviation"] == "AKST"
    assert "happens twice in Anchorage" in fold["warnings"][0]


def test_api_answers_in_russian(api_client, cities):
    response = api_client.get(
        f"{URL}?cities=magadan,anchorage&date=2026-05-11", HTTP_ACCEPT_LANGUAGE="ru"
    )

    anchorage = response.json()["clocks"][1]
    assert anchorage["name"] == "Анкоридж"
    assert anchorage["date"] == "10 мая 2026 г."
    assert anchorage["weekday"].lower() == "воскресенье"


def test_api_is_public_read_only(api_client, coordinator_api_client, cities):
    assert api_client.get(f"{URL}?cities=magadan").status_code == 200
    assert api_client.post(URL, {}).status_code == 403
    assert coordinator_api_client.post(URL, {}).status_code == 405


@pytest.fixture
def wsgi_app():
    """In-process WSGI inside the test transaction (see test_api_schema.wsgi_app)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield application
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_api_response_conforms_to_schema(cities, wsgi_app):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)
    operation = schema.find_operation_by_label("GET /api/planner/")
    query = {"cities": ["magadan", "anchorage", "tula"], "date": "2026-11-01", "time": "01:30"}

    response = operation.Case(query=query).call()

    assert response.status_code == 200
    operation.Case(query=query).validate_response(response, checks=[response_schema_conformance])


def test_api_fuzz_never_5xx(cities, wsgi_app):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)
    operation = schema.find_operation_by_label("GET /api/planner/")
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]

    @given(
        case=operation.as_strategy(generation_mode=modes[0])
        | operation.as_strategy(generation_mode=modes[1])
    )
    @settings(
        max_examples=30,
        derandomize=True,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        response = case.call()
        assert response.status_code < 500, (case.query, response.text[:300])

    check()
