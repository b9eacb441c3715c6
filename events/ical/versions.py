"""Fragment-store versioning: the key a stored VEVENT fragment must match to be served.

A render is a pure function of the event, its participations' cities, its occurrence changes,
the settings it reads and the translation catalogues; the version key names all of them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from events.models import Event

# Bump when the rendering changes so stored fragments are rebuilt.
RENDER_VERSION = "4"


@lru_cache(maxsize=1)
def _translations_stamp() -> str:
    """Size and mtime of the compiled catalogues: new translations re-render fragments."""
    from pathlib import Path

    parts = []
    for base in settings.LOCALE_PATHS:
        for mo in sorted(Path(base).glob("*/LC_MESSAGES/django.mo")):
            info = mo.stat()
            parts.append(f"{mo.parent.parent.name}:{info.st_size}:{int(info.st_mtime)}")
    return ",".join(parts)


def render_salt() -> str:
    """Part of every fragment's version: renderer version, the settings and catalogues it reads."""
    seed = f"{settings.SITE_URL}|{settings.DEFAULT_FROM_EMAIL}|{_translations_stamp()}"
    return f"{RENDER_VERSION}.{hashlib.sha256(seed.encode()).hexdigest()[:8]}"


def stamp(value: dt.datetime | None) -> str:
    """A compact, exact text form of an instant for version keys."""
    if value is None:
        return "-"
    return str(int(value.timestamp() * 1_000_000))


def related(event: Event, name: str) -> list:
    """A prefetched relation as a list without building a QuerySet (a clone per call adds up
    to a third of a cold feed's time); falls back to a query when nothing was prefetched."""
    cache = getattr(event, "_prefetched_objects_cache", {})
    if name in cache:
        return list(cache[name])
    return list(getattr(event, name).all())


def last_change(
    event: Event, parts: list | None = None, changes: list | None = None
) -> dt.datetime:
    """When anything a VEVENT of ``event`` shows last changed (needs prefetched relations)."""
    values = [event.updated_at]
    values.extend(
        p.city.updated_at for p in (related(event, "participations") if parts is None else parts)
    )
    values.extend(c.updated_at for c in (related(event, "changes") if changes is None else changes))
    return max(v for v in values if v is not None)


def fragment_version(event: Event, relations: tuple[list, list] | None = None) -> str:
    """The key a stored fragment must match; the feed query computes the same in SQL."""
    if relations is None:
        relations = (related(event, "participations"), related(event, "changes"))
    cities = [p.city.updated_at for p in relations[0]]
    changes = [c.updated_at for c in relations[1]]
    return version_key(
        event.sequence,
        event.updated_at,
        max(cities) if cities else None,
        max(changes) if changes else None,
    )


def version_key(
    sequence: int,
    updated_at: dt.datetime,
    cities_updated_at: dt.datetime | None,
    changes_updated_at: dt.datetime | None,
) -> str:
    return (
        f"{render_salt()}:{sequence}:{stamp(updated_at)}:"
        f"{stamp(cities_updated_at)}:{stamp(changes_updated_at)}"
    )
