"""The load balancer's health check: 200 "ok", no database query, never cached, plain HTTP."""

from __future__ import annotations

import pytest
from django.test import override_settings


def test_healthz_answers_ok_without_a_query(client):
    # No db fixture: pytest-django makes any database access here an error.
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "no-cache" in response["Cache-Control"]


def test_healthz_head_has_no_body(client):
    response = client.head("/healthz")

    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_healthz_refuses_writes(client, method):
    assert getattr(client, method)("/healthz").status_code == 405


@override_settings(SECURE_SSL_REDIRECT=True)
def test_healthz_is_not_redirected_to_https(client):
    # The balancer probes the backend over plain HTTP; every other page still redirects.
    assert client.get("/healthz").status_code == 200
    assert client.get("/events/").status_code == 301
