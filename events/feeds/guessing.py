"""Limiting private-feed token guessing: misses are counted per client address in the cache;
past the limit every private-feed request from that address gets 429 until the window ends
(a valid token too, or a guesser could tell a hit by its 200). Subscribers who do not miss
are never slowed: a hit costs one cache read. Without a cache (Redis down) nothing is
limited and the feeds keep working; that is logged once."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.http import HttpRequest

from config.env import env_int

log = logging.getLogger(__name__)
MAX_MISSES = env_int("PRIVATE_FEED_MAX_MISSES", 20, minimum=1)
WINDOW_SECONDS = env_int("PRIVATE_FEED_MISS_WINDOW_SECONDS", 600, minimum=1)
_warned = False


def _key(request: HttpRequest) -> str:
    return f"feeds:private-misses:{request.META.get('REMOTE_ADDR', '')}"


def _cache_failed(exc: Exception) -> None:
    global _warned
    if not _warned:
        log.warning("Private feed guessing limit off: the cache is unavailable (%s)", exc)
        _warned = True


def blocked(request: HttpRequest) -> bool:
    try:
        return int(cache.get(_key(request)) or 0) >= MAX_MISSES
    except Exception as exc:
        _cache_failed(exc)
        return False


def record_miss(request: HttpRequest) -> None:
    key = _key(request)
    try:
        if not cache.add(key, 1, WINDOW_SECONDS):
            cache.incr(key)
    except Exception as exc:
        _cache_failed(exc)
