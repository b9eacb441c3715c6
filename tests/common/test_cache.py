"""The fail-safe cache against a Redis address nothing listens on (no server needed)."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from common.cache import FailSafeRedisCache
from tests.notifications.procs import free_port


def _cache(url: str) -> FailSafeRedisCache:
    return FailSafeRedisCache(url, {"OPTIONS": {"socket_connect_timeout": 0.5}})


def test_unreachable_redis_is_a_miss_logged_once_per_process(caplog):
    url = f"redis://127.0.0.1:{free_port()}/0"
    answers = []

    def use_cache() -> None:
        cache = _cache(url)  # Django builds one per thread
        cache.set("k", 1)
        answers.append((cache.get("k", "miss"), cache.get_many(["k"]), cache.add("k", 1)))

    began = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="common.cache"):
        threads = [threading.Thread(target=use_cache) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)

    assert answers == [("miss", {}, False)] * 4
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == ["Redis cache unreachable"]
    assert time.monotonic() - began < 3


def test_unreachable_redis_incr_is_a_missing_key():
    cache = _cache(f"redis://127.0.0.1:{free_port()}/0")

    with pytest.raises(ValueError, match="not found"):
        cache.incr("k")
