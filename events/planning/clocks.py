"""City clocks: one instant read in every participating city, and one wall-clock time repeated
in each city (a "same local time" event). Pure: places and times in, values out.

Rule for a typed reference time that the reference city's clocks skip or repeat (the planner
shows it instead of refusing it, and always says so in a warning):
* in a DST gap the time is read forward by the length of the gap (02:30 in a spring-forward
  hour is 03:30), the RFC 5545 rule the rest of the calendar applies to generated times;
* in a fold ``fold=0`` (the default) takes the first of the two instants and ``fold=1`` the
  second, as Python's ``datetime.fold`` does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from events.models import Event
from events.recurrence import city_span
from events.timezones import get_zone, local_kind, make_aware_lenient

OK, GAP, FOLD = "ok", "gap", "fold"
SATURDAY, SUNDAY = 5, 6


@dataclass(frozen=True)
class Place:
    """A participating city as the planner sees it: its slug and its IANA zone."""

    slug: str
    zone: str


@dataclass(frozen=True)
class Hours:
    """A daily window [start, end) of local wall-clock time; an end before the start wraps past
    midnight (night hours 22:00-07:00)."""

    start: dt.time
    end: dt.time

    def contains(self, moment: dt.time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


@dataclass(frozen=True)
class Rules:
    """What counts as working hours, night and weekend in every city (Monday is 0)."""

    work: Hours = field(default_factory=lambda: Hours(dt.time(8), dt.time(20)))
    night: Hours = field(default_factory=lambda: Hours(dt.time(22), dt.time(7)))
    weekend: frozenset[int] = frozenset({SATURDAY, SUNDAY})
    weekends_work: bool = False

    def is_weekend(self, day: dt.date) -> bool:
        return day.weekday() in self.weekend

    def is_working_day(self, day: dt.date) -> bool:
        return self.weekends_work or not self.is_weekend(day)

    def is_working(self, local: dt.datetime) -> bool:
        return self.is_working_day(local.date()) and self.work.contains(local.time())


@dataclass(frozen=True)
class Reference:
    """The typed time in the reference city, resolved to one instant by the module's rule."""

    place: Place
    wall: dt.datetime  # naive, as typed
    instant: dt.datetime  # UTC
    kind: str  # OK, GAP or FOLD
    fold: int

    @property
    def local(self) -> dt.datetime:
        return self.instant.astimezone(get_zone(self.place.zone))


@dataclass(frozen=True)
class Clock:
    """One city's clock at the reference instant."""

    place: Place
    local: dt.datetime  # aware, in the city's zone
    day_shift: int  # local date minus the reference city's date: -1 previous day, +1 next day
    night: bool
    weekend: bool
    working: bool
    dst: str  # OK; GAP (the typed time was skipped here); FOLD (this wall time happens twice)
    is_reference: bool


@dataclass(frozen=True)
class RollEntry:
    """A same-local-time event in one city: the wall time there and the instant it is."""

    place: Place
    local: dt.datetime  # aware, in the city's zone
    instant: dt.datetime  # UTC
    in_reference: dt.datetime  # the same instant on the reference city's clock
    day_shift: int  # in_reference's date minus the typed date
    after_first: dt.timedelta  # since the first city's ceremony
    dst: str  # OK, GAP (moved forward by the gap) or FOLD (the first of two instants)


def resolve(place: Place, wall: dt.datetime, fold: int = 0) -> Reference:
    """The instant of wall-clock ``wall`` (naive) in ``place`` by the module's gap/fold rule."""
    zone = get_zone(place.zone)
    kind = local_kind(wall, zone)
    if kind == GAP:
        aware = make_aware_lenient(wall, zone)
    else:
        aware = wall.replace(tzinfo=zone, fold=fold if kind == FOLD else 0)
    return Reference(
        place=place,
        wall=wall,
        instant=aware.astimezone(dt.UTC),
        kind=kind,
        fold=fold if kind == FOLD else 0,
    )


def read_clocks(places: list[Place], reference: Reference, rules: Rules) -> list[Clock]:
    """Every city's clock at the reference instant, in the order the places are given."""
    home_date = reference.local.date()
    clocks = []
    for place in places:
        zone = get_zone(place.zone)
        local = reference.instant.astimezone(zone)
        is_reference = place == reference.place
        if is_reference:
            dst = reference.kind
        else:
            dst = FOLD if local_kind(local.replace(tzinfo=None), zone) == FOLD else OK
        clocks.append(
            Clock(
                place=place,
                local=local,
                day_shift=(local.date() - home_date).days,
                night=rules.night.contains(local.time()),
                weekend=rules.is_weekend(local.date()),
                working=rules.is_working(local),
                dst=dst,
                is_reference=is_reference,
            )
        )
    return clocks


def same_local_roll(places: list[Place], reference: Reference) -> list[RollEntry]:
    """The typed wall-clock time repeated in each city (``TimeMode.LOCAL``), earliest first.

    Each city's instant comes from ``recurrence.city_span``, the answer pages, feeds and mail
    give for a same-local-time event, so the planner cannot disagree with them.
    """
    event = Event(time_mode=Event.TimeMode.LOCAL, timezone=reference.place.zone)
    home = get_zone(reference.place.zone)
    entries = []
    for place in places:
        local, _end = city_span(
            event, place.zone, reference.instant, None, wall_start=reference.wall
        )
        assert local is not None
        in_reference = local.astimezone(home)
        entries.append(
            (
                place,
                local,
                in_reference,
                local_kind(reference.wall, get_zone(place.zone)),
            )
        )
    entries.sort(key=lambda row: (row[1].astimezone(dt.UTC), row[0].slug))
    first = entries[0][1] if entries else None
    return [
        RollEntry(
            place=place,
            local=local,
            instant=local.astimezone(dt.UTC),
            in_reference=in_reference,
            day_shift=(in_reference.date() - reference.wall.date()).days,
            after_first=local - first if first is not None else dt.timedelta(0),
            dst=kind,
        )
        for place, local, in_reference, kind in entries
    ]
