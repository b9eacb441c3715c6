"""Writes for a delegation visit's itinerary: legs and programme items. Atomic; errors name the
field. Every write locks the event and saves it (``updated_at``) in the same transaction, so the
event's stored feed fragments are re-rendered and every feed's validators move.

Rules: only a delegation visit has an itinerary; naive times are wall-clock times in the zone
of the city they belong to (departure: the departure city's, arrival: the arrival city's, an
item: its city's) and are refused in DST gaps and folds; a leg arrives after it departs (in
UTC), lasts at most MAX_LEG_LENGTH and overlaps no other leg of the event; legs and items lie
within ITINERARY_MARGIN of the event's own dates (not checked for recurring or undated events).
Itinerary changes send no change notices (the event's own schedule did not change).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common.roles import require
from events.itinerary import ITINERARY_MARGIN, MAX_LEG_LENGTH, event_window, host_and_guest
from events.models import City, Event, ItineraryLeg, ProgrammeItem
from events.services._common import _error, _full_clean, _refuse_line_breaks, _refuse_nul
from events.services.times import _aware

LEG_FIELDS = frozenset(
    {
        "mode",
        "departure_city",
        "departure_place",
        "departs_at",
        "arrival_city",
        "arrival_place",
        "arrives_at",
        "reference",
    }
)
ITEM_FIELDS = frozenset(
    {"kind", "title_en", "title_ru", "city", "venue_en", "venue_ru", "starts_at", "ends_at"}
)
_TEXT = {"departure_place", "arrival_place", "reference", "title_en", "title_ru"}
_TEXT |= {"venue_en", "venue_ru"}


def _lock_event(event: Event) -> Event:
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.kind != Event.Kind.DELEGATION_VISIT:
        raise _error(
            "event", _("Only a delegation visit has an itinerary."), "not_a_delegation_visit"
        )
    return event


def _touch(event: Event) -> None:
    """Save the event so its feed fragments and every feed's validators change."""
    event.save(update_fields=["updated_at"])


def _city(field: str, value: Any) -> City:
    if isinstance(value, City):
        return value
    city = None
    if isinstance(value, int) and not isinstance(value, bool):
        city = City.objects.filter(pk=value).first()
    if city is None:
        raise _error(field, _("Unknown city %(id)r.") % {"id": value}, "unknown_city")
    return city


