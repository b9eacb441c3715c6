"""Calendars of partnership anniversaries: all-day events on the day each pair was established,
for the milestone years (5, 10, 15 … see ``events.selectors.MILESTONES``).

Only pairs whose establishment day is known appear: an anniversary known only by month or year
has no day to put in a calendar (the desk and ``/api/anniversaries/`` still list it). The
window runs from a year ago to ``YEARS_AHEAD`` years ahead, so a subscriber sees the next
jubilees early enough to plan them. UIDs are stable per pair and year, so a calendar keeps one
entry per jubilee however often it refreshes.
"""

from __future__ import annotations

import datetime as dt

import icalendar
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from common.urls import absolute_url
from events.ical.calendars import CALENDAR_END, calendar_head
from events.ical.uids import UID_DOMAIN
from events.models import Partnership
from events.selectors import Anniversary, upcoming_anniversaries

YEARS_AHEAD = 30


def anniversary_window(today: dt.date) -> tuple[dt.date, dt.date]:
    return today.replace(year=today.year - 1, day=1), dt.date(today.year + YEARS_AHEAD, 12, 31)


def dated_anniversaries(
    today: dt.date, partnership: Partnership | None = None
) -> list[Anniversary]:
    start, end = anniversary_window(today)
    return [
        a for a in upcoming_anniversaries(start, end, partnership=partnership) if a.date is not None
    ]


def anniversary_uid(anniversary: Anniversary) -> str:
    return f"anniversary-{anniversary.partnership.pk}-{anniversary.year}@{UID_DOMAIN}"


def _vevent(anniversary: Anniversary, language: str, stamp: dt.datetime) -> icalendar.Event:
    pair = anniversary.partnership
    assert anniversary.date is not None
    pair_name = f"{pair.city_a.name(language)} – {pair.city_b.name(language)}"
    years = anniversary.years
    summary = ngettext(
        "%(years)d year of the %(pair)s partnership",
        "%(years)d years of the %(pair)s partnership",
        years,
    ) % {"years": years, "pair": pair_name}
    page = absolute_url("web:partnership_detail", pk=pair.pk)
    vevent = icalendar.Event()
    vevent.add("uid", anniversary_uid(anniversary))
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", anniversary.date)
    vevent.add("dtend", anniversary.date + dt.timedelta(days=1))
    vevent.add("summary", summary)
    vevent.add("description", f"{pair.get_relationship_display()}. {page}")
    vevent.add("url", page)
    vevent.add("categories", [_("Anniversary")])
    vevent.add("transp", "TRANSPARENT")
    return vevent


def render_anniversaries(
    anniversaries: list[Anniversary], *, name: str, description: str, language: str
) -> bytes:
    """One VCALENDAR of all-day VEVENTs (no VTIMEZONE: dates have no zone). DTSTAMP is the
    newest change of the pairs shown, so the same data gives the same bytes (and ETag)."""
    stamp = (
        max(
            (a.partnership.updated_at for a in anniversaries),
            default=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
        )
        .astimezone(dt.UTC)
        .replace(microsecond=0)
    )
    parts = [calendar_head(name=name, description=description, refresh=dt.timedelta(days=1))]
    with override(language):
        for anniversary in anniversaries:
            parts.append(_vevent(anniversary, language, stamp).to_ical())
    parts.append(CALENDAR_END)
    return b"".join(parts)
