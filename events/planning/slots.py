"""Meeting slots in one week: which hours fall within working hours in every city, and, when
none does, the least bad ones.

A slot is ``duration`` long and starts on each whole hour of the reference city's week
(Monday 00:00 to Sunday 24:00 there). A city is *inside* when the whole slot lies within its
working hours on one of its working days; otherwise its *hours outside* are how far the slot
would have to move, on that city's clock, to fit its nearest working period (21:00-22:00 with
08:00-20:00 working hours is 2 hours outside; a Sunday is as far as Friday evening or Monday
morning). Slots are ranked by how many cities are outside, then by the total of their hours
outside, then by how many cities are in their night, then by time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from events.planning.clocks import Place, Rules
from events.timezones import get_zone, make_aware_lenient

STEP = dt.timedelta(hours=1)
# Working periods are looked up this many days around the week, for the distance rule.
MARGIN_DAYS = 4


@dataclass(frozen=True)
class Fit:
    """One city in one slot."""

    place: Place
    local: dt.datetime  # the slot's start on the city's clock
    inside: bool
    hours_outside: float
    night: bool
    weekend: bool


@dataclass(frozen=True)
class Slot:
    start: dt.datetime  # UTC
    end: dt.datetime  # UTC
    fits: tuple[Fit, ...]

    @property
    def outside(self) -> int:
        return sum(1 for fit in self.fits if not fit.inside)

    @property
    def hours_outside(self) -> float:
        return sum(fit.hours_outside for fit in self.fits)

    @property
    def nights(self) -> int:
        return sum(1 for fit in self.fits if fit.night)

    @property
    def rank_key(self) -> tuple[int, float, int, dt.datetime]:
        return (self.outside, self.hours_outside, self.nights, self.start)


@dataclass(frozen=True)
class Window:
    """A run of consecutive slots that are inside for every city."""

    start: dt.datetime  # UTC, the first slot's start
    end: dt.datetime  # UTC, the last slot's end


@dataclass(frozen=True)
class Suggestion:
    week_start: dt.date  # Monday, on the reference city's calendar
    common: bool  # some slot is inside working hours in every city
    windows: list[Window]  # the common hours, merged, in time order
    slots: list[Slot]  # best first, at most the limit asked for
    considered: int  # how many slots the week had


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _working_periods(
    place: Place, first: dt.date, last: dt.date, rules: Rules
) -> list[tuple[dt.datetime, dt.datetime]]:
    """(start, end) UTC of every working period of ``place`` from ``first`` to ``last``."""
    zone = get_zone(place.zone)
    periods = []
    day = first
    while day <= last:
        if rules.is_working_day(day):
            start = make_aware_lenient(dt.datetime.combine(day, rules.work.start), zone)
            end = make_aware_lenient(dt.datetime.combine(day, rules.work.end), zone)
            periods.append((start.astimezone(dt.UTC), end.astimezone(dt.UTC)))
        day += dt.timedelta(days=1)
    return periods


def _hours_outside(
    start: dt.datetime, end: dt.datetime, periods: list[tuple[dt.datetime, dt.datetime]]
) -> float:
    """0 when [start, end) fits a period; else the shortest move that makes it fit one."""
    best: dt.timedelta | None = None
    for period_start, period_end in periods:
        move = max(period_start - start, end - period_end, dt.timedelta(0))
        if best is None or move < best:
            best = move
    if best is None:  # no working day at all (cannot happen with a 7-day weekend rule)
        return float("inf")
    return best.total_seconds() / 3600


def week_slots(
    places: list[Place], home: Place, monday: dt.date, rules: Rules, duration: dt.timedelta
) -> list[Slot]:
    """Every slot of the week starting ``monday`` in the ``home`` city, in time order."""
    home_zone = get_zone(home.zone)
    first = make_aware_lenient(dt.datetime.combine(monday, dt.time()), home_zone)
    stop = make_aware_lenient(
        dt.datetime.combine(monday + dt.timedelta(days=7), dt.time()), home_zone
    )
    margin = dt.timedelta(days=MARGIN_DAYS)
    periods = {
        place: _working_periods(
            place, monday - margin, monday + dt.timedelta(days=7) + margin, rules
        )
        for place in places
    }
    zones = {place: get_zone(place.zone) for place in places}
    slots = []
    start = first.astimezone(dt.UTC)
    end_of_week = stop.astimezone(dt.UTC)
    while start < end_of_week:
        end = start + duration
        fits = []
        for place in places:
            hours = _hours_outside(start, end, periods[place])
            local = start.astimezone(zones[place])
            fits.append(
                Fit(
                    place=place,
                    local=local,
                    inside=hours == 0,
                    hours_outside=hours,
                    night=rules.night.contains(local.time()),
                    weekend=rules.is_weekend(local.date()),
                )
            )
        slots.append(Slot(start=start, end=end, fits=tuple(fits)))
        start += STEP
    return slots


def _windows(slots: list[Slot]) -> list[Window]:
    windows: list[Window] = []
    for slot in slots:
        if slot.outside:
            continue
        if windows and windows[-1].end >= slot.start:
            windows[-1] = Window(start=windows[-1].start, end=slot.end)
        else:
            windows.append(Window(start=slot.start, end=slot.end))
    return windows


def suggest(
    places: list[Place],
    home: Place,
    day: dt.date,
    rules: Rules,
    *,
    duration: dt.timedelta = STEP,
    limit: int = 10,
) -> Suggestion:
    """The week of ``day`` (Monday to Sunday in ``home``): common windows and ranked slots."""
    monday = week_start(day)
    slots = week_slots(places, home, monday, rules, duration)
    windows = _windows(slots)
    return Suggestion(
        week_start=monday,
        common=bool(windows),
        windows=windows,
        slots=sorted(slots, key=lambda slot: slot.rank_key)[:limit],
        considered=len(slots),
    )
