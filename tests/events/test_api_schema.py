"""The OpenAPI schema validates, and real responses of every endpoint conform to it."""

import datetime as dt

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections
from rest_framework.authtoken.models import Token
from schemathesis.checks import response_schema_conformance

from config.wsgi import application
from events import services
from events.models import Event
from tests.factories import CityFactory, ContactFactory

pytestmark = pytest.mark.django_db


def test_schema_validates_without_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )

    schema = (tmp_path / "schema.yaml").read_text()
    assert "/api/occurrences/" in schema
    for path in ("events", "partnerships", "contacts", "reminder-rules"):
        assert f"/api/{path}/{{id}}/history/:" in schema


def test_schema_and_docs_are_served(api_client):
    assert api_client.get("/api/schema/").status_code == 200
    assert api_client.get("/api/docs/").status_code == 200


@pytest.fixture
def wsgi_app():
    """The project's WSGI app, called in-process inside the test's transaction.

    Django closes "old" connections around each request; inside a test transaction that
    would roll the test's data away, so (like Django's test client) switch that off.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield application
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def programme(db):
    egvekinot = CityFactory(
        slug="egvekinot", name_native="Эгвекинот", country="RU", timezone="Asia/Anadyr"
    )
    fairbanks = CityFactory(slug="fairbanks", timezone="America/Anchorage")
    pair = services.create_partnership(
        city_a_id=egvekinot.pk, city_b_id=fairbanks.pk, established_on=dt.date(1990, 5, 9)
    )
    services.change_partnership_status(partnership=pair, status="dormant")
    ContactFactory(city=egvekinot)
    ContactFactory(city=None)  # an embassy or union with no city of its own: "city": null
    participations = [
        services.ParticipationInput(city_id=egvekinot.pk, role="host", venue="Мемориал"),
        services.ParticipationInput(city_id=fairbanks.pk, role="co_host"),
    ]
    event = services.create_event(
        title_en="Wreath-laying",
        kind=Event.Kind.COMMEMORATION,
        status=Event.Status.CONFIRMED,
        timezone="Asia/Anadyr",
        start=dt.datetime(2020, 5, 9, 12, 0),
        end=dt.datetime(2020, 5, 9, 13, 0),
        rrule="FREQ=YEARLY",
        exdates=["2023-05-09T12:00:00"],
        partnership=pair,
        participations=participations,
    )
    services.change_occurrence(
        event=event, original_start=dt.datetime(2021, 5, 9, 12, 0), location="Порт"
    )
    services.create_event(
        title_ru="Круглый стол",
        kind=Event.Kind.FORUM,
        status=Event.Status.CANCELLED,
        time_mode=Event.TimeMode.LOCAL,
        timezone="Europe/Moscow",
        precision=Event.Precision.DAY,
        start_date=dt.date(2021, 5, 9),
        participations=participations,
    )
    return {"event": event.pk, "pair": pair.pk, "city": egvekinot.pk}


def test_real_responses_conform_to_schema(coordinator, programme, wsgi_app):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)
    token = Token.objects.create(user=coordinator)
    auth = {"Authorization": f"Token {token.key}"}
    window = {"start": "2020-01-01", "end": "2022-12-31"}
    requests = [
        ("GET /api/cities/", {}, {}),
        ("GET /api/cities/{id}/", {"id": programme["city"]}, {}),
        ("GET /api/partnerships/", {}, {}),
        ("GET /api/partnerships/{id}/", {"id": programme["pair"]}, {}),
        ("GET /api/events/", {}, {}),
        ("GET /api/events/{id}/", {"id": programme["event"]}, {}),
        ("GET /api/events/{id}/occurrence-changes/", {"id": programme["event"]}, {}),
        ("GET /api/contacts/", {}, {}),
        ("GET /api/occurrences/", {}, window),
        ("GET /api/anniversaries/", {}, {"start": "2020-01-01", "end": "2020-12-31"}),
        ("GET /api/feeds/links/", {}, {"feed": "city", "key": "egvekinot"}),
    ]

    for label, path_parameters, query in requests:
        operation = schema.find_operation_by_label(label)
        case = operation.Case(path_parameters=path_parameters, query=query)
        response = case.call(headers=auth)
        assert response.status_code == 200, (label, response.text[:300])
        case.validate_response(response, checks=[response_schema_conformance])
