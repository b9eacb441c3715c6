"""Template filters that keep each time in its own zone and pick the content language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from events.models import Participation, Partnership
from events.web import formatting, occurrence_rows

register = template.Library()


@register.filter
def loc_title(event: Any) -> str:
    return formatting.event_title(event)


@register.filter
def loc_description(event: Any) -> str:
    return event.description(formatting.lang())


@register.filter
def loc_name(city: Any) -> str:
    return formatting.city_name(city)


@register.filter
def loc_country(code: str) -> str:
    return formatting.country_name(code)


@register.filter
def series_summary(event: Any) -> str:
    return formatting.series_summary(event)


@register.filter
def loc_venue(participation: Participation) -> str:
    return participation.venue_in(formatting.lang())


@register.filter
def loc_notes(pair: Partnership) -> str:
    return pair.notes_in(formatting.lang())


@register.filter
def other_city(pair: Partnership, city: Any) -> Any:
    return pair.city_b if pair.city_a_id == city.pk else pair.city_a


@register.filter
def pair_name(pair: Partnership) -> str:
    return f"{formatting.city_name(pair.city_a)} – {formatting.city_name(pair.city_b)}"


@register.filter
def when(obj: Any) -> str:
    """An Occurrence or an Event, formatted to the precision it is known."""
    if hasattr(obj, "city_times"):
        return formatting.occurrence_when(obj)
    return formatting.event_when(obj)


@register.filter
def ldate(value: dt.date | dt.datetime | None) -> str:
    return formatting.fmt_date(value)


@register.filter
def ltime(value: dt.datetime | None) -> str:
    return formatting.fmt_time(value)


@register.filter
def utc_iso(value: dt.datetime | None) -> str:
    return formatting.utc_iso(value)


@register.filter
def local_iso(value: dt.datetime | None) -> str:
    """A floating local date-time for <time datetime> (LOCAL mode: no single instant)."""
    if value is None:
        return ""
    return value.strftime("%Y-%m-%dT%H:%M")


@register.filter
def offset(value: dt.datetime | None) -> str:
    return formatting.zone_label(value)


@register.filter
def zone_abbrev(value: dt.datetime | None) -> str:
    """ "AKDT, UTC-8"; "UTC+11" where the zone database has no letters."""
    return formatting.zone_abbreviation(value)


@register.filter
def role_label(role: str) -> str:
    try:
        return str(Participation.Role(role).label)
    except ValueError:
        return role


@register.filter
def established(pair: Partnership) -> str:
    return formatting.established_text(pair)


@register.filter
def event_url(event: Any) -> str:
    return occurrence_rows.event_url(event)


@register.simple_tag
def occurrence_items(occurrences: Any, city: Any = None, series: str = "", empty_text: str = ""):
    """The <li> rows of an occurrence list (events.web.occurrence_rows: rendered in Python)."""
    return occurrence_rows.occurrence_items(
        occurrences, city=city, series=series, empty_text=empty_text
    )


@register.simple_tag(takes_context=True)
def month_weeks(context: Any, weeks: Any, today: Any) -> str:
    """The month grid's rows (events.web.occurrence_rows: rendered in Python)."""
    return occurrence_rows.month_weeks(weeks, today, query_with(context, month=None, page=None))


@register.simple_tag(takes_context=True)
def query_with(context: Any, **changes: Any) -> str:
    """The current query string with some parameters replaced (None or "" removes one)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value not in (None, ""):
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