def _check_fields(fields: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise _error(sorted(unknown)[0], _("Unknown field."))
    for name in _TEXT & set(fields):
        value = fields[name]
        if not isinstance(value, str):
            raise _error(name, _("Give text."))
        _refuse_nul(name, value)
        _refuse_line_breaks(name, value)


def _in_window(event: Event, at: dt.datetime | None, field: str) -> None:
    window = event_window(event)
    if window is None or at is None:
        return
    lo, hi = window[0] - ITINERARY_MARGIN, window[1] + ITINERARY_MARGIN
    if not lo <= at <= hi:
        raise _error(
            field,
            _(
                "This is more than %(days)d days outside the event's dates (%(start)s – "
                "%(end)s UTC)."
            )
            % {
                "days": ITINERARY_MARGIN.days,
                "start": f"{window[0]:%Y-%m-%d %H:%M}",
                "end": f"{window[1]:%Y-%m-%d %H:%M}",
            },
            "outside_event",
        )


def _apply_leg(leg: ItineraryLeg, fields: Mapping[str, Any]) -> None:
    _check_fields(fields, LEG_FIELDS)
    for name in ("departure_city", "arrival_city"):
        if name in fields:
            setattr(leg, name, _city(name, fields[name]))
    for name in ("mode", "departure_place", "arrival_place", "reference"):
        if name in fields:
            value = fields[name]
            setattr(leg, name, value.strip() if isinstance(value, str) else value)
    if leg.mode not in ItineraryLeg.Mode.values:
        raise _error("mode", _("Unknown mode %(m)r.") % {"m": leg.mode})
    for name in ("departure_city", "arrival_city"):
        if getattr(leg, f"{name}_id") is None:
            raise _error(name, _("Give the city."), "required")
    # A wall-clock time is read in the zone of its own end of the leg.
    if "departs_at" in fields or (leg.departs_at and "departure_city" in fields):
        leg.departs_at = _wall_or_instant(fields, "departs_at", leg.departs_at, leg.departure_city)
    if "arrives_at" in fields or (leg.arrives_at and "arrival_city" in fields):
        leg.arrives_at = _wall_or_instant(fields, "arrives_at", leg.arrives_at, leg.arrival_city)
    for name in ("departs_at", "arrives_at"):
        if getattr(leg, name) is None:
            raise _error(name, _("Give the date and time."), "required")


def _wall_or_instant(
    fields: Mapping[str, Any], name: str, stored: dt.datetime | None, city: City
) -> dt.datetime:
    """The new value of ``name``; a stored instant stays the same instant when only the city
    changes (a naive time is read in the zone of the city it is given with)."""
    value = fields.get(name, stored)
    if not isinstance(value, dt.datetime):
        raise _error(name, _("Give the date and time."), "required")
    aware = _aware(value, city.timezone, name)
    assert aware is not None
    return aware


def _check_leg(event: Event, leg: ItineraryLeg) -> None:
    if leg.arrives_at <= leg.departs_at:
        raise _error(
            "arrives_at",
            _(
                "The arrival (%(arrives)s UTC) is not after the departure (%(departs)s UTC). "
                "Each time is read in its own city's zone; check the dates and the cities."
            )
            % {
                "arrives": f"{leg.arrives_at.astimezone(dt.UTC):%Y-%m-%d %H:%M}",
                "departs": f"{leg.departs_at.astimezone(dt.UTC):%Y-%m-%d %H:%M}",
            },
            "arrives_before_departs",
        )
    if leg.arrives_at - leg.departs_at > MAX_LEG_LENGTH:
        raise _error(
            "arrives_at",
            _("A leg lasts at most %(days)d days.") % {"days": MAX_LEG_LENGTH.days},
            "too_long",
        )
    _in_window(event, leg.departs_at, "departs_at")
    _in_window(event, leg.arrives_at, "arrives_at")
    others = ItineraryLeg.objects.filter(
        event=event, departs_at__lt=leg.arrives_at, arrives_at__gt=leg.departs_at
    ).select_related("departure_city", "arrival_city")
    if leg.pk is not None:
        others = others.exclude(pk=leg.pk)
    other = others.order_by("departs_at", "id").first()
    if other is not None:
        raise _error(
            "departs_at",
            _(
                "This leg overlaps leg %(id)d (%(from)s → %(to)s, %(departs)s – %(arrives)s "
                "UTC): a delegation travels one leg at a time."
            )
            % {
                "id": other.pk,
                "from": other.departure_city.name_en,
                "to": other.arrival_city.name_en,
                "departs": f"{other.departs_at.astimezone(dt.UTC):%Y-%m-%d %H:%M}",
                "arrives": f"{other.arrives_at.astimezone(dt.UTC):%Y-%m-%d %H:%M}",
            },
            "overlap",
        )


@transaction.atomic
def add_leg(*, event: Event, actor: Any = None, **fields: Any) -> ItineraryLeg:
    """Add a leg to a delegation visit's itinerary. Not idempotent. The itinerary is the
    host's, like the event (common.roles)."""
    require(actor, "teams.change_event", event)
    event = _lock_event(event)
    leg = ItineraryLeg(event=event)
    _apply_leg(leg, fields)
    _check_leg(event, leg)
    _full_clean(leg, exclude=["event", "departure_city", "arrival_city"])
    leg.save()
    _touch(event)
    return leg


@transaction.atomic
def update_leg(*, leg: ItineraryLeg, actor: Any = None, **fields: Any) -> ItineraryLeg:
    """Change a leg; its SEQUENCE goes up when anything changed. Idempotent."""
    require(actor, "teams.change_event", leg.event)
    event = _lock_event(leg.event)
    leg = ItineraryLeg.objects.select_related("departure_city", "arrival_city").get(pk=leg.pk)
    before = {
        name: getattr(leg, name if "city" not in name else f"{name}_id") for name in LEG_FIELDS
    }
    _apply_leg(leg, fields)
    _check_leg(event, leg)
    _full_clean(leg, exclude=["event", "departure_city", "arrival_city"])
    after = {
        name: getattr(leg, name if "city" not in name else f"{name}_id") for name in LEG_FIELDS
    }
    if after == before:
        return leg
    leg.sequence += 1
    leg.save()
    _touch(event)
    return leg


@transaction.atomic
def delete_leg(*, leg: ItineraryLeg, actor: Any = None) -> None:
    """Remove a leg (it disappears from feeds on their next refresh)."""
    require(actor, "teams.change_event", leg.event)
    event = _lock_event(leg.event)
    ItineraryLeg.objects.filter(pk=leg.pk).delete()
    _touch(event)


def _apply_item(event: Event, item: ProgrammeItem, fields: Mapping[str, Any]) -> None:
    _check_fields(fields, ITEM_FIELDS)
    if "city" in fields:
        item.city = _city("city", fields["city"])
    elif item.city_id is None:
        host, _guest = host_and_guest(event, event.participations.select_related("city"))
        if host is None:
            raise _error("city", _("Give the city (the event has no host city)."), "required")
        item.city = host
    for name in ("kind", "title_en", "title_ru", "venue_en", "venue_ru"):
        if name in fields:
            value = fields[name]
            setattr(item, name, value.strip() if isinstance(value, str) else value)
    if item.kind not in ProgrammeItem.Kind.values:
        raise _error("kind", _("Unknown kind %(k)r.") % {"k": item.kind})
    if not item.title_en and not item.title_ru:
        raise _error("title_en", _("Give a title in English or Russian."), "required")
    if "starts_at" in fields or (item.starts_at and "city" in fields):
        item.starts_at = _wall_or_instant(fields, "starts_at", item.starts_at, item.city)
    if "ends_at" in fields and fields["ends_at"] is None:
        item.ends_at = None
    elif "ends_at" in fields or (item.ends_at and "city" in fields):
        item.ends_at = _wall_or_instant(fields, "ends_at", item.ends_at, item.city)
    if item.starts_at is None:
        raise _error("starts_at", _("Give the date and time."), "required")
    if item.ends_at is not None and item.ends_at <= item.starts_at:
        raise _error("ends_at", _("The end is not after the start."), "end_before_start")
    if item.ends_at is not None and item.ends_at - item.starts_at > MAX_LEG_LENGTH:
        raise _error(
            "ends_at",
            _("A programme item lasts at most %(days)d days.") % {"days": MAX_LEG_LENGTH.days},
            "too_long",
        )
    _in_window(event, item.starts_at, "starts_at")
    _in_window(event, item.ends_at, "ends_at")


@transaction.atomic
def add_programme_item(*, event: Event, actor: Any = None, **fields: Any) -> ProgrammeItem:
    """Add a programme item (at the host city unless ``city`` says otherwise). Not idempotent."""
    require(actor, "teams.change_event", event)
    event = _lock_event(event)
    item = ProgrammeItem(event=event)
    _apply_item(event, item, fields)
    _full_clean(item, exclude=["event", "city"])
    item.save()
    _touch(event)
    return item


@transaction.atomic
def update_programme_item(
    *, item: ProgrammeItem, actor: Any = None, **fields: Any
) -> ProgrammeItem:
    """Change a programme item; its SEQUENCE goes up when anything changed. Idempotent."""
    require(actor, "teams.change_event", item.event)
    event = _lock_event(item.event)
    item = ProgrammeItem.objects.select_related("city").get(pk=item.pk)
    names = [n if n != "city" else "city_id" for n in sorted(ITEM_FIELDS)]
    before = [getattr(item, n) for n in names]
    _apply_item(event, item, fields)
    _full_clean(item, exclude=["event", "city"])
    if [getattr(item, n) for n in names] == before:
        return item
    item.sequence += 1
    item.save()
    _touch(event)
    return item


@transaction.atomic
def delete_programme_item(*, item: ProgrammeItem, actor: Any = None) -> None:
    """Remove a programme item."""
    require(actor, "teams.change_event", item.event)
    event = _lock_event(item.event)
    ProgrammeItem.objects.filter(pk=item.pk).delete()
    _touch(event)


def touch_events_travelling_via(*, city_id: int) -> int:
    """Save (``updated_at``) every event whose itinerary names the city: a rename or zone
    change of a leg's or item's city re-renders their feed fragments even when the city does
    not take part in the event. One UPDATE; returns the number of events touched."""
    uses = (
        Q(itinerary_legs__departure_city_id=city_id)
        | Q(itinerary_legs__arrival_city_id=city_id)
        | Q(programme_items__city_id=city_id)
    )
    ids = Event.objects.filter(uses).order_by().values("pk")
    return Event.objects.filter(pk__in=ids).update(updated_at=timezone.now())
