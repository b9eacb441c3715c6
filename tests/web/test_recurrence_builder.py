import datetime as dt

import pytest

from events.web import recurrence_builder as rb


@pytest.mark.parametrize(
    ("repeat", "rule"),
    [
        (rb.Repeat(rb.YEARLY_DATE), "FREQ=YEARLY"),
        (rb.Repeat(rb.YEARLY_DATE, month=5, monthday=9), "FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=9"),
        (
            rb.Repeat(rb.YEARLY_WEEKDAY, month=5, nth=2, weekday="SU"),
            "FREQ=YEARLY;BYMONTH=5;BYDAY=2SU",
        ),
        (
            rb.Repeat(rb.YEARLY_WEEKDAY, month=11, nth=-1, weekday="TH", count=5),
            "FREQ=YEARLY;BYMONTH=11;BYDAY=-1TH;COUNT=5",
        ),
        (rb.Repeat(rb.WEEKLY), "FREQ=WEEKLY"),
        (rb.Repeat(rb.WEEKLY, weekdays=("WE", "MO")), "FREQ=WEEKLY;BYDAY=MO,WE"),
        (
            rb.Repeat(rb.WEEKLY, weekdays=("TU",), until=dt.date(2030, 6, 1)),
            "FREQ=WEEKLY;BYDAY=TU;UNTIL=20300601T235959",
        ),
        (rb.Repeat(), ""),
    ],
)
def test_build_then_parse_round_trips(repeat, rule):
    assert rb.build(repeat) == rule
    expected = rb.Repeat(
        **{**repeat.__dict__, "weekdays": tuple(sorted(repeat.weekdays, key=rb.WEEKDAYS.index))}
    )
    assert rb.parse(rule) == expected


def test_build_until_is_a_date_for_all_day_events():
    repeat = rb.Repeat(rb.YEARLY_DATE, until=dt.date(2030, 5, 9))

    assert rb.build(repeat, all_day=True) == "FREQ=YEARLY;UNTIL=20300509"
    assert rb.parse("FREQ=YEARLY;UNTIL=20300509", all_day=True) == repeat


def test_parse_reads_parts_in_any_order_and_case():
    assert rb.parse("bymonth=5;byday=2su;freq=yearly") == rb.Repeat(
        rb.YEARLY_WEEKDAY, month=5, nth=2, weekday="SU"
    )


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=YEARLY;INTERVAL=2",
        "FREQ=MONTHLY;BYDAY=1MO",
        "FREQ=YEARLY;BYMONTH=5,6;BYMONTHDAY=9",
        "FREQ=YEARLY;BYMONTH=5;BYDAY=5SU",
        "FREQ=WEEKLY;BYDAY=MO,MO",
        "FREQ=DAILY",
        "FREQ=YEARLY;UNTIL=20300509T120000Z",
        "FREQ=YEARLY;COUNT=x",
        "garbage",
    ],
)
def test_parse_returns_none_for_rules_the_builder_cannot_show(rule):
    assert rb.parse(rule) is None


def test_same_rule_ignores_order():
    assert rb.same_rule("FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=9", "BYMONTHDAY=9;FREQ=YEARLY;BYMONTH=5")
    assert rb.same_rule("FREQ=WEEKLY;BYDAY=SU,WE", "FREQ=WEEKLY;BYDAY=WE,SU")
    assert not rb.same_rule("FREQ=YEARLY", "FREQ=YEARLY;COUNT=3")
