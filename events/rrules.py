"""Recurrence rules: validation (what we refuse, and quickly) and building dateutil rules.

A rule whose first instance is not DTSTART (an event on Saturday 8 May with ``BYDAY=2SU``) is
refused, not normalised: RFC 5545 counts DTSTART as an instance anyway while dateutil (and so
our expansion) does not, so engines would disagree by one instance, and silently moving the
start would change what the coordinator typed. The error names the rule's first date so the
start can be moved there. Expansion lives in events/recurrence.py.
"""

from __future__ import annotations

import calendar
import datetime as dt
from functools import lru_cache

from dateutil import rrule as du_rrule
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_ALLOWED_PARTS = {
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYDAY",
    "BYMONTHDAY",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYMONTH",
    "BYSETPOS",
    "WKST",
}
_SUB_DAILY = {"SECONDLY", "MINUTELY", "HOURLY"}
_MAX_COUNT = 1000
# A rule must produce its first instance within this many years of the event's start.
_FIRST_INSTANCE_YEARS = 10


def validate_rrule(
    value: str, *, dtstart: dt.datetime | None = None, require_start_instance: bool = True
) -> str:
    """Return the normalised rule or raise ``ValidationError`` saying what is wrong.

    ``dtstart`` is the event's naive local start (precision TIME: its wall-clock time in the
    event's zone; DAY: the date at midnight). Refuses malformed rules, sub-daily frequencies
    (they could generate unbounded numbers of instances), COUNT above 1000,
    BYHOUR/BYMINUTE/BYSECOND, rules that never produce a date, and (given ``dtstart``, unless
    ``require_start_instance`` is False) rules whose first instance is not ``dtstart``.
    Spaces after commas (``BYDAY=MO, TU``, as old Outlook writes) are removed.
    """
    text = value.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if not text:
        return ""
    if len(text) > 500 or "\n" in text or "\r" in text:
        raise ValidationError(_("The recurrence rule is too long or spans several lines."))
    parts: dict[str, str] = {}
    for chunk in text.split(";"):
        name, sep, part_value = chunk.partition("=")
        name = name.strip().upper()
        if not sep or not name or not part_value.strip():
            raise ValidationError(
                _("Malformed recurrence rule part %(part)r: expected NAME=VALUE.") % {"part": chunk}
            )
        if name in parts:
            raise ValidationError(_("The recurrence rule repeats %(name)s.") % {"name": name})
        if name not in _ALLOWED_PARTS:
            raise ValidationError(
                _("The recurrence rule part %(name)s is not supported.") % {"name": name}
            )
        # Old Outlook/CDO exports write "BYDAY=MO, TU, WE": whitespace inside a value means nothing.
        parts[name] = "".join(part_value.split()).upper()
    freq = parts.get("FREQ")
    if freq is None:
        raise ValidationError(_("The recurrence rule needs FREQ (e.g. FREQ=YEARLY)."))
    if freq in _SUB_DAILY:
        raise ValidationError(
            _("FREQ=%(freq)s is refused: events may recur at most daily.") % {"freq": freq}
        )
    _refuse_parts_rfc_forbids(parts)
    if "COUNT" in parts and "UNTIL" in parts:
        raise ValidationError(_("The recurrence rule may have COUNT or UNTIL, not both."))
    if "COUNT" in parts and (
        not parts["COUNT"].isdigit() or not 1 <= int(parts["COUNT"]) <= _MAX_COUNT
    ):
        raise ValidationError(
            _("COUNT must be a whole number from 1 to %(max)d.") % {"max": _MAX_COUNT}
        )
    if "INTERVAL" in parts and (
        not parts["INTERVAL"].isdigit() or not 1 <= int(parts["INTERVAL"]) <= 1000
    ):
        raise ValidationError(_("INTERVAL must be a whole number from 1 to 1000."))
    normalised = ";".join(f"{k}={v}" for k, v in parts.items())
    start = dtstart or dt.datetime(2000, 1, 1, 12, 0)  # noqa: DTZ001 - naive local by design
    try:
        rule = build_rule(normalised, start)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ValidationError(
            _("Malformed recurrence rule: %(error)s") % {"error": str(exc)}
        ) from exc
    _refuse_impossible_dates(parts)
    horizon = start.replace(year=min(start.year + _FIRST_INSTANCE_YEARS, 9999), day=1)
    first = _first_instance(rule, start, horizon)
    if first is None or first > horizon:
        raise ValidationError(
            _("The recurrence rule produces no date within %(years)d years of the start.")
            % {"years": _FIRST_INSTANCE_YEARS}
        )
    if dtstart is not None and require_start_instance and first != dtstart:
        # RFC 5545 counts DTSTART as an instance even when the rule does not generate it;
        # dateutil (and some clients) do not, so engines would disagree by one instance.
        raise ValidationError(
            _(
                "The start (%(start)s) is not a date the recurrence rule gives: its first "
                "date is %(first)s. Move the start there or change the rule."
            )
            % {
                "start": dtstart.isoformat(sep=" ", timespec="minutes"),
                "first": first.isoformat(sep=" ", timespec="minutes"),
            }
        )
    return normalised


# Parts RFC 5545 (3.3.10) forbids with some frequencies; dateutil would accept them.
_FORBIDDEN_WITH = {
    "BYWEEKNO": {"SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY"},
    "BYYEARDAY": {"DAILY", "WEEKLY", "MONTHLY"},
    "BYMONTHDAY": {"WEEKLY"},
}


