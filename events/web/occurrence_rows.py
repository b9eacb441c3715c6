"""The rows of an occurrence list (events list, city, partnership and home pages) and the month
grid's weeks, rendered in Python rather than by the template engine.

Measured (bench/bench_index.py, 10,000 events on PostgreSQL): the list rows were most of
these pages' rendering time -- about 0.25 ms of CPU a row in Django templates, 30 to 60 rows a
page -- while the same markup from these few functions costs a fraction of that. The markup is
what ``web/includes/occurrence_list.html`` and ``web/month.html`` produced before; the wording and formatting come
from the same helpers the templates use (events.web.formatting), so nothing is said twice.
Event URLs are reversed once per language and path prefix, then filled in with each slug.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from django.urls import get_script_prefix, reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from events.web import formatting

_MARK = "url-placeholder-0"


@functools.lru_cache(maxsize=64)
def _url_parts(name: str, kwarg: str, language: str | None, prefix: str) -> tuple[str, str]:
    before, after = reverse(name, kwargs={kwarg: _MARK}).split(_MARK)
    return before, after


def _url(name: str, kwarg: str, value: str) -> str:
    """reverse(name, kwargs={kwarg: value}) for a one-argument pattern, without resolving the
    pattern each time (quoted as reverse quotes a path argument)."""
    before, after = _url_parts(name, kwarg, get_language(), get_script_prefix())
    return f"{before}{quote(value, safe='!$&()*+,;=/~:@')}{after}"


def event_url(event: Any) -> str:
    return _url("web:event_detail", "slug", event.slug)


def _city_time_of(occurrence: Any, city: Any) -> Any:
    for city_time in occurrence.city_times:
        if city_time.city.pk == city.pk:
            return city_time
    return None


def _when(occ: Any, city: Any) -> str:
    if city is not None:
        city_time = _city_time_of(occ, city)
        if city_time is not None and city_time.start is not None:
            local = _("local time in %(name)s") % {"name": formatting.city_name(city)}
            return format_html(
                '<time datetime="{}">{}, {}</time> <span class="muted">({})</span>',
                formatting.utc_iso(city_time.start),
                formatting.fmt_date(city_time.start),
                formatting.fmt_time(city_time.start),
                local,
            )
        return escape(formatting.occurrence_when(occ))
    if occ.start is not None:
        return format_html(
            '<time datetime="{}">{}</time>',
            formatting.utc_iso(occ.start),
            formatting.occurrence_when(occ),
        )
    return escape(formatting.occurrence_when(occ))


def _row(occ: Any, city: Any, series: str) -> str:
    event = occ.event
    badges = []
    if occ.cancelled:
        badges.append(
            format_html('<strong class="badge badge-cancelled">{}</strong>', _("Cancelled"))
        )
    elif event.status == "tentative":
        badges.append(format_html('<span class="badge badge-tentative">{}</span>', _("Tentative")))
    if occ.moved:
        badges.append(format_html('<span class="badge">{}</span>', _("Moved")))
    if event.rrule:
        summary = formatting.series_summary(event) or _("Recurring")
        badges.append(format_html('<span class="badge badge-series">{}</span>', summary))
    lead = ""
    if series and event.rrule:
        label = _("Last date:") if series == "last" else _("Next date:")
        lead = format_html('<span class="muted">{}</span> ', label)
    meta = escape(event.get_kind_display())
    if occ.city_times:
        names = ", ".join(formatting.city_name(ct.city) for ct in occ.city_times)
        meta = format_html("{} · {}", meta, names)
    return format_html(
        '<li class="occurrence{}">\n    <a class="occ-title" href="{}">{}</a>\n    {}\n'
        '    <span class="occ-when">{}{}</span>\n    <span class="occ-meta">{}</span>\n  </li>\n',
        " is-cancelled" if occ.cancelled else "",
        event_url(event),
        formatting.event_title(event),
        mark_safe(" ".join(badges)),  # noqa: S308 - each badge built by format_html
        lead,
        mark_safe(_when(occ, city)),  # noqa: S308 - built by format_html / escape
        meta,
    )


def occurrence_items(
    occurrences: Iterable[Any], *, city: Any = None, series: str = "", empty_text: str = ""
) -> SafeString:
    """The ``<li>`` items of an occurrence list (``city``: show that city's local time;
    ``series`` "next"/"last": label a series' entry with its next or last date)."""
    city = city or None  # an unset template variable arrives as ""
    rows = [_row(occ, city, series or "") for occ in occurrences]
    if not rows:
        return format_html('<li class="empty">{}</li>\n', empty_text or _("No events."))
    return mark_safe("  ".join(rows))  # noqa: S308 - every row built by format_html


def month_weeks(weeks: list[list[dict]], today: Any, query: str) -> SafeString:
    """The month grid's ``<tr>`` rows: each day's number, up to the cap of entries, and a
    "+N more" link to the day's list (``query``: the filters' query string, month and page
    removed)."""
    rows = []
    for week in weeks:
        cells = [_month_cell(day, today, query) for day in week]
        rows.append(format_html("<tr>\n{}</tr>\n", mark_safe("".join(cells))))  # noqa: S308
    return mark_safe("".join(rows))  # noqa: S308 - every row built by format_html


def _month_cell(day: dict, today: Any, query: str) -> str:
    classes = ("" if day["in_month"] else "out") + (" today" if day["date"] == today else "")
    classes += "" if day["items"] else " empty-day"
    items = ""
    if day["items"]:
        entries = []
        for occ in day["items"]:
            cancelled = occ.cancelled
            entries.append(
                format_html(
                    '<li{}><a href="{}">{}</a>{}</li>\n',
                    mark_safe(' class="is-cancelled"') if cancelled else "",
                    event_url(occ.event),
                    formatting.event_title(occ.event),
                    format_html(
                        ' <strong class="badge badge-cancelled">{}</strong>', _("Cancelled")
                    )
                    if cancelled
                    else "",
                )
            )
        items = format_html("<ul>\n{}</ul>\n", mark_safe("".join(entries)))  # noqa: S308
    more = ""
    if day["more"]:
        href = _url("web:day", "day", f"{day['date']:%Y-%m-%d}") + query
        more = format_html(
            '<a class="day-more" href="{}">{}</a>',
            href,
            _("+%(count)s more") % {"count": day["more"]},
        )
    return format_html(
        '<td class="{}">\n<span class="day-number"><span class="visually-hidden">{}</span>'
        '<span aria-hidden="true">{}</span></span>\n{}{}\n</td>\n',
        classes,
        formatting.fmt_date(day["date"]),
        day["date"].day,
        items,
        more,
    )
