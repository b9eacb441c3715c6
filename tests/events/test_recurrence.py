import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from events import services
from events.models import Event
from events.rrules import validate_rrule
from events.selectors import occurrences_between
from tests.factories import EventFactory

UTC = dt.UTC


def test_expand_instant_event_across_date_line_gives_different_local_dates(egvekinot, fairbanks):
    event = services.create_event(
        title_en="ALSIB wreath-laying",
        kind=Event.Kind.COMMEMORATION,
        status=Event.Status.CONFIRMED,
        timezone="Asia/Anadyr",
        start=dt.datetime(2020, 5, 9, 12, 0),  # naive: local time in Anadyr
        participations=[
            services.ParticipationInput(city_id=egvekinot.pk, role="host"),
            services.ParticipationInput(city_id=fairbanks.pk, role="host"),
        ],
    )

    [occurrence] = occurrences_between(
        Event.objects.all(),
        dt.datetime(2020, 5, 1, tzinfo=UTC),
        dt.datetime(2020, 5, 31, tzinfo=UTC),
    )

    local = {ct.city.slug: ct.start for ct in occurrence.city_times}
    assert event.start == dt.datetime(2020, 5, 9, 0, 0, tzinfo=UTC)
    assert local["egvekinot"].date() == dt.date(2020, 5, 9)
    assert local["fairbanks"].date() == dt.date(2020, 5, 8)
    assert local["fairbanks"].hour == 16


def test_expand_local_mode_yearly_keeps_wall_clock_in_each_city(egvekinot, fairbanks):
    services.create_event(
        title_en="Victory Day",
        kind=Event.Kind.COMMEMORATION,
        status=Event.Status.CONFIRMED,
        time_mode=Event.TimeMode.LOCAL,
        timezone="Asia/Anadyr",
        start=dt.datetime(2020, 5, 9, 10, 0),
        rrule="FREQ=YEARLY",
        participations=[
            services.ParticipationInput(city_id=egvekinot.pk),
            services.ParticipationInput(city_id=fairbanks.pk),
        ],
    )

    occurrences = occurrences_between(
        Event.objects.all(),
        dt.datetime(2021, 1, 1, tzinfo=UTC),
        dt.datetime(2023, 1, 1, tzinfo=UTC),
    )

    assert len(occurrences) == 2
    for occurrence in occurrences:
        for ct in occurrence.city_times:
            assert (ct.start.month, ct.start.day, ct.start.hour) == (5, 9, 10)
            assert ct.start.tzinfo == ZoneInfo(ct.city.timezone)


def test_change_occurrence_moves_and_cancels_single_years(egvekinot):
    event = services.create_event(
        title_en="Memorial",
        kind="commemoration",
        status="confirmed",
        timezone="Asia/Magadan",
        start=dt.datetime(2020, 5, 9, 10, 0),
        rrule="FREQ=YEARLY",
        participations=[services.ParticipationInput(city_id=egvekinot.pk)],
    )
    services.change_occurrence(
        event=event, original_start=dt.datetime(2021, 5, 9, 10, 0), cancelled=True
    )
    services.change_occurrence(
        event=event,
        original_start=dt.datetime(2022, 5, 9, 10, 0),
        start=dt.datetime(2022, 5, 10, 11, 0),
    )

    occurrences = occurrences_between(
        Event.objects.all(),
        dt.datetime(2021, 1, 1, tzinfo=UTC),
        dt.datetime(2023, 1, 1, tzinfo=UTC),
    )

    assert [
        (o.cancelled, o.start.astimezone(ZoneInfo("Asia/Magadan")).day) for o in occurrences
    ] == [
        (True, 9),
        (False, 10),
    ]
    event.refresh_from_db()
    assert event.sequence == 2


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=MINUTELY", "at most daily"),
        ("FREQ=HOURLY;COUNT=5", "at most daily"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "no date"),
        ("FREQ=YEARLY;COUNT=100000", "COUNT"),
        ("FREQ=WEEKLY;BYDAY=XX", "Malformed"),
        ("BYMONTH=5", "needs FREQ"),
        ("FREQ=DAILY;BYHOUR=1,2,3", "not supported"),
        ("garbage", "Malformed"),
    ],
)
def test_validate_rrule_refuses_absurd_rules(rule, message):
    with pytest.raises(ValidationError) as info:
        validate_rrule(rule)

    assert message in " ".join(info.value.messages)


