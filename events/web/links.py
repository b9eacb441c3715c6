"""Links out of the website: iCalendar feeds (events.feeds) and "add to calendar" services."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from django.urls import NoReverseMatch, reverse

if TYPE_CHECKING:
    from django.http import HttpRequest

    from events.models import Event
    from events.recurrence import Occurrence


def feed_links(request: HttpRequest, url_name: str, **kwargs: Any) -> dict[str, str] | None:
    """{https, webcal, google} for a feed, or None while the feeds app has no such URL.

    Delegates to events.feeds.links.subscribe_links when it exists so every page and email
    builds subscription links the same way.
    """
    try:
        from events.feeds.links import subscribe_links
    except ImportError:
        subscribe_links = None
    try:
        if subscribe_links is not None:
            return subscribe_links(request, url_name, **kwargs)
        https = request.build_absolute_uri(reverse(url_name, kwargs=kwargs))
    except NoReverseMatch:
        return None
    webcal = "webcal://" + https.split("://", 1)[1]
    google = "https://calendar.google.com/calendar/r?" + urlencode({"cid": webcal})
    return {"https": https, "webcal": webcal, "google": google}


def event_ics_url(event: Event) -> str | None:
    try:
        return reverse("feeds:event", kwargs={"slug": event.slug})
    except NoReverseMatch:
        return None


def _utc_stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def google_calendar_url(occurrence: Occurrence, title: str, details: str, location: str) -> str:
    params: dict[str, str] = {"action": "TEMPLATE", "text": title}
    if occurrence.start is not None:
        end = occurrence.end or occurrence.start + dt.timedelta(hours=1)
        params["dates"] = f"{_utc_stamp(occurrence.start)}/{_utc_stamp(end)}"
        params["ctz"] = occurrence.event.timezone
    else:
        assert occurrence.start_date is not None
        last = occurrence.end_date or occurrence.start_date
        # Google, like iCalendar, wants an exclusive end date for all-day items.
        params["dates"] = f"{occurrence.start_date:%Y%m%d}/{last + dt.timedelta(days=1):%Y%m%d}"
    if details:
        params["details"] = details[:1500]
    if location:
        params["location"] = location
    return "https://calendar.google.com/calendar/render?" + urlencode(params, quote_via=quote)


def outlook_calendar_url(occurrence: Occurrence, title: str, details: str, location: str) -> str:
    params: dict[str, str] = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": title,
    }
    if occurrence.start is not None:
        end = occurrence.end or occurrence.start + dt.timedelta(hours=1)
        params["startdt"] = occurrence.start.astimezone(dt.UTC).isoformat()
        params["enddt"] = end.astimezone(dt.UTC).isoformat()
    else:
        assert occurrence.start_date is not None
        last = occurrence.end_date or occurrence.start_date
        params["startdt"] = occurrence.start_date.isoformat()
        params["enddt"] = (last + dt.timedelta(days=1)).isoformat()
        params["allday"] = "true"
    if details:
        params["body"] = details[:1500]
    if location:
        params["location"] = location
    return "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(
        params, quote_via=quote
    )
