"""Shared fixtures. Factories live in tests/factories.py."""

from __future__ import annotations

import os

import pytest
from django.conf import settings


def require_service(name: str, reason: str) -> None:
    """Skip when a real service is missing -- except under CI=true, where that is a failure."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{name} is required in CI but unavailable: {reason}")
    pytest.skip(f"{name} unavailable: {reason}")


@pytest.fixture
def egvekinot(db):
    """The Chukotka side of the simultaneous ALSIB wreath-laying (UTC+12)."""
    from tests.factories import CityFactory

    return CityFactory(
        slug="egvekinot",
        name_en="Egvekinot",
        name_native="Эгвекинот",
        country="RU",
        timezone="Asia/Anadyr",
        latitude="66.32000",
        longitude="-179.11000",
    )


@pytest.fixture
def fairbanks(db):
    """The Alaska side (UTC-8 in May): the same instant falls on the previous date."""
    from tests.factories import CityFactory

    return CityFactory(
        slug="fairbanks", name_en="Fairbanks", country="US", timezone="America/Anchorage"
    )


@pytest.fixture
def coordinator(db, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("coord", password="coord-pass-123")
    group, _ = Group.objects.get_or_create(name=settings.COORDINATORS_GROUP)
    user.groups.add(group)
    return user


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def coordinator_api_client(coordinator):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(coordinator)
    return api


@pytest.fixture(autouse=True)
def _relaxed_anon_throttle(monkeypatch):
    """Many tests hit the API anonymously from one address; throttling tests set their own rate."""
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "100000/minute"})


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """PBKDF2 at full strength costs ~0.8 s per user created; tests need no strong hashes."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _relaxed_private_feed_guessing(monkeypatch):
    """Tests fetch many unknown private-feed URLs from one address; the guessing test sets its
    own limit."""
    from events.feeds import guessing

    monkeypatch.setattr(guessing, "MAX_MISSES", 10**6)


@pytest.fixture(params=["expanded", "indexed"])
def index_mode(request, db):
    """Run a read test twice: with no occurrence index (every read expands) and with one
    covering 2015-2045 (reads inside it come from the index). Rows of events created before
    this fixture are built here; later writes (services, factories) keep them."""
    from django.core.cache import cache

    cache.clear()  # the second run must not inherit the first one's throttle counters
    if request.param == "indexed":
        import datetime as dt

        from django.utils import timezone

        from events.models import OccurrenceHorizon
        from events.occurrence_index.maintain import rebuild_index

        OccurrenceHorizon.objects.create(
            covered_from=dt.datetime(2015, 1, 1, tzinfo=dt.UTC),
            covered_until=dt.datetime(2045, 1, 1, tzinfo=dt.UTC),
            extended_at=timezone.now(),
        )
        rebuild_index()
    return request.param


@pytest.fixture
def back_to_latest():
    """Leave the database fully migrated for the tests that follow a migration test."""
    yield
    from tests.migrating import migrate_to_latest

    migrate_to_latest()