def test_create_event_refuses_local_time_in_dst_gap(db):
    with pytest.raises(ValidationError) as info:
        services.create_event(
            title_en="Gap",
            kind="forum",
            timezone="America/New_York",
            start=dt.datetime(2030, 3, 10, 2, 30),
        )

    assert "does not exist" in info.value.message_dict["start"][0]
    assert Event.objects.count() == 0


def test_create_event_refuses_ambiguous_local_time_in_fold(db):
    with pytest.raises(ValidationError) as info:
        services.create_event(
            title_en="Fold",
            kind="forum",
            timezone="America/Anchorage",
            start=dt.datetime(2030, 11, 3, 1, 30),
        )

    assert "twice" in info.value.message_dict["start"][0]


@pytest.mark.parametrize("field", ["title_en", "description_ru", "location"])
def test_create_event_refuses_nul_characters(db, field):
    values = {"title_en": "Fine", field: "bad\x00text"}

    with pytest.raises(ValidationError) as info:
        services.create_event(
            kind="forum", timezone="UTC", start=dt.datetime(2030, 1, 1, 10, tzinfo=UTC), **values
        )

    assert field in info.value.message_dict
    assert Event.objects.count() == 0


def test_expand_local_event_in_one_citys_dst_gap_leaves_other_cities_alone(fairbanks):
    from tests.factories import CityFactory, EventFactory, ParticipationFactory

    tula = CityFactory(slug="tula", name_en="Tula", timezone="Europe/Moscow")
    anchorage = ZoneInfo("America/Anchorage")
    event = EventFactory(
        timezone="America/Anchorage",
        time_mode=Event.TimeMode.LOCAL,
        start=dt.datetime(2026, 3, 14, 2, 30, tzinfo=anchorage),
        end=dt.datetime(2026, 3, 14, 3, 30, tzinfo=anchorage),
        rrule="FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=14",
    )
    ParticipationFactory(event=event, city=fairbanks)
    ParticipationFactory(event=event, city=tula)

    [occurrence] = occurrences_between(
        Event.objects.filter(pk=event.pk),
        dt.datetime(2027, 3, 13, tzinfo=UTC),
        dt.datetime(2027, 3, 15, tzinfo=UTC),
    )

    times = {ct.city.slug: (ct.start, ct.end) for ct in occurrence.city_times}
    assert times["tula"][0].replace(tzinfo=None) == dt.datetime(2027, 3, 14, 2, 30)
    assert times["fairbanks"][0].replace(tzinfo=None) == dt.datetime(2027, 3, 14, 3, 30)
    assert {end - start for start, end in times.values()} == {dt.timedelta(hours=1)}


def test_validate_rrule_start_not_an_instance_is_refused_naming_first_date():
    saturday = dt.datetime(2027, 5, 8, 10, 0)

    with pytest.raises(ValidationError) as info:
        validate_rrule("FREQ=MONTHLY;BYDAY=2SU", dtstart=saturday)

    assert "2027-05-09 10:00" in info.value.messages[0]


def test_validate_rrule_start_that_is_the_first_instance_passes():
    second_sunday = dt.datetime(2027, 5, 9, 10, 0)

    assert validate_rrule("FREQ=MONTHLY;BYDAY=2SU", dtstart=second_sunday) == (
        "FREQ=MONTHLY;BYDAY=2SU"
    )


def test_validate_rrule_spaces_after_commas_are_normalised():
    monday = dt.datetime(2027, 5, 10, 9, 0)

    assert validate_rrule("FREQ=WEEKLY;BYDAY=MO, TU, WE", dtstart=monday) == (
        "FREQ=WEEKLY;BYDAY=MO,TU,WE"
    )


