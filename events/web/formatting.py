"""Display helpers: dates in the right precision, zone and language. Pure functions, no queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils import formats
from django.utils.dates import WEEKDAYS
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_countries import countries

from common import languages
from events.timezones import zone_exemplar, zone_letters
from events.web import recurrence_builder as rb
from events.web import recurrence_text

if TYPE_CHECKING:
    from events.models import City, Event, Partnership
    from events.recurrence import CityTime, Occurrence


def lang() -> str:
    """The active interface language, reduced to the ones event content exists in."""
    return languages.normalise(get_language())


def fmt_date(value: dt.date | dt.datetime | None) -> str:
    """A date in the active locale's DATE_FORMAT (Russian month names in Russian)."""
    if value is None:
        return ""
    return formats.date_format(value, "DATE_FORMAT")


def utc_iso(value: dt.datetime | None) -> str:
    """An instant for <time datetime>, in UTC."""
    if value is None:
        return ""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fmt_weekday_date(value: dt.date | dt.datetime) -> str:
    """ "Sunday, May 9, 2027", in the active language."""
    return f"{formats.date_format(value, 'l')}, {fmt_date(value)}"


def fmt_time(value: dt.datetime | None) -> str:
    """Wall-clock time of an aware datetime *in its own zone* (never converted to UTC)."""
    if value is None:
        return ""
    return value.strftime("%H:%M")


def fmt_month(year: int, month: int) -> str:
    return formats.date_format(dt.date(year, month, 1), "YEAR_MONTH_FORMAT")


def fmt_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return f"{fmt_date(value)}, {fmt_time(value)}"


def fmt_date_range(start: dt.date | None, end: dt.date | None) -> str:
    if start is None:
        return ""
    if end is None or end == start:
        return fmt_date(start)
    return f"{fmt_date(start)} – {fmt_date(end)}"


def fmt_span(start: dt.datetime | None, end: dt.datetime | None) -> str:
    """Date and time range; both dates when the span crosses midnight."""
    if start is None:
        return ""
    if end is None or end == start:
        return fmt_datetime(start)
    if end.date() == start.date():
        return f"{fmt_date(start)}, {fmt_time(start)}–{fmt_time(end)}"
    return f"{fmt_datetime(start)} – {fmt_datetime(end)}"


def zone_label(value: dt.datetime | None) -> str:
    """ "UTC+12" style offset label for an aware datetime."""
    if value is None or value.utcoffset() is None:
        return ""
    offset = value.utcoffset()
    assert offset is not None
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{mins:02d}" if mins else "")


def zone_abbreviation(value: dt.datetime | None) -> str:
    """ "MSK, UTC+3", "AKDT, UTC-8"; just "UTC+11" where the zone database has no letters
    (Magadan's abbreviation is "+11")."""
    offset = zone_label(value)
    letters = zone_letters(value) if value is not None else ""
    return f"{letters}, {offset}" if letters else offset


def zone_place(event: Event) -> str:
    """Where the event's zone is for a reader: the participating city in that zone (the host
    first) when the participations are loaded, else the zone's own city ("Asia/Magadan" →
    "Magadan"). Never a query."""
    loaded = getattr(event, "_prefetched_objects_cache", {}).get("participations")
    if loaded is not None:
        in_zone = [p for p in loaded if p.city.timezone == event.timezone]
        in_zone.sort(key=lambda p: p.role != p.Role.HOST)
        if in_zone:
            return city_name(in_zone[0].city)
    return zone_exemplar(event.timezone)


def _zone_text(event: Event, value: dt.datetime | None) -> str:
    return f"{zone_place(event)}, {zone_abbreviation(value)}"


def event_when(event: Event) -> str:
    """When an event happens, honest about how much of the date is known."""
    precision = event.precision
    if precision == event.Precision.TIME and event.local_start is not None:
        return f"{fmt_span(event.local_start, event.local_end)} ({_zone_text(event, event.local_start)})"
    if precision == event.Precision.DAY:
        return fmt_date_range(event.start_date, event.end_date)
    if precision == event.Precision.MONTH and event.approx_year and event.approx_month:
        return fmt_month(event.approx_year, event.approx_month)
    if precision == event.Precision.YEAR and event.approx_year:
        return str(event.approx_year)
    return _("date to be announced")


