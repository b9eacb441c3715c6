"""The planner's question, read from query parameters (the desk form and the API share it).

Every bad parameter is reported at once, each under its own name, as a ``ValidationError``
with an error dict (the API turns it into a 400, the page shows it beside the field).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import City, Event, Participation
from events.planning.clocks import Hours, Place, Rules
from events.recurrence import expand

MAX_CITIES = 12
# Zone rules before 1900 are local mean time guesses; nobody plans meetings past 2200.
MIN_YEAR, MAX_YEAR = 1900, 2200
MIN_DURATION, MAX_DURATION = 15, 12 * 60
MAX_LIMIT = 50
# How far ahead an event's next occurrence is looked for when the planner starts from it.
EVENT_LOOKAHEAD = dt.timedelta(days=400)
DEFAULT_TIME = dt.time(10)
_TIME = re.compile(r"(\d{1,2}):(\d{2})", re.ASCII)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_TRUE, _FALSE = {"1", "true", "on", "yes"}, {"", "0", "false", "off", "no"}


class Params(Protocol):
    """A QueryDict, or anything else with ``get`` and ``getlist``."""

    def get(self, key: str, default: str | None = None) -> str | None: ...

    def getlist(self, key: str) -> list[str]: ...


@dataclass(frozen=True)
class Query:
    cities: list[City]  # the reference city first, then the others in the order given
    reference: City
    wall: dt.datetime  # naive: the typed date and time in the reference city
    fold: int
    rules: Rules
    duration: dt.timedelta
    limit: int

    @property
    def places(self) -> list[Place]:
        return [place_of(city) for city in self.cities]

    @property
    def home(self) -> Place:
        return place_of(self.reference)


def place_of(city: City) -> Place:
    return Place(slug=city.slug, zone=city.timezone)


class _Errors:
    def __init__(self) -> None:
        self.found: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.found.setdefault(name, []).append(message)

    def raise_any(self) -> None:
        if self.found:
            raise ValidationError(self.found)


def _raw(params: Params, name: str, errors: _Errors) -> str:
    """The parameter's value, stripped; NUL characters are refused (no database stores them)."""
    raw = (params.get(name) or "").strip()
    if "\x00" in raw:
        errors.add(name, _("Text may not contain NUL characters."))
        return ""
    return raw


def _tokens(values: Iterable[str]) -> list[str]:
    """Repeated and comma-separated values, stripped, first occurrence kept."""
    seen: dict[str, None] = {}
    for value in values:
        for token in value.split(","):
            if token.strip():
                seen.setdefault(token.strip(), None)
    return list(seen)


def _lookup(tokens: list[str]) -> dict[str, City]:
    """Each token's city: by slug, else by an exact name in any language, case folded."""
    found = {city.slug: city for city in City.objects.filter(slug__in=tokens)}
    result = {token: found[token] for token in tokens if token in found}
    missing = [token for token in tokens if token not in result]
    if missing:
        by_name: dict[str, City] = {}
        for city in City.objects.all():
            for name in (city.name_en, city.name_native, city.name_ru):
                if name:
                    by_name.setdefault(name.casefold(), city)
        for token in missing:
            if token.casefold() in by_name:
                result[token] = by_name[token.casefold()]
    return result


def _time(params: Params, name: str, default: dt.time, errors: _Errors) -> dt.time:
    raw = _raw(params, name, errors)
    if not raw:
        return default
    match = _TIME.fullmatch(raw)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        errors.add(
            name,
            _("Enter a time as HH:MM between 00:00 and 23:59, not %(value)r.")
            % {"value": raw[:20]},
        )
        return default
    return dt.time(int(match[1]), int(match[2]))


def _int(params: Params, name: str, default: int, low: int, high: int, errors: _Errors) -> int:
    raw = _raw(params, name, errors)
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        errors.add(
            name,
            _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high},
        )
        return default
    return int(raw)


def _date(params: Params, errors: _Errors) -> dt.date | None:
    raw = _raw(params, "date", errors)
    if not raw:
        return None
    match = _DATE.fullmatch(raw)
    try:
        day = dt.date(int(match[1]), int(match[2]), int(match[3])) if match else None
    except ValueError:
        day = None
    if day is None:
        errors.add(
            "date", _("Enter a real date as YYYY-MM-DD, not %(value)r.") % {"value": raw[:20]}
        )
    elif not MIN_YEAR <= day.year <= MAX_YEAR:
        errors.add(
            "date",
            _("The year must be between %(min)d and %(max)d.") % {"min": MIN_YEAR, "max": MAX_YEAR},
        )
        day = None
    return day


