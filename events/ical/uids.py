"""UIDs: stable for the life of an event, per city copy, and per standalone occurrence."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from events.models import City, Event


UID_DOMAIN = "twinning-calendar"


def occurrence_uid(uid: str, key: dt.datetime) -> str:
    """The UID of a standalone VEVENT for one occurrence, from its copy's UID and the
    occurrence's original start: stable when the occurrence moves, so it updates in place."""
    base, _at, domain = uid.partition("@")
    return f"{base}-{key.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}@{domain}"


def city_uid(event: Event, city: City) -> str:
    """The UID of one city's copy of a same-local-time event (stable: event and city ids)."""
    return f"{event.uid}-c{city.pk}@{UID_DOMAIN}"


def event_uid(event: Event) -> str:
    return f"{event.uid}@{UID_DOMAIN}"
