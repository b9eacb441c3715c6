"""Links out of the website: iCalendar feeds (events.feeds) and "add to calendar" services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from django.urls import NoReverseMatch, reverse

from events.feeds.links import subscribe_links

if TYPE_CHECKING:
    from django.http import HttpRequest

    from events.models import City, Event
    from events.recurrence import CityTime, Occurrence


def feed_links(request: HttpRequest, url_name: str, **kwargs: Any) -> dict[str, str] | None:
    """{https, webcal, google} for a feed (events.feeds.links builds them for every page and
    mail alike), or None for a feed URL that does not exist."""
    try:
        return subscribe_links(request, url_name, **kwargs)
    except NoReverseMatch:
        return None


def event_ics_url(event: Event) -> str | None:
    try:
        return reverse("feeds:event", kwargs={"slug": event.slug})
    except NoReverseMatch:
        return None


def event_city_ics_url(event: Event, city: City) -> str | None:
    """The event's download in one city's local time and venue (``?city=<slug>``)."""
    base = event_ics_url(event)
    if base is None:
        return None
    return f"{base}?{urlencode({'city': city.slug})}"


@dataclass(frozen=True)
class CalendarSpan:
    """What an "add to calendar" service needs: a timed span with its zone, or inclusive dates."""

    start: dt.datetime | None
    end: dt.datetime | None
    start_date: dt.date | None
    end_date: dt.date | None
    zone: str

    @classmethod
    def of_occurrence(cls, occurrence: Occurrence) -> CalendarSpan:
        """The occurrence in the event's own zone (an event with no participating city)."""
        return cls(
            occurrence.start,
            occurrence.end,
            occurrence.start_date,
            occurrence.end_date,
            occurrence.event.timezone,
        )

    @classmethod
    def of_city(cls, city_time: CityTime) -> CalendarSpan:
        """One participating city's instance, as events.recurrence.city_times computed it."""
        return cls(
            city_time.start,
            city_time.end,
            city_time.start_date,
            city_time.end_date,
            city_time.city.timezone,
        )

    def timed_end(self) -> dt.datetime:
        assert self.start is not None
        return self.end or self.start + dt.timedelta(hours=1)

    def exclusive_end_date(self) -> dt.date:
        assert self.start_date is not None
        # Google, Outlook and iCalendar all want an exclusive end date for all-day items.
        return (self.end_date or self.start_date) + dt.timedelta(days=1)


def _utc_stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def google_calendar_url(span: CalendarSpan, title: str, details: str, location: str) -> str:
    params: dict[str, str] = {"action": "TEMPLATE", "text": title}
    if span.start is not None:
        params["dates"] = f"{_utc_stamp(span.start)}/{_utc_stamp(span.timed_end())}"
        params["ctz"] = span.zone
    else:
        assert span.start_date is not None
        params["dates"] = f"{span.start_date:%Y%m%d}/{span.exclusive_end_date():%Y%m%d}"
    if details:
        params["details"] = details[:1500]
    if location:
        params["location"] = location
    return "https://calendar.google.com/calendar/render?" + urlencode(params, quote_via=quote)


def outlook_calendar_url(span: CalendarSpan, title: str, details: str, location: str) -> str:
    params: dict[str, str] = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": title,
    }
    if span.start is not None:
        # Local wall-clock time with its offset: the same instant, readable in the link.
        params["startdt"] = span.start.isoformat()
        params["enddt"] = span.timed_end().isoformat()
    else:
        assert span.start_date is not None
        params["startdt"] = span.start_date.isoformat()
        params["enddt"] = span.exclusive_end_date().isoformat()
        params["allday"] = "true"
    if details:
        params["body"] = details[:1500]
    if location:
        params["location"] = location
    return "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(
        params, quote_via=quote
    )