@pytest.mark.parametrize(
    ("precision", "start", "rule"),
    [
        # Saturday 11 May 2030 at 10:00 Magadan time; the rule gives Sunday 12 May first.
        ("time", {"start": dt.datetime(2030, 5, 11, 10, 0)}, "FREQ=MONTHLY;BYDAY=2SU"),
        ("day", {"start_date": dt.date(2030, 5, 11)}, "FREQ=MONTHLY;BYDAY=2SU"),
    ],
)
def test_api_create_event_refuses_rule_not_starting_on_dtstart(
    coordinator_api_client, precision, start, rule
):
    body = {
        "title_en": "Second-Sunday meeting",
        "kind": "forum",
        "timezone": "Asia/Magadan",
        "precision": precision,
        "rrule": rule,
        **{k: v.isoformat() for k, v in start.items()},
    }

    response = coordinator_api_client.post("/api/events/", body, format="json")

    assert response.status_code == 400
    [message] = response.json()["rrule"]
    assert message.startswith("The start (2030-05-11 ")
    assert "its first date is 2030-05-12" in message
    assert "Move the start there" in message
    assert Event.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"start": dt.datetime(2030, 5, 9, 10, 0)}, "FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=9"),
        ({"start": dt.datetime(2030, 5, 9, 10, 0)}, "FREQ=YEARLY;BYMONTHDAY=9"),
        ({"start_date": dt.date(2030, 5, 9)}, "FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=9"),
        ({"start_date": dt.date(2030, 5, 12)}, "FREQ=MONTHLY;BYDAY=2SU"),
        ({"start": dt.datetime(2030, 3, 4, 9, 0)}, "FREQ=WEEKLY;BYDAY=MO, WE"),
    ],
)
def test_create_event_accepts_rule_whose_first_instance_is_dtstart(db, fields, rule):
    precision = "time" if "start" in fields else "day"

    event = services.create_event(
        title_en="Ceremony",
        kind="commemoration",
        timezone="Asia/Magadan",
        precision=precision,
        rrule=rule,
        **fields,
    )

    assert event.rrule == rule.replace(" ", "")


def test_update_event_keeps_stored_mismatched_rule_when_neither_rule_nor_start_changes(db):
    # Saved before the check existed: Saturday start, second-Sunday rule.
    event = EventFactory(
        timezone="Asia/Magadan",
        start=dt.datetime(2030, 5, 11, 0, 0, tzinfo=UTC),
        end=None,
        rrule="FREQ=MONTHLY;BYDAY=2SU",
    )

    cancelled = services.cancel_event(event=event)
    assert cancelled.status == Event.Status.CANCELLED
    with pytest.raises(ValidationError) as info:
        services.update_event(event=event, start=dt.datetime(2030, 5, 18, 11, 0))
    assert "its first date is 2030-06-09 11:00" in info.value.message_dict["rrule"][0]


def test_validate_rrule_refuses_start_mismatch_quickly():
    import time

    began = time.perf_counter()
    with pytest.raises(ValidationError):
        validate_rrule("FREQ=YEARLY;BYMONTH=5;BYDAY=2SU", dtstart=dt.datetime(2030, 5, 11, 10, 0))
    assert time.perf_counter() - began < 0.1


# Rules that never give a date, with each frequency: dateutil alone searched up to the year
# 9999 for them (0.16 s yearly, 2.8 s daily).
NEVER_RULES = [
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=DAILY;INTERVAL=7;BYMONTH=4;BYMONTHDAY=-31",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;UNTIL=20300101",
    "FREQ=YEARLY;BYYEARDAY=1;BYMONTH=2",
    "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6",
    "FREQ=YEARLY;BYWEEKNO=1;BYMONTH=6",
    "FREQ=YEARLY;BYYEARDAY=1;BYMONTHDAY=2",
    "FREQ=DAILY;BYSETPOS=3",
    "FREQ=WEEKLY;BYDAY=MO;BYSETPOS=2",
    "FREQ=WEEKLY;BYDAY=MO,TU;BYSETPOS=3,-3",
    "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO;BYMONTH=2;BYSETPOS=-2",
    "FREQ=MONTHLY;INTERVAL=2;BYDAY=1MO,2MO;BYSETPOS=3",
]


