"""The planner beside the desk's event form: the planner URL for the form's cities and start,
and every city's local time for that start (events.planning's answer, as its page words it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import reverse

from events.models import City, Event
from events.planning import build_plan
from events.planning.display import present
from events.planning.query import MAX_CITIES, Params, event_params, parse_query
from events.timezones import get_zone


@dataclass(frozen=True)
class Beside:
    url: str  # the planner page asking about the form's cities and start
    answer: dict[str, Any] | None  # events.planning.display.present(...), None without a time


def planner_beside(
    cities: list[City], zone: str, start: dt.datetime | None, start_date: dt.date | None
) -> Beside | None:
    """``start`` is the naive wall-clock start in ``zone``; the reference city is the first
    city in that zone (else the first city, the instant moved onto its clock)."""
    if not cities:
        return None
    cities = cities[:MAX_CITIES]
    reference = next((c for c in cities if c.timezone == zone), cities[0])
    params = QueryDict(mutable=True)
    params.setlist("cities", [c.slug for c in cities])
    params["ref"] = reference.slug
    if start is not None:
        wall = start
        if reference.timezone != zone:
            try:
                wall = (
                    start.replace(tzinfo=get_zone(zone))
                    .astimezone(reference.zone)
                    .replace(tzinfo=None)
                )
            except ValidationError:
                wall = start
        params["date"], params["time"] = f"{wall:%Y-%m-%d}", f"{wall:%H:%M}"
    elif start_date is not None:
        params["date"] = start_date.isoformat()
    return _answer(params, timed=start is not None)


def _answer(params: QueryDict, *, timed: bool) -> Beside:
    url = reverse("web:desk_planner") + "?" + params.urlencode()
    if not timed:
        return Beside(url=url, answer=None)
    params["limit"] = "1"
    try:
        answer = present(build_plan(parse_query(cast(Params, params))))
    except ValidationError:
        answer = None
    return Beside(url=url, answer=answer)


def beside_event(event: Event, now: dt.datetime) -> Beside | None:
    """The planner's question about a saved event: its next occurrence (the planner's own
    event_params; needs participations with cities and changes prefetched)."""
    found = event_params(event, now)
    if not found:
        return None
    params = QueryDict(mutable=True)
    for key, value in found:
        params.appendlist(key, value)
    return _answer(params, timed=event.precision == Event.Precision.TIME)
