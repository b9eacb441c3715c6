"""Django's Redis cache, made optional: while Redis is unreachable every call degrades to
"nothing cached" instead of raising.

The cache holds nothing that must survive (API throttle counters, short-lived memos), so a
page, feed or API read must not fail because Redis does: a read is a miss, a write is dropped,
and DRF's throttles therefore let requests through until Redis answers again. The outage is
logged once when it starts and once when it ends. After a failure Redis is left alone for
``RETRY_SECONDS`` so that an unreachable host costs one connect timeout per interval, not one
per request; the connection pool drops broken sockets, so the first call after Redis returns
opens a fresh connection (a server restart cannot fail it).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass
class _Health:
    """Whether one Redis location answered last time, shared by the process's threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    down_since: float | None = None
    retry_at: float = 0.0


# Django makes one cache object per thread: the outage state (and its one log line) is kept
# per process and location instead.
_HEALTH: dict[str, _Health] = {}
_HEALTH_LOCK = threading.Lock()


class FailSafeRedisCache(RedisCache):
    RETRY_SECONDS = 5.0

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        with _HEALTH_LOCK:
            self._health = _HEALTH.setdefault(str(server), _Health())

    def _guard(self, call: Callable[[], T], fallback: T) -> T:
        health = self._health
        if health.down_since is not None and time.monotonic() < health.retry_at:
            return fallback
        try:
            value = call()
        except redis.RedisError as exc:
            with health.lock:
                now = time.monotonic()
                health.retry_at = now + self.RETRY_SECONDS
                if health.down_since is None:
                    health.down_since = now
                    logger.warning(
                        "Redis cache unreachable (%s); serving without cache and API "
                        "throttling until it answers",
                        exc,
                    )
            return fallback
        if health.down_since is not None:
            with health.lock:
                if health.down_since is not None:
                    logger.warning(
                        "Redis cache answers again after %.0f s",
                        time.monotonic() - health.down_since,
                    )
                    health.down_since = None
        return value

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        return self._guard(partial(super().add, key, value, timeout, version), False)

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._guard(partial(super().get, key, default, version), default)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        self._guard(partial(super().set, key, value, timeout, version), None)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._guard(partial(super().touch, key, timeout, version), False)

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._guard(partial(super().delete, key, version), False)

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        return self._guard(partial(super().get_many, keys, version), {})

    def has_key(self, key: Any, version: Any = None) -> bool:
        return self._guard(partial(super().has_key, key, version), False)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        # Without Redis there is no stored value to add to: the same answer as a missing key.
        result = self._guard(partial(super().incr, key, delta, version), None)
        if result is None:
            raise ValueError(f"Key {key!r} not found (the Redis cache is unreachable)")
        return result

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> list[Any]:
        return self._guard(partial(super().set_many, data, timeout, version), list(data))

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._guard(partial(super().delete_many, keys, version), None)

    def clear(self) -> None:
        self._guard(partial(super().clear), None)
