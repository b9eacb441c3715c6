"""The desk form's recurrence builder: the common cases as values, and RRULE strings both ways.

``build`` turns a ``Repeat`` into the RRULE the services store; ``parse`` reads a stored RRULE
back into a ``Repeat`` when the builder can show it exactly, else returns ``None`` and the form
keeps the rule as raw text (so a coordinator's expert rule is never rewritten by an edit).
Validation of the result (first instance on the start, COUNT limits …) stays in events.rrules,
called by the services.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

NONE, YEARLY_DATE, YEARLY_WEEKDAY, WEEKLY, RAW = (
    "none",
    "yearly_date",
    "yearly_weekday",
    "weekly",
    "raw",
)
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# 1st … 4th, and -1 for "last" (BYDAY=-1SU).
NTHS = (1, 2, 3, 4, -1)


@dataclass(frozen=True)
class Repeat:
    kind: str = NONE
    month: int | None = None  # yearly cases; None with YEARLY_DATE: the start's date
    monthday: int | None = None
    nth: int | None = None  # YEARLY_WEEKDAY
    weekday: str = ""  # YEARLY_WEEKDAY
    weekdays: tuple[str, ...] = ()  # WEEKLY; empty: the start's weekday
    count: int | None = None
    until: dt.date | None = None


def build(repeat: Repeat, *, all_day: bool = False) -> str:
    """The RRULE (without "RRULE:") for ``repeat``; "" for no recurrence.

    UNTIL is the event's local wall-clock end of that day (events/ical converts it to UTC for
    feeds), or a DATE for all-day events, as events.recurrence reads it.
    """
    if repeat.kind in (NONE, RAW):
        return ""
    parts: list[str]
    if repeat.kind == YEARLY_DATE:
        parts = ["FREQ=YEARLY"]
        if repeat.month is not None and repeat.monthday is not None:
            parts += [f"BYMONTH={repeat.month}", f"BYMONTHDAY={repeat.monthday}"]
    elif repeat.kind == YEARLY_WEEKDAY:
        parts = ["FREQ=YEARLY", f"BYMONTH={repeat.month}", f"BYDAY={repeat.nth}{repeat.weekday}"]
    elif repeat.kind == WEEKLY:
        parts = ["FREQ=WEEKLY"]
        if repeat.weekdays:
            ordered = [day for day in WEEKDAYS if day in repeat.weekdays]
            parts.append("BYDAY=" + ",".join(ordered))
    else:
        raise ValueError(repeat.kind)
    if repeat.count is not None:
        parts.append(f"COUNT={repeat.count}")
    elif repeat.until is not None:
        parts.append(
            f"UNTIL={repeat.until:%Y%m%d}" if all_day else f"UNTIL={repeat.until:%Y%m%d}T235959"
        )
    return ";".join(parts)


def parts_of(rule: str) -> dict[str, str]:
    """NAME -> VALUE of a rule, upper-cased, without spaces; {} when it is not NAME=VALUE;…"""
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    parts: dict[str, str] = {}
    for chunk in text.split(";"):
        name, sep, value = chunk.partition("=")
        if not sep:
            return {}
        parts[name.strip().upper()] = "".join(value.split()).upper()
    return parts


def same_rule(a: str, b: str) -> bool:
    """The same parts in any order, list values too (BYDAY=SU,WE is BYDAY=WE,SU), so re-saving
    an unchanged rule changes nothing."""

    def sets(rule: str) -> dict[str, frozenset[str]]:
        return {name: frozenset(value.split(",")) for name, value in parts_of(rule).items()}

    return sets(a) == sets(b)


def _int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def _until(value: str) -> dt.date | None:
    text = value.removesuffix("Z")
    date_part, _sep, time_part = text.partition("T")
    if time_part not in ("", "235959"):
        return None
    try:
        return dt.datetime.strptime(date_part, "%Y%m%d").date()  # noqa: DTZ007 - a date
    except ValueError:
        return None


def parse(rule: str, *, all_day: bool = False) -> Repeat | None:
    """The builder's view of ``rule``, or None when the builder cannot show it exactly."""
    if not rule.strip():
        return Repeat()
    parts = parts_of(rule)
    freq = parts.pop("FREQ", "")
    count = until = None
    if "COUNT" in parts:
        count = _int(parts.pop("COUNT"))
        if count is None:
            return None
    if "UNTIL" in parts:
        until = _until(parts.pop("UNTIL"))
        if until is None:
            return None
    repeat: Repeat | None = None
    keys = set(parts)
    if freq == "YEARLY" and not keys:
        repeat = Repeat(YEARLY_DATE, count=count, until=until)
    elif freq == "YEARLY" and keys == {"BYMONTH", "BYMONTHDAY"}:
        month, day = _int(parts["BYMONTH"]), _int(parts["BYMONTHDAY"])
        if month and day and 1 <= month <= 12 and 1 <= day <= 31:
            repeat = Repeat(YEARLY_DATE, month=month, monthday=day, count=count, until=until)
    elif freq == "YEARLY" and keys == {"BYMONTH", "BYDAY"}:
        month, byday = _int(parts["BYMONTH"]), parts["BYDAY"]
        nth, weekday = _int(byday[:-2]), byday[-2:]
        if month and 1 <= month <= 12 and nth in NTHS and weekday in WEEKDAYS:
            repeat = Repeat(
                YEARLY_WEEKDAY, month=month, nth=nth, weekday=weekday, count=count, until=until
            )
    elif freq == "WEEKLY" and keys <= {"BYDAY"}:
        days = tuple(parts.get("BYDAY", "").split(",")) if keys else ()
        if all(day in WEEKDAYS for day in days) and len(set(days)) == len(days):
            repeat = Repeat(WEEKLY, weekdays=days, count=count, until=until)
    if repeat is None or not same_rule(build(repeat, all_day=all_day), rule):
        return None
    return repeat