def _flag(params: Params, name: str, errors: _Errors) -> bool:
    raw = _raw(params, name, errors).lower()
    if raw in _TRUE:
        return True
    if raw not in _FALSE:
        errors.add(name, _("Use 1 or 0 (true or false)."))
    return False


def _cities(params: Params, errors: _Errors) -> tuple[list[City], City | None]:
    tokens = _tokens(params.getlist("cities"))
    ref_token = _raw(params, "ref", errors)
    if any("\x00" in token for token in tokens):
        errors.add("cities", _("Text may not contain NUL characters."))
        return [], None
    if ref_token and ref_token not in tokens:
        tokens.insert(0, ref_token)
    if not tokens:
        errors.add("cities", _("Choose at least one city."))
        return [], None
    if len(tokens) > MAX_CITIES:
        errors.add("cities", _("Choose at most %(n)d cities.") % {"n": MAX_CITIES})
        return [], None
    found = _lookup(tokens)
    unknown = [token for token in tokens if token not in found and token != ref_token]
    if unknown:
        errors.add(
            "cities",
            _("Unknown city: %(cities)s.") % {"cities": ", ".join(t[:80] for t in unknown)},
        )
    if ref_token and ref_token not in found:
        errors.add("ref", _("Unknown city: %(cities)s.") % {"cities": ref_token[:80]})
    cities = list({found[t].pk: found[t] for t in tokens if t in found}.values())
    reference = found.get(ref_token) if ref_token else (cities[0] if cities else None)
    if reference is not None:
        cities = [reference, *(city for city in cities if city.pk != reference.pk)]
    return cities, reference


def parse_query(params: Params) -> Query:
    """The planner's question from ``params``; ``ValidationError`` naming each bad parameter.

    ``ref`` (default: the first city) is added to ``cities`` when missing. The date defaults to
    today in the reference city, the time to 10:00.
    """
    errors = _Errors()
    cities, reference = _cities(params, errors)
    day = _date(params, errors)
    at = _time(params, "time", DEFAULT_TIME, errors)
    fold = _int(params, "fold", 0, 0, 1, errors)
    work = Hours(
        _time(params, "work_start", dt.time(8), errors),
        _time(params, "work_end", dt.time(20), errors),
    )
    if work.end <= work.start and "work_start" not in errors.found:
        errors.add("work_end", _("Working hours must end after they start, on the same day."))
    night = Hours(
        _time(params, "night_start", dt.time(22), errors),
        _time(params, "night_end", dt.time(7), errors),
    )
    if night.start == night.end:
        errors.add("night_end", _("Night hours must not start and end at the same time."))
    weekends = _flag(params, "weekends", errors)
    duration = _int(params, "duration", 60, MIN_DURATION, MAX_DURATION, errors)
    limit = _int(params, "limit", 10, 1, MAX_LIMIT, errors)
    errors.raise_any()
    assert reference is not None
    if day is None:
        day = timezone.now().astimezone(reference.zone).date()
    return Query(
        cities=cities,
        reference=reference,
        wall=dt.datetime.combine(day, at),
        fold=fold,
        rules=Rules(work=work, night=night, weekends_work=weekends),
        duration=dt.timedelta(minutes=duration),
        limit=limit,
    )


def event_params(event: Event, now: dt.datetime) -> list[tuple[str, str]]:
    """The planner's question for ``event``: its cities (host first, at most MAX_CITIES), the
    host as reference, and its next occurrence (else its first) on the host's clock; for a
    same-local-time event the wall-clock time every city repeats. Needs participations with
    their cities and the event's changes prefetched to stay within two queries."""
    participations = sorted(
        event.participations.all(), key=lambda p: (p.role != Participation.Role.HOST, p.pk)
    )[:MAX_CITIES]
    if not participations:
        return []
    reference = participations[0].city
    params = [("cities", p.city.slug) for p in participations] + [("ref", reference.slug)]
    upcoming = [o for o in expand(event, now, now + EVENT_LOOKAHEAD) if not o.cancelled]
    start = upcoming[0].start if upcoming else event.start
    if start is not None:
        zone = event.zone if event.time_mode == Event.TimeMode.LOCAL else reference.zone
        local = start.astimezone(zone)
        params += [("date", f"{local:%Y-%m-%d}"), ("time", f"{local:%H:%M}")]
    elif event.start_date is not None:
        params.append(("date", event.start_date.isoformat()))
    return params
