"""The desk event form's recurrence preview: the next dates the form's rule gives, in each
participating city's local time, before anything is saved.

The rule is the one the form would store (EventForm.rule), checked by events.rrules as the
services check it; each city's time is events.recurrence.city_span, the one answer to "when is
this occurrence there". Stored moves, cancellations and removed dates are not applied: the
preview shows the rule alone (the occurrence editor below the form shows the stored dates).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import City, Event
from events.recurrence import city_span
from events.rrules import build_rule, validate_rrule
from events.timezones import get_zone, make_aware_lenient
from events.web import formatting
from events.web.desk_forms import RECURRENCE_FIELDS, EventForm

COUNT = 5
# Fields whose errors make a preview impossible (the others, e.g. the title, do not matter).
_NEEDED = ("precision", "timezone", "time_mode", "start", "start_date", *RECURRENCE_FIELDS)


@dataclass(frozen=True)
class PreviewDate:
    date: str  # "Sunday, May 9, 2027"
    time: str  # "10:00 (AKDT, UTC-8)" ("" for all-day)
    day_note: str = ""  # "next day" / "previous day" against the event's zone


@dataclass(frozen=True)
class PreviewCity:
    name: str
    zone: str
    dates: list[PreviewDate]


@dataclass(frozen=True)
class RulePreview:
    rule: str = ""
    cities: list[PreviewCity] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    note: str = ""  # e.g. "The rule gives no more dates."


def _problems(form: EventForm) -> list[str]:
    found = []
    for name in _NEEDED:
        for text in form.errors.get(name, []):
            label = form.fields[name].label
            found.append(f"{label}: {text}" if label else str(text))
    return found


def rule_preview(
    form: EventForm, cities: list[City], now: dt.datetime | None = None
) -> RulePreview:
    """The next COUNT dates of the form's rule (from now, or from the start if it is later) in
    each city of ``cities`` (the event's zone alone when none is chosen). Never raises: a rule
    or start that cannot be previewed gives ``problems`` naming the field."""
    form.is_valid()
    problems = _problems(form)
    if problems:
        return RulePreview(problems=problems)
    data = form.cleaned_data
    precision = data["precision"]
    if precision not in (Event.Precision.TIME, Event.Precision.DAY):
        return RulePreview(problems=[_("Only events with a date or a date and time can recur.")])
    if precision == Event.Precision.TIME:
        start = data.get("start")
        dtstart = start.replace(tzinfo=None) if start is not None else None
    else:
        day = data.get("start_date")
        dtstart = dt.datetime.combine(day, dt.time()) if day is not None else None
    if dtstart is None:
        return RulePreview(problems=[_("Give the start to see the dates.")])
    rule = form.rule()
    if not rule:
        return RulePreview(note=_("The event does not repeat."))
    try:
        rule = validate_rrule(rule, dtstart=dtstart)
    except ValidationError as exc:
        return RulePreview(rule=rule, problems=[str(m) for m in exc.messages])
    event = Event(timezone=data["timezone"], time_mode=data["time_mode"], precision=precision)
    zone = get_zone(event.timezone)
    now = now or timezone.now()
    after = max(dtstart, now.astimezone(zone).replace(tzinfo=None))
    if precision == Event.Precision.DAY:
        after = max(dtstart, dt.datetime.combine(after.date(), dt.time()))
    walls = list(build_rule(rule, dtstart).xafter(after, count=COUNT, inc=True))
    if not walls:
        return RulePreview(rule=rule, note=_("The rule gives no more dates."))
    places = [(formatting.city_name(c), c.timezone) for c in cities] or [
        (formatting.zone_place(event), event.timezone)
    ]
    return RulePreview(
        rule=rule,
        cities=[
            PreviewCity(name, zone_name, [_date(event, wall, zone_name) for wall in walls])
            for name, zone_name in places
        ],
    )


def _date(event: Event, wall: dt.datetime, zone_name: str) -> PreviewDate:
    if event.precision == Event.Precision.DAY:
        return PreviewDate(formatting.fmt_weekday_date(wall.date()), "")
    start = make_aware_lenient(wall, get_zone(event.timezone))
    local, _end = city_span(event, zone_name, start, None, wall_start=wall)
    assert local is not None
    shift = (local.date() - start.date()).days
    note = _("next day") if shift > 0 else _("previous day") if shift < 0 else ""
    time = f"{formatting.fmt_time(local)} ({formatting.zone_abbreviation(local)})"
    return PreviewDate(formatting.fmt_weekday_date(local), time, note)
