"""Reads for the events domain. Each function's query count is independent of the data size."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from common import audit
from common.roles import can_view_contact, is_programme_admin, team_cities
from events.models import (
    ChangeProposal,
    City,
    Contact,
    Event,
    OccurrenceChange,
    Participation,
    Partnership,
    PartnershipStatusChange,
)
from events.recurrence import CityTime, Occurrence, city_times, expand

MILESTONES = (1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 90, 100)


def is_milestone(years: int) -> bool:
    """A year count worth commemorating: MILESTONES, and every tenth beyond them."""
    return years > 0 and (years in MILESTONES or years % 10 == 0)


def anniversary_day(established: dt.date, year: int) -> dt.date:
    """``established``'s day and month in ``year``; 29 February is the 28th in a common year
    (the desk, the API, the feeds and the reminders all say the same day)."""
    if established.month == 2 and established.day == 29 and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return established.replace(year=year)


def events_visible_to(user) -> QuerySet[Event]:
    """Everybody sees public events that are confirmed or cancelled; a city team also every
    event one of its cities takes part in; programme administrators all (common.roles)."""
    query = Event.objects.all()
    if is_programme_admin(user):
        return query
    return query.filter(visible_to_cities_q(team_cities(user)))


def visible_to_cities_q(city_ids: Iterable[int]) -> Q:
    """What the cities ``city_ids`` may see (a team of them, or a contact of one): public
    events (``Event.public_q``) and every event one of them takes part in."""
    city_ids = list(city_ids)
    visible = Event.public_q()
    if city_ids:
        taking_part = Participation.objects.filter(city_id__in=city_ids).values("event_id")
        visible |= Q(pk__in=taking_part)
    return visible


def events_taken_part_in(user) -> QuerySet[Event]:
    """The events a user works on: a team's cities take part in them (programme
    administrators: all). What the admin's event list shows."""
    if is_programme_admin(user):
        return Event.objects.all()
    taking_part = Participation.objects.filter(city_id__in=team_cities(user)).values("event_id")
    return Event.objects.filter(pk__in=taking_part)


def events_of_partnership_q(pair: Partnership) -> Q:
    """Events linked to the pair, or in which both of its cities take part: the one set the
    partnership page lists and the partnership feed holds."""

    # One uncorrelated UNION found through indexes, rather than an OR that scans every event.
    both = (
        Participation.objects.filter(
            city_id=pair.city_a_id, event__participations__city_id=pair.city_b_id
        )
        .order_by()
        .values("event_id")
    )
    linked = Event.objects.filter(partnership=pair).order_by().values("pk")
    return Q(pk__in=linked.union(both))


def with_related(query: QuerySet[Event]) -> QuerySet[Event]:
    """Prefetch what occurrences and serializers read: a fixed number of queries."""
    return query.select_related("partnership__city_a", "partnership__city_b").prefetch_related(
        Prefetch(
            "participations",
            queryset=Participation.objects.select_related("city").order_by("id"),
        ),
        "changes",
    )


def occurrences_between(
    query: QuerySet[Event],
    window_start: dt.datetime,
    window_end: dt.datetime,
    *,
    max_total: int | None = None,
) -> list[Occurrence]:
    """Occurrences of the events in ``query`` touching [window_start, window_end), sorted.

    Candidate events are found in SQL (one-off events by date, recurring events whose first
    instance is before the window end); recurrences are expanded in Python, bounded per event.
    With ``max_total``, more occurrences than that raise ``ValidationError`` (a request may not
    make the server expand without limit).
    """
    result: list[Occurrence] = []
    for event in with_related(candidate_events(query, window_start, window_end)):
        result.extend(expand(event, window_start, window_end))
        if max_total is not None and len(result) > max_total:
            raise too_many_occurrences(max_total)
    result.sort(key=lambda occ: (occ.sort_key, occ.event.pk))
    return result


def too_many_occurrences(max_total: int) -> ValidationError:
    return ValidationError(
        {
            "end": [
                _(
                    "The window holds more than %(max)d occurrences: choose a "
                    "shorter window or filter by city, kind or partnership."
                )
                % {"max": max_total}
            ]
        },
        code="too_many_occurrences",
    )


def candidate_events(
    query: QuerySet[Event], window_start: dt.datetime, window_end: dt.datetime
) -> QuerySet[Event]:
    """The events of ``query`` that may have an occurrence touching the window (found in SQL:
    one-off events by date, recurring events whose first instance is before the window end)."""
    pad = dt.timedelta(days=2)
    return query.filter(
        Q(rrule="")
        & (
            Q(precision=Event.Precision.TIME, start__lt=window_end + pad)
            & (Q(end__gte=window_start - pad) | Q(end__isnull=True, start__gte=window_start - pad))
            | Q(
                precision=Event.Precision.DAY,
                start_date__lte=(window_end + pad).date(),
            )
            & (
                Q(end_date__gte=(window_start - pad).date())
                | Q(end_date__isnull=True, start_date__gte=(window_start - pad).date())
            )
        )
        | ~Q(rrule="")
        & (
            Q(precision=Event.Precision.TIME, start__lt=window_end + pad)
            | Q(precision=Event.Precision.DAY, start_date__lte=(window_end + pad).date())
        )
    )


@dataclass(frozen=True)
class Anniversary:
    partnership: Partnership
    years: int
    date: dt.date | None  # None when only the year (or month) of establishment is known
    year: int


