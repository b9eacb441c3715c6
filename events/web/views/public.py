"""Public pages. Every page reads through events_visible_to(request.user)."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from common.paging import BoundedPaginator
from events.models import City, Event, Partnership
from events.occurrence_index import read as occurrence_index
from events.recurrence import Occurrence, expand
from events.selectors import (
    events_visible_to,
    partnerships_of,
    upcoming_anniversaries,
    with_related,
)
from events.web import event_page, formatting, itinerary_page, links, month_cells
from events.web.forms import EventFilterForm
from events.web.selectors import (
    PAST_DAYS,
    UPCOMING_DAYS,
    approximate_past_events,
    countries,
    event_upcoming,
    filtered_events,
    list_scope,
    local_dates,
    month_dates,
    next_anniversary,
    occurrences_for,
    series_for,
    unscheduled_events,
    upcoming_and_past,
)

PAGE_SIZE = 50
HOME_EVENTS = 8
CITY_EVENTS = 30
EVENT_DATES = 10
_EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
_LATEST = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)


def home(request: HttpRequest) -> HttpResponse:
    visible = events_visible_to(request.user)
    today = timezone.localdate()
    upcoming, recent = upcoming_and_past(visible, HOME_EVENTS, one_per_event=True)
    context = {
        "upcoming": upcoming,
        "recent": recent,
        "anniversaries": upcoming_anniversaries(today, today + dt.timedelta(days=365))[:8],
        "cities": formatting.cities_in_reading_order(City.objects.all()),
        "feed": links.feed_links(request, "feeds:all"),
    }
    return render(request, "web/home.html", context)


def _filter_form(request: HttpRequest) -> tuple[EventFilterForm, dict[str, Any], int]:
    """Bound filter form, the valid filters, and 400 when some value had to be ignored."""
    form = EventFilterForm(request.GET or None, countries=countries())
    if not request.GET:
        return form, {}, 200
    valid = form.is_valid()
    # Unknown keys such as "page" are not filters; bad values of known ones are reported.
    return form, form.valid_data(), 200 if valid else 400


def event_list(request: HttpRequest) -> HttpResponse:
    form, filters, status = _filter_form(request)
    query = filtered_events(request.user, filters)
    month = filters.get("month")
    period = filters.get("period") or "upcoming"
    # Without a month, a recurring series is one entry at its next (past: latest) date.
    scope = list_scope(request.user, filters)
    occurrences = (
        occurrences_for(query, month=month, scope=scope)
        if month
        else series_for(query, period=period, scope=scope)
    )
    requested = request.GET.get("page")
    page = BoundedPaginator(occurrences, PAGE_SIZE, requested=requested).get_page(requested)
    show_undated = month is not None or period == "upcoming"
    show_approx_past = month is not None or period == "past"
    context = {
        "form": form,
        "page": page,
        "period": period,
        "month": month,
        "month_label": formatting.fmt_month(*month) if month else "",
        "undated": unscheduled_events(query, month=month) if show_undated else [],
        "approx_past": approximate_past_events(query, month=month) if show_approx_past else [],
        # One entry per series at its next (past: last) date, except in a month's list.
        "series": "" if month else ("last" if period == "past" else "next"),
        "filtered": bool(filters),
    }
    return render(request, "web/event_list.html", context, status=status)


def _place_span(occ: Occurrence, city: City | None) -> tuple[dt.date, dt.date]:
    """The first and last local dates of an occurrence (the filtered city's, else the
    event zone's)."""
    if city is not None:
        for city_time in occ.city_times:
            if city_time.city.pk == city.pk and city_time.start_date is not None:
                return city_time.start_date, city_time.end_date or city_time.start_date
    return local_dates(occ)


def _cells(
    query: Any, year: int, month: int, city: City | None
) -> tuple[dict[dt.date, list[Occurrence]], dict[dt.date, int], int]:
    """Entries to draw per day, each day's occurrence count, and the month's total: the
    occurrences whose local dates (the city's, else the event zone's) meet the month's, as the
    day lists place them (see month_dates)."""
    first, last, lo, hi = month_dates(year, month)
    cells = month_cells.day_cells(query, first, last, lo, hi, city_times=city is not None)
    by_day: dict[dt.date, list[Occurrence]] = {}
    found = cells.occurrences if cells else occurrence_index.occurrences_in(query, lo, hi)
    # Drawn on the grid's days only (whole weeks around the month): a festival of two
    # months is on every day of the month it runs through.
    shown = month_cells.grid_days(first, last)
    placed = []
    for occ in found:
        start, end = _place_span(occ, city)
        if start <= last and end >= first:
            placed.append((occ, month_cells.shown_dates(start, end, shown)))
    occurrences = [occ for occ, _covered in placed]
    multi: dict[dt.date, int] = {}
    for occ, days in placed:
        spans = occ.end_date is not None and occ.start_date != occ.end_date
        spans = spans or (occ.start is not None and occ.end is not None and len(days) > 1)
        for day in days:
            by_day.setdefault(day, []).append(occ)
            if spans:
                multi[day] = multi.get(day, 0) + 1
    if cells is not None and cells.multi_counts is not None:
        multi = cells.multi_counts  # counted from every row, also those not built
    if cells is None:
        return by_day, {day: len(items) for day, items in by_day.items()}, len(occurrences)
    counts = {
        day: max(len(by_day.get(day, [])), cells.single_counts.get(day, 0) + multi.get(day, 0))
        for day in set(by_day) | set(cells.single_counts)
    }
    return by_day, counts, cells.total


def month_grid(request: HttpRequest) -> HttpResponse:
    form, filters, status = _filter_form(request)
    today = timezone.localdate()
    year, month = filters.get("month") or (today.year, today.month)
    query = filtered_events(request.user, filters)
    by_day, counts, total = _cells(query, year, month, filters.get("city"))
    cap = month_cells.CAP
    weeks = [
        [
            {
                "date": day,
                "in_month": day.month == month,
                "items": by_day.get(day, [])[:cap],
                "more": max(counts.get(day, 0) - cap, 0),
            }
            for day in week
        ]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]
    first = dt.date(year, month, 1)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    context = {
        "form": form,
        "weeks": weeks,
        "weekdays": [WEEKDAYS_ABBR[n] for n in range(7)],
        "month_label": formatting.fmt_month(year, month),
        "previous": f"{previous:%Y-%m}",
        "next": f"{following:%Y-%m}",
        "today": today,
        "count": total,
        "undated": unscheduled_events(query, month=(year, month)),
        "approx_past": approximate_past_events(query, month=(year, month)),
    }
    return render(request, "web/month.html", context, status=status)


def day_list(request: HttpRequest, day: str) -> HttpResponse:
    """Every occurrence on one local date (the month grid's "+N more"), with its filters."""
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        return render(
            request, "web/day.html", {"error": _("Give the day as YYYY-MM-DD.")}, status=400
        )
    form, filters, status = _filter_form(request)
    query = filtered_events(request.user, filters)
    page = Paginator(_occurrences_on(query, date, filters.get("city")), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"form": form, "page": page, "day_label": formatting.fmt_date(date), "day": date}
    return render(request, "web/day.html", context, status=status)


def _occurrences_on(query: Any, date: dt.date, city: City | None) -> list[Occurrence]:
    lo = dt.datetime.combine(date, dt.time(), tzinfo=dt.UTC) - dt.timedelta(days=2)
    found = occurrence_index.occurrences_in(query, lo, lo + dt.timedelta(days=5))
    spans = ((occ, _place_span(occ, city)) for occ in found)
    return [occ for occ, (start, end) in spans if start <= date <= end]


def _event_dates(event: Event) -> tuple[Occurrence | None, list[Occurrence]]:
    """(the occurrence to feature, the upcoming ones) for an event page."""
    if not event.is_scheduled:
        return None, []
    if not event.rrule:
        found = expand(event, _EARLIEST, _LATEST)
        return (found[0] if found else None), []
    now = timezone.now()
    indexed = event_upcoming(event, now, EVENT_DATES)
    if indexed is not None:
        dates, latest = indexed
        if dates:
            return dates[0], dates
        if latest is not None:
            return latest, []
        found = expand(event, _EARLIEST, _LATEST, limit=EVENT_DATES)
        return (found[-1] if found else None), []
    upcoming = [
        occ
        for occ in expand(event, now, now + dt.timedelta(days=UPCOMING_DAYS))
        if (occ.end or occ.start or now) >= now
        or (occ.start_date is not None and occ.start_date >= now.date())
    ]
    if upcoming:
        return upcoming[0], upcoming[:EVENT_DATES]
    past = expand(event, now - dt.timedelta(days=PAST_DAYS), now)
    if not past:
        past = expand(event, _EARLIEST, _LATEST, limit=EVENT_DATES)
    return (past[-1] if past else None), []


def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """An event in every participating city's local time; ``?city=<slug>`` picks the visitor's.

    A ``city`` that does not take part is ignored with a note (the page still answers 200).
    """
    event = get_object_or_404(with_related(events_visible_to(request.user)), slug=slug)
    featured, dates = _event_dates(event)
    title = formatting.event_title(event)
    description = event.description(formatting.lang())
    requested = request.GET.get("city", "").strip()
    pick = event_page.pick_city(featured.city_times if featured else [], requested)
    rows = []
    add_links = {}
    if featured is not None:
        rows = event_page.city_instances(featured, pick.city_time, title, description)
        if not rows and not featured.cancelled:
            span = links.CalendarSpan.of_occurrence(featured)
            place = featured.location_in(formatting.lang())
            add_links = {
                "google": links.google_calendar_url(span, title, description, place),
                "outlook": links.outlook_calendar_url(span, title, description, place),
            }
    picked = next((row for row in rows if row.picked), None)
    general_location = (
        featured.location_in(formatting.lang())
        if featured
        else event.location_in(formatting.lang())
    )
    location = picked.location if picked and picked.venue else general_location
    context = {
        "event": event,
        "title": title,
        "description": description,
        "featured": featured,
        "local_mode": event.time_mode == Event.TimeMode.LOCAL,
        "dates": [
            {"occ": occ, "cities": event_page.city_instances(occ, pick.city_time, with_links=False)}
            for occ in dates
        ],
        "rows": rows,
        "picked": picked,
        "city_chosen": bool(requested) and not pick.ignored,
        "city_note": event_page.ignored_city_note(pick.ignored, pick.city_time),
        "participations": list(event.participations.all()),
        "cancelled": event.status == Event.Status.CANCELLED,
        "instance_cancelled": bool(featured and featured.cancelled),
        "location": location,
        "general_location": general_location,
        "ics_url": links.event_ics_url(event),
        "add_links": add_links,
        "itinerary": itinerary_page.itinerary_view(
            event,
            list(event.participations.all()),
            list(event.itinerary_legs.select_related("departure_city", "arrival_city")),
            list(event.programme_items.select_related("city")),
        ),
    }
    return render(request, "web/event_detail.html", context)


def city_detail(request: HttpRequest, slug: str) -> HttpResponse:
    city = get_object_or_404(City, slug=slug)
    today = timezone.localdate()
    partners = [
        {"pair": pair, "years": pair.age_on(today)}
        for pair in partnerships_of(city).order_by("established_on", "pk")
    ]
    filters = {"city": city}
    query = filtered_events(request.user, filters)
    upcoming, past = upcoming_and_past(
        query, CITY_EVENTS, one_per_event=True, scope=list_scope(request.user, filters)
    )
    context = {
        "city": city,
        "partners": partners,
        "upcoming": upcoming,
        "past": past,
        "undated": unscheduled_events(query),
        "approx_past": approximate_past_events(query),
        "feed": links.feed_links(request, "feeds:city", slug=city.slug),
    }
    return render(request, "web/city_detail.html", context)


def partnership_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pair = get_object_or_404(Partnership.objects.select_related("city_a", "city_b"), pk=pk)
    today = timezone.localdate()
    filters = {"partnership": pair}
    query = filtered_events(request.user, filters)
    anniversary = next_anniversary(pair, today)
    upcoming, past = upcoming_and_past(
        query, CITY_EVENTS, one_per_event=True, scope=list_scope(request.user, filters)
    )
    context = {
        "pair": pair,
        "age": pair.age_on(today),
        "anniversary": anniversary,
        "anniversary_date": formatting.fmt_date(anniversary[2]) if anniversary else "",
        "upcoming": upcoming,
        "past": past,
        "undated": unscheduled_events(query),
        "approx_past": approximate_past_events(query),
        "feed": links.feed_links(request, "feeds:partnership", id=pair.pk),
        "status_changes": list(pair.status_changes.all()),
    }
    return render(request, "web/partnership_detail.html", context)
