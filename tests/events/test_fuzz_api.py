"""Schema-driven fuzzing of our own API (schemathesis, in-process WSGI): zero 5xx.

Runs as a coordinator so writes are exercised, and anonymously over the reads, in positive
(schema-valid) and negative (schema-violating) modes. Bounded: a few examples per operation, derandomized for CI.
"""

import datetime as dt

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import response_schema_conformance

from config.wsgi import application
from events import services
from events.models import Event
from tests.factories import CityFactory, ContactFactory

pytestmark = pytest.mark.django_db

OUR_PATHS = r"^/api/(cities|partnerships|events|contacts|occurrences|anniversaries|feeds/links)/"
EXAMPLES_PER_OPERATION = 10


@pytest.fixture
def wsgi_app():
    """Call the app in-process inside the test transaction (see test_api_schema.wsgi_app)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield application
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def existing_ids(db):
    """A little programme so generated path ids sometimes hit real rows."""
    magadan = CityFactory(name_native="Магадан", country="RU", timezone="Asia/Magadan")
    anchorage = CityFactory(timezone="America/Anchorage")
    pair = services.create_partnership(
        city_a_id=magadan.pk, city_b_id=anchorage.pk, established_on=dt.date(1991, 6, 1)
    )
    contact = ContactFactory(city=magadan)
    ContactFactory(city=None)  # lists then hold "city": null, which the schema must allow
    event = services.create_event(
        title_en="Memorial",
        kind=Event.Kind.COMMEMORATION,
        status=Event.Status.CONFIRMED,
        timezone="Asia/Magadan",
        start=dt.datetime(2020, 5, 9, 11, 0),
        rrule="FREQ=YEARLY",
        partnership=pair,
        participations=[services.ParticipationInput(city_id=magadan.pk, role="host")],
    )
    return sorted({magadan.pk, anchorage.pk, pair.pk, contact.pk, event.pk})


def test_fuzz_api_never_answers_5xx(coordinator, existing_ids, wsgi_app):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app).include(
        path_regex=OUR_PATHS
    )
    auth = {"Authorization": f"Token {Token.objects.create(user=coordinator).key}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, auth, existing_ids)


def test_fuzz_api_reads_never_answer_5xx_to_anonymous_clients(existing_ids, wsgi_app):
    """What anyone on the internet can reach with no login (the links view among them)."""
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app).include(
        path_regex=OUR_PATHS, method="GET"
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    assert any(op.path == "/api/feeds/links/" for op in operations)

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, {}, existing_ids)


def _fuzz(operation, mode, auth, existing_ids) -> None:
    @given(case=operation.as_strategy(generation_mode=mode), ref=st.sampled_from(existing_ids))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    def run(case, ref):
        if "id" in (case.path_parameters or {}):
            case.path_parameters["id"] = ref
        response = case.call(headers=auth)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} query={case.query!r} body={case.body!r} "
            f"-> {response.status_code} {response.text[:500]}"
        )
        if mode is GenerationMode.POSITIVE and response.status_code in (200, 201):
            case.validate_response(response, checks=[response_schema_conformance])

    run()
