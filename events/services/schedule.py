"""Writes for events: create, update (SEQUENCE on schedule changes), cancel (one occurrence:
events/services/occurrences.py). Atomic; errors name the field; change notices go to the
notifications app."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from common import roles
from events.models import City, Event, Participation
from events.occurrence_index.maintain import refresh_event
from events.recurrence import parse_exdates
from events.rrules import validate_rrule
from events.services._common import (
    _canonical_zone,
    _error,
    _full_clean,
    _refuse_line_breaks,
    _refuse_nul,
)
from events.services.event_rights import check_event_change, check_participation_rights
from events.services.times import _aware, _check_days, _check_timed, check_year
from notifications import hooks

# Fields whose change is news for calendars and recipients: they bump SEQUENCE (RFC 5545).
SCHEDULE_FIELDS = frozenset(
    {
        "start",
        "end",
        "start_date",
        "end_date",
        "precision",
        "approx_year",
        "approx_month",
        "timezone",
        "time_mode",
        "rrule",
        "exdates",
        "location",
        "location_ru",
        "online_url",
        "status",
    }
)
EVENT_FIELDS = SCHEDULE_FIELDS | {
    "title_en",
    "title_ru",
    "description_en",
    "description_ru",
    "kind",
    "visibility",
    "partnership",
    "slug",
}


_TIME_FIELDS = frozenset({"start", "end", "start_date", "end_date", "precision"})


@dataclass(frozen=True)
class ParticipationInput:
    city_id: int
    role: str = Participation.Role.PARTICIPANT
    venue: str = ""
    venue_ru: str = ""

    def row(self, **event: Any) -> Participation:
        """The Participation of this input (``event=`` or ``event_id=``), venues stripped."""
        return Participation(
            city_id=self.city_id,
            role=self.role,
            venue=self.venue.strip(),
            venue_ru=self.venue_ru.strip(),
            **event,
        )


def _normalise_event(
    event: Event, raw: Mapping[str, Any], stored_rule: tuple[str, dt.datetime | None] = ("", None)
) -> None:
    """Validate cross-field rules and convert times. Raises ValidationError naming the field.

    ``stored_rule`` is the saved (rrule, local DTSTART) of an existing event: a pair saved before
    rules had to start on DTSTART is not refused again when neither changes (e.g. cancelling).
    """
    _canonical_zone(event)
    if "start" in raw:
        event.start = _aware(raw["start"], event.timezone, "start")
    if "end" in raw:
        event.end = _aware(raw["end"], event.timezone, "end")
    precision = event.precision
    # A stored event that predates the duration rule can still be cancelled or retitled.
    length_rule_applies = event.pk is None or not _TIME_FIELDS.isdisjoint(raw)
    if precision == Event.Precision.TIME:
        if event.start is None:
            raise _error("start", _("A timed event needs a start."), "required")
        if length_rule_applies:
            _check_timed(event.start, event.end, "end")
        event.start_date = event.end_date = event.approx_year = event.approx_month = None
    elif precision == Event.Precision.DAY:
        if event.start_date is None:
            raise _error("start_date", _("An all-day event needs a start date."), "required")
        check_year(event.start_date, "start_date")
        check_year(event.end_date, "end_date")
        if length_rule_applies:
            _check_days(event.start_date, event.end_date, "end_date")
        event.start = event.end = None
        event.approx_year = event.approx_month = None
    elif precision in (Event.Precision.MONTH, Event.Precision.YEAR):
        if event.approx_year is None:
            raise _error("approx_year", _("Give the year the event takes place."), "required")
        if precision == Event.Precision.MONTH and (event.approx_month or 0) not in range(1, 13):
            raise _error("approx_month", _("Give the month (1-12)."), "required")
        if precision == Event.Precision.YEAR:
            event.approx_month = None
        event.start = event.end = event.start_date = event.end_date = None
    else:
        event.start = event.end = event.start_date = event.end_date = None
        event.approx_year = event.approx_month = None
    if event.rrule:
        if not event.is_scheduled:
            raise _error("rrule", _("Only events with a date can recur."))
        try:
            dtstart = event.local_dtstart
            event.rrule = validate_rrule(
                event.rrule,
                dtstart=dtstart,
                require_start_instance=(event.rrule, dtstart) != stored_rule,
            )
        except ValidationError as exc:
            raise ValidationError({"rrule": exc.messages}) from exc
    if event.exdates:
        if not isinstance(event.exdates, list) or not all(
            isinstance(v, str) for v in event.exdates
        ):
            raise _error("exdates", _("Give excluded dates as a list of ISO dates or datetimes."))
        try:
            parse_exdates(event.exdates)
        except ValueError as exc:
            raise _error("exdates", _("Excluded date not understood: %(e)s") % {"e": exc}) from exc
        if not event.rrule:
            raise _error("exdates", _("Excluded dates need a recurrence rule."))
    if not (event.title_en or "").strip() and not (event.title_ru or "").strip():
        raise _error("title_en", _("Give a title in English or Russian."), "required")


def _unique_slug(title: str, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:100] or "event"
    slug = base
    for n in range(2, 10_000):
        query = Event.objects.filter(slug=slug)
        if exclude_pk:
            query = query.exclude(pk=exclude_pk)
        if not query.exists():
            return slug
        slug = f"{base}-{n}"
    raise _error("slug", _("Could not find a free slug."))  # pragma: no cover


def check_participations(participations: Iterable[ParticipationInput]) -> list[ParticipationInput]:
    """The participation rules (each city once, known roles and cities, one-line venues), one
    query. Returns the list; raises ValidationError naming "participations"."""
    wanted = list(participations)
    city_ids = [p.city_id for p in wanted]
    if len(set(city_ids)) != len(city_ids):
        raise _error(
            "participations", _("A city may take part only once in an event."), "duplicate"
        )
    roles = set(Participation.Role.values)
    for item in wanted:
        for venue in (item.venue, item.venue_ru):
            _refuse_nul("participations", venue)
            _refuse_line_breaks("participations", venue)
        if item.role not in roles:
            raise _error("participations", _("Unknown role %(r)r.") % {"r": item.role})
    known = set(City.objects.filter(pk__in=city_ids).values_list("pk", flat=True))
    missing = sorted(set(city_ids) - known)
    if missing:
        raise _error("participations", _("Unknown city id(s): %(ids)s.") % {"ids": missing})
    return wanted


def _set_participations(event: Event, participations: Iterable[ParticipationInput]) -> bool:
    """Make the event's participating cities the given ones. Returns True if anything changed.

    A city that stays keeps its row (a changed role or venue is an update), so the audit
    trail says "venue: A → B" rather than "removed Tula, added Tula"."""
    wanted = check_participations(participations)
    current = {p.city_id: p for p in event.participations.all()}
    after = {p.city_id: (p.role, p.venue.strip(), p.venue_ru.strip()) for p in wanted}
    if {city: (p.role, p.venue, p.venue_ru) for city, p in current.items()} == after:
        return False
    for city_id, row in current.items():
        if city_id not in after:
            row.delete()
        elif (row.role, row.venue, row.venue_ru) != after[city_id]:
            row.role, row.venue, row.venue_ru = after[city_id]
            row.save(update_fields=["role", "venue", "venue_ru"])
    bulk_create_with_history(
        [
            Participation(event=event, city_id=city_id, role=role, venue=venue, venue_ru=venue_ru)
            for city_id, (role, venue, venue_ru) in after.items()
            if city_id not in current
        ],
        Participation,
    )
    return True


@transaction.atomic
def create_event(
    *,
    participations: Iterable[ParticipationInput] = (),
    actor: Any = None,
    **fields: Any,
) -> Event:
    """Create an event with its participating cities and its index rows, atomically.
    Not idempotent. A city team creates only events one of its cities hosts or co-hosts
    (common.roles.check_hosts); ``actor=None`` is the system."""
    unknown = set(fields) - EVENT_FIELDS
    if unknown:
        raise _error(sorted(unknown)[0], _("Unknown field."))
    participations = list(participations)
    if actor is not None:
        if not roles.is_coordinator(actor):
            raise roles.refusal(None, _("Only coordinators may create events."))
        check_participation_rights(actor, None, participations)
    raw = dict(fields)
    event = Event(**{k: v for k, v in fields.items() if k not in ("start", "end")})
    _normalise_event(event, raw)
    if not event.slug:
        event.slug = _unique_slug(event.title_en or event.title_ru)
    if event.status == Event.Status.CANCELLED:
        event.cancelled_at = timezone.now()
    if actor is not None and getattr(actor, "is_authenticated", False):
        event.created_by = actor
    _full_clean(event, exclude=["partnership", "created_by"])
    event.save()
    _set_participations(event, participations)
    refresh_event(event_id=event.pk)
    _notify_created(event)
    return event


def apply_event_fields(
    event: Event, fields: Mapping[str, Any], *, database_checks: bool = True
) -> dict[str, Any]:
    """update_event's checks and changes on ``event`` (locked by the caller), unsaved.
    Returns the schedule fields as they were, to tell whether the schedule changed."""
    unknown = set(fields) - EVENT_FIELDS
    if unknown:
        raise _error(sorted(unknown)[0], _("Unknown field."))
    before = {name: getattr(event, name) for name in SCHEDULE_FIELDS if name != "partnership"}
    stored_rule = (event.rrule, event.local_dtstart)
    for name, value in fields.items():
        if name not in ("start", "end"):
            setattr(event, name, value)
    _normalise_event(event, fields, stored_rule)
    if "slug" in fields and not event.slug:
        event.slug = _unique_slug(event.title_en or event.title_ru, exclude_pk=event.pk)
    _full_clean(event, exclude=["partnership", "created_by"], database_checks=database_checks)
    return before


def stamp_cancellation(event: Event, before: Mapping[str, Any]) -> None:
    """``cancelled_at`` set when the event becomes cancelled, cleared when it is not."""
    if event.status == Event.Status.CANCELLED and before["status"] != Event.Status.CANCELLED:
        event.cancelled_at = timezone.now()
    elif event.status != Event.Status.CANCELLED:
        event.cancelled_at = None


@transaction.atomic
def update_event(
    *,
    event: Event,
    participations: Iterable[ParticipationInput] | None = None,
    actor: Any = None,
    **fields: Any,
) -> Event:
    """Apply changes; bump SEQUENCE when time, place or status change, rewrite the event's
    occurrence-index rows and queue a change notice.

    Idempotent: applying the same values twice changes nothing the second time.

    Rights (``actor``; None is the system): a team of a host or co-host city changes anything
    but may not hand the event's hosting to other cities (common.roles.check_hosts); any
    other team taking part may change only its own cities' participations (role and venue).
    """
    event = Event.objects.select_for_update().get(pk=event.pk)
    linked_before = event.partnership_id
    if participations is not None:
        participations = list(participations)
    check_event_change(actor, event, fields, participations)
    before = apply_event_fields(event, fields)
    schedule_changed = any(getattr(event, name) != before[name] for name in before)
    if participations is not None and _set_participations(event, participations):
        schedule_changed = True
    stamp_cancellation(event, before)
    if schedule_changed:
        event.sequence += 1
    event.save()
    if schedule_changed or event.partnership_id != linked_before:
        # Linked to another pair: the same dates, on other partnership lists.
        refresh_event(event_id=event.pk)
    if schedule_changed:
        _notify_change(event, was_details(event, before))
    return event


def cancel_event(*, event: Event, actor: Any = None) -> Event:
    """Cancel an event (stays in feeds as CANCELLED). Idempotent."""
    return update_event(event=event, status=Event.Status.CANCELLED, actor=actor)


def _notify_change(event: Event, before: Mapping[str, Any] | None = None) -> None:
    """Hand the change to the notifications app (debounced change notices)."""
    hooks.event_changed(event_id=event.pk, sequence=event.sequence, before=before)


_WHEN_FIELDS = ("start", "start_date", "precision", "timezone", "time_mode")


def was_details(event: Event, before: Mapping[str, Any]) -> dict[str, str]:
    """What a change notice says the event was (JSON-ready): its first start, when the
    start, precision, zone or time mode changed; its place and its status, when those
    changed."""
    was: dict[str, str] = {}
    if any(getattr(event, name) != before[name] for name in _WHEN_FIELDS):
        if before["start"] is not None:
            was["start"] = before["start"].isoformat()
            was["timezone"] = before["timezone"]
            was["time_mode"] = before["time_mode"]
        elif before["start_date"] is not None:
            was["start_date"] = before["start_date"].isoformat()
    if (event.location, event.location_ru) != (before["location"], before["location_ru"]):
        was["location"] = before["location"]
        if before["location_ru"]:
            was["location_ru"] = before["location_ru"]
    if event.status != before["status"]:
        was["status"] = str(before["status"])
    return was


def validate_event_fields(*, event: Event | None = None, **fields: Any) -> None:
    """Run the checks create_event/update_event apply, without saving. No side effects.

    Used by forms (the admin) to show a DST gap or a bad rule as a form error before saving.
    """
    unknown = set(fields) - EVENT_FIELDS
    if unknown:
        raise _error(sorted(unknown)[0], _("Unknown field."))
    stored_rule: tuple[str, dt.datetime | None] = ("", None)
    if event is None:
        target = Event(**{k: v for k, v in fields.items() if k not in ("start", "end")})
    else:
        target = Event.objects.get(pk=event.pk)
        stored_rule = (target.rrule, target.local_dtstart)
        for name, value in fields.items():
            if name not in ("start", "end"):
                setattr(target, name, value)
    _normalise_event(target, fields, stored_rule)
    exclude = ["partnership", "created_by"]
    if not target.slug:
        exclude.append("slug")
    _full_clean(target, exclude=exclude)


def _notify_created(event: Event) -> None:
    """Hand a new event to the notifications app (its reminders are planned after commit)."""
    hooks.event_created(event_id=event.pk)