@pytest.mark.parametrize("rule", NEVER_RULES)
@pytest.mark.parametrize("start", [dt.datetime(2020, 5, 9, 10, 0), dt.datetime(2096, 2, 29, 9, 0)])
def test_validate_rrule_refuses_a_rule_that_never_gives_a_date_within_100_ms(rule, start):
    import time

    began = time.perf_counter()
    with pytest.raises(ValidationError) as info:
        validate_rrule(rule, dtstart=start, require_start_instance=False)
    elapsed = time.perf_counter() - began

    assert "no date" in " ".join(info.value.messages)
    assert elapsed < 0.1


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            "FREQ=YEARLY;BYMONTH=2,4;BYMONTHDAY=31",
            "No date is BYMONTH=2,4; BYMONTHDAY=31 in any year: the recurrence rule gives no date.",
        ),
        (
            "FREQ=YEARLY;BYYEARDAY=1;BYMONTHDAY=2",
            "No date is BYMONTHDAY=2; BYYEARDAY=1 in any year: the recurrence rule gives no date.",
        ),
        (
            "FREQ=DAILY;BYSETPOS=2",
            "BYSETPOS=2 never matches: each period of the rule has at most 1 date(s), so it "
            "gives no date.",
        ),
        ("FREQ=WEEKLY;BYMONTHDAY=9", "BYMONTHDAY cannot be used with FREQ=WEEKLY (RFC 5545)."),
        ("FREQ=MONTHLY;BYYEARDAY=9", "BYYEARDAY cannot be used with FREQ=MONTHLY (RFC 5545)."),
        ("FREQ=DAILY;BYWEEKNO=9", "BYWEEKNO cannot be used with FREQ=DAILY (RFC 5545)."),
    ],
)
def test_validate_rrule_says_why_a_rule_gives_no_date(rule, message):
    with pytest.raises(ValidationError) as info:
        validate_rrule(rule)

    assert info.value.messages == [message]


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO",
        "FREQ=YEARLY;BYWEEKNO=53;BYDAY=TH",
        "FREQ=MONTHLY;BYDAY=5MO;BYMONTH=2",
        "FREQ=MONTHLY;BYMONTHDAY=-1;BYDAY=FR",
        "FREQ=DAILY;INTERVAL=11;BYMONTH=2;BYMONTHDAY=29",
        "FREQ=WEEKLY;INTERVAL=5;BYDAY=SU;BYMONTH=12;BYSETPOS=-1",
        "FREQ=DAILY;INTERVAL=13;BYMONTH=2;BYMONTHDAY=-1;BYDAY=TU",
        "FREQ=YEARLY;BYYEARDAY=366",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;UNTIL=20280301",
        "FREQ=MONTHLY;INTERVAL=7;BYDAY=-1SA;BYSETPOS=1",
    ],
)
@pytest.mark.parametrize(
    "start",
    [
        dt.datetime(2020, 5, 9, 10, 0),
        dt.datetime(2024, 2, 29, 9, 0),
        dt.datetime(2095, 12, 31, 23, 0),  # the window holds 2100, which is not a leap year
        dt.datetime(2399, 3, 1, 8, 0),  # ... and 2400, which is
        dt.datetime(9985, 1, 1, 12, 0),
    ],
)
def test_first_instance_search_agrees_with_dateutil(rule, start):
    """The bounded search (on a copy of the rule moved to the year 99xx) finds what dateutil's
    unbounded one finds, wherever that lies within the ten-year horizon."""
    from events.rrules import _first_instance, build_rule

    rule_obj = build_rule(rule, start)
    horizon = start.replace(year=min(start.year + 10, 9999), day=1)
    expected = rule_obj.after(start, inc=True)

    found = _first_instance(rule_obj, start, horizon)

    if expected is not None and expected <= horizon:
        assert found == expected
    else:
        assert found is None or found > horizon


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"location": "Port\nHall 2"}, "location"),
        ({"start": dt.datetime(2031, 5, 9, 12, 0), "end": dt.datetime(2031, 5, 9, 12, 0)}, "end"),
        ({"start": dt.datetime(2031, 5, 9, 12, 0), "end": dt.datetime(2033, 5, 9, 12, 0)}, "end"),
    ],
)
def test_change_occurrence_refuses_line_breaks_and_bad_durations(egvekinot, changes, field):
    event = services.create_event(
        title_en="Victory Day",
        kind=Event.Kind.COMMEMORATION,
        timezone="Asia/Anadyr",
        start=dt.datetime(2030, 5, 9, 12, 0),
        rrule="FREQ=YEARLY",
    )

    with pytest.raises(ValidationError) as info:
        services.change_occurrence(
            event=event, original_start=dt.datetime(2031, 5, 9, 12, 0), **changes
        )

    assert list(info.value.message_dict) == [field]


def test_expand_multi_day_all_day_instance_touching_the_window_start_is_listed(db):
    # 22-25 Feb (Asia/Anadyr) is still a day somewhere until 26 Feb 12:00 UTC.
    event = services.create_event(
        title_en="Week of friendship",
        kind=Event.Kind.FESTIVAL,
        status=Event.Status.CONFIRMED,
        timezone="Asia/Anadyr",
        precision=Event.Precision.DAY,
        start_date=dt.date(2026, 2, 22),
        end_date=dt.date(2026, 2, 25),
        rrule="FREQ=WEEKLY;COUNT=3",
    )
    lo = dt.datetime(2026, 2, 26, 12, 0, tzinfo=dt.UTC)

    found = occurrences_between(Event.objects.filter(pk=event.pk), lo, lo + dt.timedelta(days=3))

    assert [occ.start_date for occ in found] == [dt.date(2026, 2, 22), dt.date(2026, 3, 1)]
