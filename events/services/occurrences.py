"""Moving, re-placing or cancelling one occurrence of a recurring event (RECURRENCE-ID)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.roles import require
from events.models import Event, OccurrenceChange
from events.occurrence_index.maintain import refresh_event
from events.recurrence import recurrence_key
from events.rrules import build_rule
from events.services._common import _error, _refuse_line_breaks, _refuse_nul
from events.services.schedule import _notify_change
from events.services.times import _aware, _check_days, _check_timed, check_year


@transaction.atomic
def change_occurrence(
    *,
    event: Event,
    original_start: dt.datetime | dt.date,
    cancelled: bool = False,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    location: str = "",
    location_ru: str = "",
    note_en: str = "",
    note_ru: str = "",
    actor: Any = None,
) -> OccurrenceChange:
    """Move, re-place or cancel one instance of a recurring event (RECURRENCE-ID).

    ``original_start`` is the instance's local start (naive, in the event's zone) or its date
    for all-day events. Idempotent for the same values; otherwise bumps the event's SEQUENCE
    and rewrites its occurrence-index rows. Only a host's team (or a programme
    administrator; ``actor=None`` is the system) may do it.
    """
    event = Event.objects.select_for_update().get(pk=event.pk)
    require(actor, "teams.change_event", event)
    key, values = occurrence_change_values(
        event,
        original_start=original_start,
        cancelled=cancelled,
        start=start,
        end=end,
        start_date=start_date,
        end_date=end_date,
        location=location,
        location_ru=location_ru,
        note_en=note_en,
        note_ru=note_ru,
    )
    change, created = OccurrenceChange.objects.get_or_create(
        event=event, original_start=key, defaults=values
    )
    if not created and all(getattr(change, k) == v for k, v in values.items()):
        return change
    before = occurrence_before(event, key, None if created else change, values)
    if not created:
        for name, value in values.items():
            setattr(change, name, value)
    change.sequence = event.sequence + 1
    change.save()
    event.sequence += 1
    event.save(update_fields=["sequence", "updated_at"])
    refresh_event(event_id=event.pk)
    _notify_change(event, before)
    return change


def occurrence_before(
    event: Event, key: dt.datetime, change: OccurrenceChange | None, values: dict[str, Any]
) -> dict[str, Any]:
    """What a change notice says the instance was before this change (JSON-ready):
    ``{"occurrence": {"id": <recurrence id, UTC>, "start" (UTC ISO) or "start_date",
    "location" (only when it changed), "cancelled": true (when it is cancelled now)}}``.
    Its start before is the earlier move's (``change``), else the series' own."""
    if change is not None and change.start is not None:
        old_start: dt.datetime | dt.date = change.start
    elif change is not None and change.start_date is not None:
        old_start = change.start_date
    elif event.is_all_day:
        old_start = key.astimezone(event.zone).date()
    else:
        old_start = key
    new_start = values["start"] or values["start_date"] or old_start
    old_location = (change.location if change is not None else "") or event.location
    old_location_ru = (change.location_ru if change is not None else "") or event.location_ru
    was: dict[str, Any] = {"id": key.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")}
    if values["cancelled"] or new_start != old_start:
        if isinstance(old_start, dt.datetime):
            was["start"] = old_start.astimezone(dt.UTC).isoformat()
        else:
            was["start_date"] = old_start.isoformat()
    if values["cancelled"]:
        was["cancelled"] = True
    elif (values["location"] or event.location) != old_location or (
        values["location_ru"] or event.location_ru
    ) != old_location_ru:
        was["location"] = old_location
        if old_location_ru:
            was["location_ru"] = old_location_ru
    return {"occurrence": was}


def occurrence_change_values(
    event: Event,
    *,
    original_start: dt.datetime | dt.date,
    cancelled: bool = False,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    location: str = "",
    location_ru: str = "",
    note_en: str = "",
    note_ru: str = "",
) -> tuple[dt.datetime, dict[str, Any]]:
    """change_occurrence's checks (the rule has that instance; times; text) without saving:
    (the OccurrenceChange key, its values). Raises ValidationError naming the field."""
    if not event.rrule:
        raise _error("original_start", _("Only a recurring event has occurrences to change."))
    check_year(original_start, "original_start")
    check_year(start_date, "start_date")
    check_year(end_date, "end_date")
    if isinstance(original_start, dt.datetime):
        local = (
            original_start.astimezone(event.zone).replace(tzinfo=None)
            if timezone.is_aware(original_start)
            else original_start
        )
    else:
        local = dt.datetime.combine(original_start, dt.time())
    local = local.replace(microsecond=0)  # instances fall on whole seconds (see _aware)
    base = event.local_dtstart
    if base is None or local not in build_rule(event.rrule, base).between(local, local, inc=True):
        raise _error("original_start", _("The event has no occurrence starting at that time."))
    key = recurrence_key(event, local)
    start_utc = _aware(start, event.timezone, "start")
    end_utc = _aware(end, event.timezone, "end")
    _check_timed(start_utc, end_utc, "end")
    _check_days(start_date, end_date, "end_date")
    texts = (
        ("location", location),
        ("location_ru", location_ru),
        ("note_en", note_en),
        ("note_ru", note_ru),
    )
    for name, text in texts:
        _refuse_nul(name, text)
    _refuse_line_breaks("location", location)
    _refuse_line_breaks("location_ru", location_ru)
    values = {
        "cancelled": cancelled,
        "start": start_utc,
        "end": end_utc,
        "start_date": start_date,
        "end_date": end_date,
        "location": location,
        "location_ru": location_ru,
        "note_en": note_en,
        "note_ru": note_ru,
    }
    return key, values