def occurrence_when(occurrence: Occurrence) -> str:
    """An occurrence in the event's own zone; a LOCAL-mode one as the wall-clock time that
    every city repeats (naming the event's zone would suggest one instant for everybody)."""
    if occurrence.start is not None:
        if occurrence.event.time_mode == occurrence.event.TimeMode.LOCAL:
            label = _("local time in each city")
            return f"{fmt_span(occurrence.start, occurrence.end)} ({label})"
        zone = _zone_text(occurrence.event, occurrence.start)
        return f"{fmt_span(occurrence.start, occurrence.end)} ({zone})"
    return fmt_date_range(occurrence.start_date, occurrence.end_date)


def city_time_when(city_time: CityTime) -> tuple[str, str]:
    """(date, time) strings for one participating city, in that city's zone."""
    if city_time.start is not None:
        date_text = fmt_date(city_time.start)
        if city_time.end is not None and city_time.end.date() != city_time.start.date():
            date_text = f"{fmt_date(city_time.start)} – {fmt_date(city_time.end)}"
        time_text = fmt_time(city_time.start)
        if city_time.end is not None:
            time_text = f"{fmt_time(city_time.start)}–{fmt_time(city_time.end)}"
        return date_text, time_text
    return fmt_date_range(city_time.start_date, city_time.end_date), _("all day")


def established_text(partnership: Partnership) -> str:
    """The establishment date to the precision it is known ("1992", "May 1992", "9 May 1992")."""
    est = partnership.established_on
    if est is None:
        return _("date not known")
    if partnership.established_precision == partnership.Precision.YEAR:
        return str(est.year)
    if partnership.established_precision == partnership.Precision.MONTH:
        return fmt_month(est.year, est.month)
    return fmt_date(est)


def city_name(city: City) -> str:
    return city.name(lang())


def cities_in_reading_order(cities: Iterable[City], language: str | None = None) -> list[City]:
    """Alphabetically by the name the reader sees, across countries: Анкоридж before Магадан
    and Джуно before Олбани in Russian. The letter yo sorts as ye, as Russian dictionaries do;
    a name still in Latin letters follows the Cyrillic ones."""
    language = language or lang()
    return sorted(cities, key=lambda city: reading_key(city.name(language), language))


def reading_key(name: str, language: str | None = None) -> tuple[bool, str, str]:
    """Sort key of a name in the reader's alphabet (see cities_in_reading_order)."""
    folded = name.casefold().replace("ё", "е")
    return ((language or lang()) == "ru" and folded[:1].isascii(), folded, name)


def country_name(code: str) -> str:
    """An ISO 3166-1 alpha-2 code's country in the active language ("UZ": "Uzbekistan",
    "Узбекистан"); a code no country has stays as it is."""
    return countries.name(code) or code


def event_title(event: Event) -> str:
    return event.title(lang())


def series_summary(event: Event) -> str:
    """ "Every year on May 9" / "Every week on Monday, Thursday" / "Every year on the last
    Friday of June" for the rules the desk's builder writes (a count or an end date aside);
    "" for other rules and one-off events."""
    first = event.local_dtstart
    if not event.rrule or first is None:
        return ""
    repeat = rb.parse(event.rrule, all_day=event.is_all_day)
    if repeat is None:
        return ""
    if repeat.kind == rb.YEARLY_DATE:
        day = dt.date(2000, repeat.month or first.month, repeat.monthday or first.day)
        # A leap year, so that 29 February can be named. Translators: a day and month in
        # Django's date-format letters ("9 мая" is "j E").
        text = formats.date_format(day, _("F j"))
        return _("Every year on %(date)s") % {"date": text}
    if repeat.kind == rb.WEEKLY:
        codes = repeat.weekdays or (rb.WEEKDAYS[first.weekday()],)
        names = ", ".join(str(WEEKDAYS[rb.WEEKDAYS.index(code)]) for code in codes)
        return _("Every week on %(days)s") % {"days": names}
    if repeat.kind == rb.YEARLY_WEEKDAY and repeat.nth and repeat.month:
        return recurrence_text.yearly_weekday_text(repeat.nth, repeat.weekday, repeat.month)
    return ""
