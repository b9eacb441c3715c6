"""The planner's rules, pure: the date line, DST gaps and folds, night, weekends, working-hour
slots and the same-local-time roll."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from events.models import Event
from events.planning.clocks import (
    FOLD,
    GAP,
    OK,
    Hours,
    Place,
    Rules,
    read_clocks,
    resolve,
    same_local_roll,
)
from events.planning.slots import suggest, week_slots
from events.recurrence import city_span

MAGADAN = Place("magadan", "Asia/Magadan")
ANCHORAGE = Place("anchorage", "America/Anchorage")
TULA = Place("tula", "Europe/Moscow")
MONDAY = dt.date(2026, 5, 11)
MAGADAN_ZONE = ZoneInfo("Asia/Magadan")


def _clocks(places, home, wall, rules=None, fold=0):
    reference = resolve(home, wall, fold)
    return {c.place.slug: c for c in read_clocks(places, reference, rules or Rules())}


def test_read_clocks_magadan_monday_is_anchorage_previous_day():
    clocks = _clocks([MAGADAN, ANCHORAGE, TULA], MAGADAN, dt.datetime(2026, 5, 11, 10, 0))

    anchorage = clocks["anchorage"]
    assert anchorage.local.replace(tzinfo=None) == dt.datetime(2026, 5, 10, 15, 0)
    assert anchorage.local.strftime("%A %Z") == "Sunday AKDT"
    assert anchorage.day_shift == -1
    assert anchorage.weekend is True
    assert anchorage.working is False
    assert clocks["magadan"].day_shift == 0
    assert clocks["magadan"].is_reference is True
    assert clocks["magadan"].working is True


def test_read_clocks_anchorage_reference_gives_magadan_next_day():
    clocks = _clocks([ANCHORAGE, MAGADAN], ANCHORAGE, dt.datetime(2026, 5, 10, 15, 0))

    assert clocks["magadan"].local.replace(tzinfo=None) == dt.datetime(2026, 5, 11, 10, 0)
    assert clocks["magadan"].day_shift == 1


def test_read_clocks_night_in_tula_when_magadan_works():
    clocks = _clocks([MAGADAN, TULA], MAGADAN, dt.datetime(2026, 5, 11, 10, 0))

    assert clocks["tula"].local.strftime("%H:%M") == "02:00"
    assert clocks["tula"].night is True
    assert clocks["magadan"].night is False


@pytest.mark.parametrize(
    ("moment", "inside"),
    [(dt.time(22), True), (dt.time(23, 59), True), (dt.time(6, 59), True), (dt.time(7), False)],
)
def test_hours_night_window_wraps_past_midnight(moment, inside):
    assert Hours(dt.time(22), dt.time(7)).contains(moment) is inside


def test_read_clocks_weekend_is_not_working_unless_asked():
    saturday = dt.datetime(2026, 5, 16, 11, 0)

    plain = _clocks([TULA], TULA, saturday)["tula"]
    weekends = _clocks([TULA], TULA, saturday, Rules(weekends_work=True))["tula"]

    assert plain.weekend is True
    assert plain.working is False
    assert weekends.working is True


def test_resolve_dst_gap_reads_forward_and_says_gap():
    reference = resolve(ANCHORAGE, dt.datetime(2026, 3, 8, 2, 30))

    assert reference.kind == GAP
    assert reference.instant == dt.datetime(2026, 3, 8, 11, 30, tzinfo=dt.UTC)
    assert reference.local.strftime("%H:%M %Z") == "03:30 AKDT"


@pytest.mark.parametrize(
    ("fold", "instant", "abbreviation"),
    [
        (0, dt.datetime(2026, 11, 1, 9, 30, tzinfo=dt.UTC), "AKDT"),
        (1, dt.datetime(2026, 11, 1, 10, 30, tzinfo=dt.UTC), "AKST"),
    ],
)
def test_resolve_dst_fold_takes_the_reading_asked_for(fold, instant, abbreviation):
    reference = resolve(ANCHORAGE, dt.datetime(2026, 11, 1, 1, 30), fold)

    assert reference.kind == FOLD
    assert reference.fold == fold
    assert reference.instant == instant
    assert reference.local.tzname() == abbreviation


def test_read_clocks_flags_a_fold_in_another_city():
    # 09:30 UTC on 1 November 2026 is 01:30 in Anchorage, an hour that happens twice there.
    clocks = _clocks([MAGADAN, ANCHORAGE], MAGADAN, dt.datetime(2026, 11, 1, 20, 30))

    assert clocks["anchorage"].local.strftime("%H:%M") == "01:30"
    assert clocks["anchorage"].dst == FOLD
    assert clocks["magadan"].dst == OK


@pytest.mark.parametrize(
    "wall",
    [
        dt.datetime(2026, 3, 29, 2, 30),  # Europe changes clocks that night; Moscow does not
        dt.datetime(2026, 10, 25, 2, 30),
        dt.datetime(2026, 1, 15, 12, 0),
        dt.datetime(2026, 7, 15, 12, 0),
    ],
)
def test_resolve_moscow_has_no_dst(wall):
    reference = resolve(TULA, wall)

    assert reference.kind == OK
    assert reference.local.utcoffset() == dt.timedelta(hours=3)


def test_suggest_magadan_anchorage_share_seven_working_hours_four_days_a_week():
    # 08:00-20:00 in both: Magadan 08:00-15:00 Tuesday to Friday is Anchorage 13:00-20:00
    # Monday to Thursday; Magadan's Monday is Anchorage's Sunday, Anchorage's Friday afternoon
    # is Magadan's Saturday.
    suggestion = suggest([MAGADAN, ANCHORAGE], MAGADAN, MONDAY, Rules())

    assert suggestion.common is True
    starts = [w.start.astimezone(MAGADAN_ZONE) for w in suggestion.windows]
    assert [s.strftime("%a %H:%M") for s in starts] == [
        "Tue 08:00",
        "Wed 08:00",
        "Thu 08:00",
        "Fri 08:00",
    ]
    assert {w.end - w.start for w in suggestion.windows} == {dt.timedelta(hours=7)}
    assert suggestion.slots[0].outside == 0


def test_suggest_magadan_anchorage_short_day_has_no_common_hour():
    rules = Rules(work=Hours(dt.time(9), dt.time(13)))

    suggestion = suggest([MAGADAN, ANCHORAGE], MAGADAN, MONDAY, rules)

    assert suggestion.common is False
    assert suggestion.windows == []
    best = suggestion.slots[0]
    assert best.outside == 1
    # Anchorage's 09:00-13:00 is Magadan's 04:00-08:00: an hour short of Magadan's day, so the
    # best one-hour slot keeps one city inside and the other two hours away.
    assert best.hours_outside == 2.0


def test_suggest_magadan_anchorage_tula_least_bad_slots_ranked():
    suggestion = suggest([MAGADAN, ANCHORAGE, TULA], MAGADAN, MONDAY, Rules(), limit=20)

    assert suggestion.common is False
    keys = [slot.rank_key for slot in suggestion.slots]
    assert keys == sorted(keys)
    best = suggestion.slots[0]
    assert best.outside == 1
    assert best.hours_outside == 2.0
    locals_ = [fit.local.strftime("%a %H:%M") for fit in best.fits]
    assert locals_ == ["Tue 16:00", "Mon 21:00", "Tue 08:00"]


def test_week_slots_dst_week_has_one_hour_less():
    # Anchorage springs forward on Sunday 8 March 2026: that week has 167 hours there.
    slots = week_slots([ANCHORAGE], ANCHORAGE, dt.date(2026, 3, 2), Rules(), dt.timedelta(hours=1))

    assert len(slots) == 167


def test_suggest_sunday_is_far_from_working_hours():
    rules = Rules()
    sunday_noon = dt.datetime(2026, 5, 17, 12, 0)

    slots = week_slots([TULA], TULA, MONDAY, rules, dt.timedelta(hours=1))
    slot = next(s for s in slots if s.fits[0].local.replace(tzinfo=None) == sunday_noon)

    assert slot.fits[0].weekend is True
    assert slot.fits[0].hours_outside == 20.0  # to Monday 08:00


def test_same_local_roll_orders_by_instant_across_the_date_line():
    reference = resolve(MAGADAN, dt.datetime(2027, 5, 9, 10, 0))

    roll = same_local_roll([ANCHORAGE, TULA, MAGADAN], reference)

    assert [entry.place.slug for entry in roll] == ["magadan", "tula", "anchorage"]
    assert [entry.local.strftime("%d %H:%M") for entry in roll] == ["09 10:00"] * 3
    assert [entry.after_first for entry in roll] == [
        dt.timedelta(0),
        dt.timedelta(hours=8),
        dt.timedelta(hours=19),
    ]
    anchorage = roll[2]
    assert anchorage.in_reference.replace(tzinfo=None) == dt.datetime(2027, 5, 10, 5, 0)
    assert anchorage.day_shift == 1


def test_same_local_roll_agrees_with_city_span():
    reference = resolve(MAGADAN, dt.datetime(2027, 5, 9, 10, 0))
    event = Event(time_mode=Event.TimeMode.LOCAL, timezone="Asia/Magadan")

    roll = same_local_roll([ANCHORAGE, TULA, MAGADAN], reference)

    for entry in roll:
        start, _end = city_span(event, entry.place.zone, reference.instant, None)
        assert entry.local == start


def test_same_local_roll_gap_in_one_city_moves_only_that_city():
    reference = resolve(MAGADAN, dt.datetime(2026, 3, 8, 2, 30))

    roll = {e.place.slug: e for e in same_local_roll([MAGADAN, ANCHORAGE], reference)}

    assert roll["anchorage"].dst == GAP
    assert roll["anchorage"].local.strftime("%H:%M %Z") == "03:30 AKDT"
    assert roll["magadan"].dst == OK
    assert roll["magadan"].local.strftime("%H:%M") == "02:30"