def commemoration_slug(anniversary: Anniversary) -> str:
    """The slug of the event planned for ``anniversary`` (one per pair and year)."""
    return f"partnership-{anniversary.partnership.pk}-anniversary-{anniversary.year}"


def upcoming_anniversaries(
    start: dt.date,
    end: dt.date,
    *,
    milestones_only: bool = True,
    partnership: Partnership | None = None,
) -> list[Anniversary]:
    """Partnership anniversaries falling in [start, end] (inclusive), oldest first; of one
    ``partnership`` when given."""
    result = []
    pairs = (
        Partnership.objects.filter(established_on__isnull=False)
        .select_related("city_a", "city_b")
        .prefetch_related("status_changes")
    )
    if partnership is not None:
        pairs = pairs.filter(pk=partnership.pk)
    for pair in pairs:
        est = pair.established_on
        assert est is not None
        for year in range(start.year, end.year + 1):
            years = year - est.year
            if years <= 0 or (milestones_only and not is_milestone(years)):
                continue
            if pair.established_precision == Partnership.Precision.DAY:
                day = anniversary_day(est, year)
                if start <= day <= end:
                    result.append(Anniversary(pair, years, day, year))
            elif pair.established_precision == Partnership.Precision.MONTH:
                first = dt.date(year, est.month, 1)
                if first <= end and (first.replace(day=28) >= start):
                    result.append(Anniversary(pair, years, None, year))
            elif dt.date(year, 1, 1) <= end and dt.date(year, 12, 31) >= start:
                result.append(Anniversary(pair, years, None, year))
    result.sort(key=lambda a: (a.date or dt.date(a.year, 12, 31), a.partnership.pk))
    return result


def partnerships_of(city: City) -> QuerySet[Partnership]:
    return Partnership.objects.filter(Q(city_a=city) | Q(city_b=city)).select_related(
        "city_a", "city_b"
    )


# --- API and admin reads ---------------------------------------------------------------------


def next_anniversary(partnership: Partnership, today: dt.date) -> Anniversary | None:
    """The partnership's next anniversary on or after ``today`` (any year count, not only
    milestones). ``date`` is None when only the month or year of establishment is known."""
    est = partnership.established_on
    if est is None:
        return None
    for year in (today.year, today.year + 1):
        years = year - est.year
        if years <= 0:
            continue
        if partnership.established_precision == Partnership.Precision.DAY:
            day = anniversary_day(est, year)
            if day >= today:
                return Anniversary(partnership, years, day, year)
        elif partnership.established_precision == Partnership.Precision.MONTH:
            if (year, est.month) >= (today.year, today.month):
                return Anniversary(partnership, years, None, year)
        else:
            return Anniversary(partnership, years, None, year)
    return None


def partnerships_with_history() -> QuerySet[Partnership]:
    """Partnerships with both cities and their status history: three queries for any count."""
    return Partnership.objects.select_related("city_a", "city_b").prefetch_related("status_changes")


def event_city_times(event: Event) -> list[CityTime]:
    """The event's (first) start in each participating city's zone; query-free when
    ``participations__city`` is prefetched (see with_related)."""
    return city_times(event, event.start, event.end, event.start_date, event.end_date)


def proposals_visible_to(user) -> QuerySet[ChangeProposal]:
    """Proposals of the events ``user``'s teams take part in; programme administrators all."""
    return ChangeProposal.objects.filter(
        event__in=events_taken_part_in(user).values("pk")
    ).select_related("event", "proposed_by", "decided_by")


def contacts_list(user=None) -> QuerySet[Contact]:
    """Contacts ``user`` may see (programme administrators: all; a team: its cities'); every
    contact without a user (the system)."""
    query = Contact.objects.select_related("city")
    if user is None or is_programme_admin(user):
        return query
    return query.filter(city_id__in=team_cities(user))


def event_history(event_id: int) -> list[dict[str, Any]]:
    """The audit trail of one event, its participating cities and its moved or cancelled
    instances, newest first (common.audit.trail entries). Three queries."""
    return audit.merged_trail(
        (
            ("event", Event.history.filter(id=event_id)),
            ("participation", Participation.history.filter(event_id=event_id)),
            ("occurrence_change", OccurrenceChange.history.filter(event_id=event_id)),
        )
    )


def partnership_history(partnership_id: int) -> list[dict[str, Any]]:
    """The audit trail of one partnership and its recorded status changes, newest first.
    Two queries."""
    return audit.merged_trail(
        (
            ("partnership", Partnership.history.filter(id=partnership_id)),
            (
                "status_change",
                PartnershipStatusChange.history.filter(partnership_id=partnership_id),
            ),
        )
    )


# A contact's addresses: what the trail hides from a viewer who may not see the contact.
CONTACT_ADDRESS_FIELDS = ("email",)


def hide_contact_addresses(entries: list[dict[str, Any]], viewer: Any) -> list[dict[str, Any]]:
    """Trail entries with contact addresses shown as "hidden" where ``viewer`` may not see
    the contact (common.roles.can_view_contact)."""
    return audit.redact(
        entries,
        model="contact",
        fields=CONTACT_ADDRESS_FIELDS,
        visible=lambda contact: can_view_contact(viewer, contact),
    )


def contact_history(contact_id: int, *, viewer: Any) -> list[dict[str, Any]]:
    """The audit trail of one contact, newest first, its addresses hidden from a viewer who
    may not see it. One query (plus the visibility test, once)."""
    entries = audit.merged_trail((("contact", Contact.history.filter(id=contact_id)),))
    return hide_contact_addresses(entries, viewer)
