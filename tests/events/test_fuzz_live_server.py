"""Schemathesis against the *served* schema of a live server (a real HTTP server thread on
the test database: PostgreSQL in CI), as an anonymous client and as a coordinator: zero 5xx,
and every schema-valid 200/201 answer conforms to the schema. Bounded: a few examples per
operation, derandomized."""

from __future__ import annotations

import pytest
import schemathesis
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode

from tests.events.test_fuzz_api import OUR_PATHS, _fuzz
from tests.events.test_fuzz_api import existing_ids as existing_ids  # the fixture, shared

pytestmark = pytest.mark.integration


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", ["anonymous", "coordinator"])
def test_live_server_never_answers_5xx_nor_breaks_its_schema(
    live_server, existing_ids, who, request
):
    served = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json")
    headers = {}
    if who == "coordinator":
        user = request.getfixturevalue("coordinator")
        headers = {"Authorization": f"Token {Token.objects.create(user=user).key}"}
        schema = served.include(path_regex=OUR_PATHS)
    else:
        schema = served.include(path_regex=OUR_PATHS, method="GET")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= (20 if who == "coordinator" else 8)

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, headers, existing_ids)
