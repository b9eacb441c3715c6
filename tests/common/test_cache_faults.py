"""Fault tests: the web app's reads with its Redis cache stopped, then restarted.

Each test starts a private redis-server on a free port, points the cache (and so the API
throttle counters) at it, and kills it. Pages, feeds and API reads must answer 200 while it is
down and right after it returns.
"""

from __future__ import annotations

import shutil
import time

import pytest
import redis

from common.cache import FailSafeRedisCache
from tests.conftest import require_service
from tests.factories import CityFactory, EventFactory, ParticipationFactory
from tests.notifications.procs import RedisServer, redis_answers, wait_for

pytestmark = [pytest.mark.fault, pytest.mark.timeout(90), pytest.mark.django_db]

# Far longer than a degraded request may take, far shorter than a hung one.
MAX_SECONDS_PER_REQUEST = 2.0


@pytest.fixture
def redis_cache(tmp_path, settings, monkeypatch):
    """The production cache configuration (config/settings.py with REDIS_URL) on a private
    redis-server; a short back-off so recovery is seen within a test."""
    if not shutil.which("redis-server"):
        require_service("redis-server", "binary not installed")
    server = RedisServer(tmp_path)
    server.start()
    monkeypatch.setattr(FailSafeRedisCache, "RETRY_SECONDS", 0.2)
    settings.CACHES = {
        "default": {
            "BACKEND": "common.cache.FailSafeRedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
    yield server
    server.stop()


@pytest.fixture
def public_reads(db):
    city = CityFactory(slug="fairbanks", name_en="Fairbanks", timezone="America/Anchorage")
    event = EventFactory(slug="alsib-wreaths")
    ParticipationFactory(event=event, city=city, role="host")
    return [
        "/api/cities/",
        f"/api/cities/{city.pk}/",
        "/api/events/",
        f"/api/events/{event.pk}/",
        "/api/partnerships/",
        "/api/occurrences/?start=2030-01-01&end=2030-12-31",
        "/api/anniversaries/",
        "/api/feeds/links/?feed=city&key=fairbanks",
        "/",
        "/events/",
        "/events/month/",
        "/events/alsib-wreaths/",
        "/cities/fairbanks/",
        "/feeds/all.ics",
        "/feeds/city/fairbanks.ics",
        "/feeds/event/alsib-wreaths.ics",
    ]


def _throttle_keys(url: str) -> list[bytes]:
    return redis.Redis.from_url(url, socket_timeout=1).keys("*throttle*")


def _statuses(client, paths: list[str]) -> dict[str, tuple[int, float]]:
    answers = {}
    for path in paths:
        began = time.monotonic()
        status = client.get(path).status_code
        answers[path] = (status, time.monotonic() - began)
    return answers


def test_reads_answer_while_redis_cache_is_down_and_after_it_returns(
    client, redis_cache, public_reads, caplog
):
    assert {p: s for p, (s, _) in _statuses(client, public_reads).items()} == dict.fromkeys(
        public_reads, 200
    )
    assert _throttle_keys(redis_cache.url), "anonymous API reads are throttled in Redis"

    redis_cache.stop()
    assert not redis_answers(redis_cache.url)
    down = _statuses(client, public_reads)

    assert {p: s for p, (s, _) in down.items()} == dict.fromkeys(public_reads, 200)
    assert max(seconds for _, seconds in down.values()) < MAX_SECONDS_PER_REQUEST, down
    outage_logs = [r for r in caplog.records if "Redis cache unreachable" in r.getMessage()]
    assert len(outage_logs) == 1

    redis_cache.start()
    first = client.get("/api/events/")

    assert first.status_code == 200
    # Once the short back-off has passed, throttle counters are kept in Redis again.
    wait_for(
        lambda: client.get("/api/cities/").status_code == 200 and _throttle_keys(redis_cache.url),
        10,
        "throttle counters back in Redis",
    )
    assert {p: s for p, (s, _) in _statuses(client, public_reads).items()} == dict.fromkeys(
        public_reads, 200
    )


def test_first_request_after_a_redis_restart_is_served(client, redis_cache, public_reads):
    """A restart between two requests leaves a dead socket in the pool: the next call must
    not fail on it."""
    assert client.get("/api/events/").status_code == 200

    redis_cache.stop()
    redis_cache.start()

    assert client.get("/api/events/").status_code == 200
    assert client.get("/api/cities/").status_code == 200
