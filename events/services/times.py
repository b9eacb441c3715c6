"""Time checks every event write applies: aware instants from wall-clock input (a DST gap or
fold is refused, naming the field), an end after the start, and at most a year of length."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from events.services._common import _error
from events.timezones import make_aware_strict

# Longest an event (or one moved occurrence) may last: a year, leap day included.
MAX_DURATION = dt.timedelta(days=366)


def _check_timed(start: dt.datetime | None, end: dt.datetime | None, field: str) -> None:
    """A timed event ends after it starts (no end: a moment), within MAX_DURATION."""
    if start is None or end is None:
        return
    if end < start:
        raise _error(field, _("The end is before the start."), "end_before_start")
    if end == start:
        raise _error(
            field,
            _("The end is the start: give a later end, or none for a moment in time."),
            "zero_duration",
        )
    _check_length(end - start, field)


def _check_days(start: dt.date | None, end: dt.date | None, field: str) -> None:
    """An all-day event's end date (inclusive) is not before its start, within MAX_DURATION."""
    if start is None or end is None:
        return
    if end < start:
        raise _error(field, _("The end date is before the start date."), "end_before_start")
    _check_length(end - start + dt.timedelta(days=1), field)


def _check_length(length: dt.timedelta, field: str) -> None:
    if length > MAX_DURATION:
        raise _error(
            field,
            _("An event lasts at most %(days)d days; this one lasts %(length)d.")
            % {"days": MAX_DURATION.days, "length": length.days},
            "too_long",
        )


# The years the calendar handles: the API refuses others at the door, and every write checks
# again, so a form or command cannot reach a zone conversion that overflows (year 9999 behind
# UTC) and answer 500.
MIN_YEAR = 1800
MAX_YEAR = 2500


def check_year(value: dt.date | None, field: str) -> None:
    if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise _error(
            field,
            _("The year must be between %(min)d and %(max)d.") % {"min": MIN_YEAR, "max": MAX_YEAR},
            "year_range",
        )


def _aware(value: dt.datetime | None, zone_name: str, field: str) -> dt.datetime | None:
    """Naive values are wall-clock times in the event's zone: refused in DST gaps and folds.

    Kept to the whole second, as iCalendar carries times (a JavaScript client sends
    milliseconds): a rule's instances fall on whole seconds, so a start of 09:00:05.921 was
    refused as "not a date the rule gives" and published as 09:00:05 anyway."""
    if value is None:
        return None
    check_year(value, field)
    value = value.replace(microsecond=0)
    if timezone.is_aware(value):
        return value.astimezone(dt.UTC)
    try:
        return make_aware_strict(value, zone_name).astimezone(dt.UTC)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}, code="local_time") from exc
