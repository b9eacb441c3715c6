"""The words of a VEVENT: its DESCRIPTION (each city's local time, the note, the online link),
LOCATION (the instance's place, the city's venue, the hosts') and GEO."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from common.urls import absolute_url
from events.models import Event, Participation
from events.recurrence import CityTime

if TYPE_CHECKING:
    from events.ical.copies import Copy


_SLUG = "--slug--"


@lru_cache(maxsize=8)
def _event_url_parts(site_url: str) -> tuple[str, str]:
    """The event page URL around its slug, reversed once per SITE_URL (reverse() per VEVENT
    was a seventh of a cold feed's time)."""
    head, _sep, tail = absolute_url("web:event_detail", slug=_SLUG).partition(_SLUG)
    return head, tail


def event_url(event: Event) -> str:
    head, tail = _event_url_parts(settings.SITE_URL)
    return f"{head}{event.slug}{tail}"


@lru_cache(maxsize=8)
def labels(language: str) -> dict[str, str]:
    """The translated words every VEVENT repeats (kind and role labels, the DESCRIPTION's
    headings), looked up once per language and process: a lazy label cast or a gettext per
    VEVENT was a tenth of a cold feed's time. The catalogues do not change while a process
    runs (a new one re-renders fragments through render_salt anyway)."""
    with translation.override(language):
        words = {f"kind:{value}": str(label) for value, label in Event.Kind.choices}
        words.update({f"role:{value}": str(label) for value, label in Participation.Role.choices})
        words["cities"] = _("Participating cities (local time):")
        words["first"] = _("Times shown are those of the first occurrence.")
        return words


def _format_city_time(ct: CityTime, all_day: bool) -> str:
    if all_day or ct.start is None:
        if ct.start_date is None:
            return ""
        if ct.end_date and ct.end_date != ct.start_date:
            return f"{ct.start_date.isoformat()} – {ct.end_date.isoformat()}"
        return ct.start_date.isoformat()
    text = f"{ct.start:%Y-%m-%d %H:%M}"
    if ct.end is not None:
        text += (
            f" – {ct.end:%H:%M}"
            if ct.end.date() == ct.start.date()
            else f" – {ct.end:%Y-%m-%d %H:%M}"
        )
    offset = ct.start.strftime("%z")
    return f"{text} ({ct.city.timezone}, UTC{offset[:3]}:{offset[3:]})"


def description(
    event: Event, language: str, city_times: list[CityTime], note: str, *, master: bool
) -> str:

    parts = []
    body = event.description(language).strip()
    if body:
        parts.append(body)
    if note.strip():
        parts.append(note.strip())
    if event.online_url:
        parts.append(_("Online: %(url)s") % {"url": event.online_url})
    if city_times:
        words = labels(language)
        lines = [words["cities"]]
        for ct in city_times:
            role = words.get(f"role:{ct.role}", "")
            when = _format_city_time(ct, event.is_all_day)
            venue_text = ct.venue_in(language)
            venue = f", {venue_text}" if venue_text else ""
            lines.append(f"• {ct.city.name(language)} ({role}{venue}): {when}")
        if event.rrule and master:
            lines.append(words["first"])
        parts.append("\n".join(lines))
    parts.append(event_url(event))
    return "\n\n".join(parts)


def location(event: Event, language: str, parts: list, copy: Copy, override: str = "") -> str:
    """An instance's own place, else its city's venue, the event's place, the hosts' venues,
    each in ``language`` (common.languages.localized: else the other language's)."""
    if override:
        return override
    own = copy.participation
    own_venue = own.venue_in(language) if own is not None else ""
    if own is not None and own_venue:
        return f"{own_venue}, {own.city.name(language)}"
    place = event.location_in(language)
    if place:
        return place
    if own is not None and copy.local:
        return own.city.name(language)
    venues = [
        f"{p.venue_in(language)}, {p.city.name(language)}"
        if p.venue_in(language)
        else p.city.name(language)
        for p in parts
        if p.role in ("host", "co_host")
    ]
    return "; ".join(venues)


def geo(parts: list, copy: Copy) -> tuple[float, float] | None:
    """The copy's city for a LOCAL copy or a city with its own venue, else the first host."""
    own = copy.participation
    if own is not None and copy.local and (own.city.latitude is None or own.city.longitude is None):
        return None
    if (
        own is not None
        and (copy.local or own.venue or own.venue_ru)
        and own.city.latitude is not None
        and own.city.longitude is not None
    ):
        return float(own.city.latitude), float(own.city.longitude)
    participations = sorted(parts, key=lambda p: (p.role not in ("host", "co_host"), p.pk))
    for participation in participations:
        city = participation.city
        if city.latitude is not None and city.longitude is not None:
            return float(city.latitude), float(city.longitude)
    return None