def _refuse_parts_rfc_forbids(parts: dict[str, str]) -> None:
    for name, frequencies in _FORBIDDEN_WITH.items():
        if name in parts and parts["FREQ"] in frequencies:
            raise ValidationError(
                _("%(part)s cannot be used with FREQ=%(freq)s (RFC 5545).")
                % {"part": name, "freq": parts["FREQ"]}
            )


def _ints(parts: dict[str, str], name: str) -> set[int]:
    return {int(v) for v in parts.get(name, "").split(",") if v}


def _refuse_impossible_dates(parts: dict[str, str]) -> None:
    """Refuse a rule whose BYMONTH, BYMONTHDAY and BYYEARDAY no date of a leap or a common
    year satisfies together (``BYMONTH=2;BYMONTHDAY=30``), and BYSETPOS beyond the one date a
    daily rule has, with a message saying so -- before any search for a first date."""
    if not {"BYMONTHDAY", "BYYEARDAY", "BYSETPOS"} & parts.keys():
        return
    try:
        months, monthdays = _ints(parts, "BYMONTH"), _ints(parts, "BYMONTHDAY")
        yeardays, setpos = _ints(parts, "BYYEARDAY"), _ints(parts, "BYSETPOS")
    except ValueError:  # pragma: no cover - dateutil has already refused such values
        return
    # Without BYHOUR & co. a day holds one instance, so a period holds at most its days.
    per_period = {"DAILY": 1, "WEEKLY": len(parts.get("BYDAY", "x").split(","))}
    if setpos and parts["FREQ"] in per_period:
        size = per_period[parts["FREQ"]]
        if all(abs(pos) > size for pos in setpos):
            raise ValidationError(
                _(
                    "BYSETPOS=%(pos)s never matches: each period of the rule has at most "
                    "%(size)d date(s), so it gives no date."
                )
                % {"pos": parts["BYSETPOS"], "size": size}
            )
    for year in (2023, 2024):  # a common and a leap year
        length = 366 if calendar.isleap(year) else 365
        day = dt.date(year, 1, 1)
        for number in range(1, length + 1):
            month_length = calendar.monthrange(year, day.month)[1]
            if (
                (not months or day.month in months)
                and (
                    not monthdays or day.day in monthdays or day.day - month_length - 1 in monthdays
                )
                and (not yeardays or number in yeardays or number - length - 1 in yeardays)
            ):
                return
            day += dt.timedelta(days=1)
    given = "; ".join(
        f"{name}={parts[name]}" for name in ("BYMONTH", "BYMONTHDAY", "BYYEARDAY") if name in parts
    )
    raise ValidationError(
        _("No date is %(parts)s in any year: the recurrence rule gives no date.") % {"parts": given}
    )


def _layout(year: int) -> tuple[bool, int]:
    """What a year's days look like: leap or not, and the weekday of 1 January."""
    return calendar.isleap(year), dt.date(year, 1, 1).weekday()


@lru_cache(maxsize=256)
def _late_twin_year(first: int, last: int) -> int:
    """The latest year Y' such that years Y'-1 .. Y'+(last-first)+1 are laid out like
    first-1 .. last+1 (same leap years and weekdays, so the same dates, weekdays and ISO
    weeks), or ``first`` itself. The Gregorian calendar repeats every 400 years, so one exists
    within 400 years of 9999."""
    span = last - first
    if first < 2 or last > 9997:
        return first
    wanted = [_layout(y) for y in range(first - 1, last + 2)]
    for candidate in range(9998 - span, first, -1):
        if [_layout(y) for y in range(candidate - 1, candidate + span + 2)] == wanted:
            return candidate
    return first  # pragma: no cover - the 400-year cycle always matches


def _first_instance(
    rule: du_rrule.rrule, start: dt.datetime, horizon: dt.datetime
) -> dt.datetime | None:
    """The rule's first date at or after ``start`` if it is before ``horizon`` (else None or
    a date after the horizon), found in bounded time.

    dateutil only stops looking when it yields a date or passes the year 9999, so a rule
    that never matches (``FREQ=DAILY;BYYEARDAY=1;BYMONTHDAY=2``) costs seconds searching
    8000 years. The same search runs instead on a copy of the rule moved to the latest years
    laid out exactly like ``start``..``horizon``: whatever it finds there is the answer moved
    back, and the search ends a year or two after the horizon.
    """
    until = getattr(rule, "_until", None)
    if until is not None and until < start:
        return None
    shift = _late_twin_year(start.year, horizon.year) - start.year
    if not shift:
        return rule.after(start, inc=True)
    moved_start = start.replace(year=start.year + shift)
    moved_until = until.replace(year=until.year + shift) if until and until <= horizon else None
    probe = rule.replace(dtstart=moved_start, until=moved_until)
    first = probe.after(moved_start, inc=True)
    if first is None or first > horizon.replace(year=horizon.year + shift):
        return None  # beyond the twin years the calendars differ: nothing to move back
    return first.replace(year=first.year - shift)


def build_rule(rule_text: str, dtstart: dt.datetime) -> du_rrule.rrule:
    until_fixed = rule_text
    # UNTIL given as a UTC datetime ("...Z") must be compared with naive local datetimes.
    if "UNTIL=" in rule_text:
        fixed = []
        for chunk in rule_text.split(";"):
            if chunk.startswith("UNTIL=") and chunk.endswith("Z"):
                chunk = chunk[:-1]
            fixed.append(chunk)
        until_fixed = ";".join(fixed)
    rule = du_rrule.rrulestr(until_fixed, dtstart=dtstart, ignoretz=True)
    if not isinstance(rule, du_rrule.rrule):  # pragma: no cover - rrulestr of one RRULE
        raise ValueError("expected a single rule")
    return rule
