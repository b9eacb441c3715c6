"""Import a partner's .ics into events, through events.services so every rule applies.

Policy (documented in README.md): **all or nothing**. The whole file is parsed and every VEVENT
checked first; if anything is wrong the import is refused with one error per bad event (UID and
reason) and nothing is stored. Re-importing the same source updates events by UID (the mapping
lives in ImportedEvent), never duplicates them, and reports UIDs that disappeared from the
source (their events are left alone).

Limits: MAX_IMPORT_BYTES per file, MAX_IMPORT_EVENTS VEVENTs per file; recurrence rules go
through events.rrules.validate_rrule (no sub-daily rules, COUNT <= 1000) and every
expansion is bounded by settings.MAX_OCCURRENCES_PER_EVENT.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from events import services
from events.feeds.ics_parsing import (
    MAX_IMPORT_BYTES,
    MAX_IMPORT_EVENTS,
    ImportOptions,
    Parsed,
    _refuse,
    decode_calendar,
    message_of,
    parse_events,
)
from events.feeds.models import ImportedEvent, ImportRun
from events.models import City, Event
from events.timezones import canonical_zone

__all__ = ["MAX_IMPORT_BYTES", "MAX_IMPORT_EVENTS", "ImportOptions", "import_calendar"]


class _Rollback(Exception):
    pass


Progress = Callable[[str, int, int], None]


def import_calendar(
    *, data: bytes, options: ImportOptions, actor: Any = None, progress: Progress | None = None
) -> ImportRun:
    """Import ``data`` as the calendar of ``options.source``. All or nothing (module doc).

    ``progress(stage, done, total)`` is told "parsed" once and "written" after each event.

    Raises ValidationError ({"file": [...], "events": ["<uid>: <reason>", ...]}) and stores
    nothing when the file or any event in it is refused. Idempotent: importing the same file
    again reports every event as unchanged.
    """
    source = options.source.strip()
    if not source or len(source) > 200:
        raise ValidationError({"source": [_("Name the source (at most 200 characters).")]})
    try:
        canonical_zone(options.default_timezone)
    except ValidationError as exc:
        raise ValidationError({"timezone": exc.messages}) from exc
    if options.kind not in Event.Kind.values:
        raise ValidationError({"kind": [_("Unknown kind %(k)r.") % {"k": options.kind}]})
    if options.visibility not in Event.Visibility.values:
        raise ValidationError({"visibility": [_("Unknown visibility.")]})
    known = set(City.objects.filter(pk__in=options.city_ids).values_list("pk", flat=True))
    if known != set(options.city_ids):
        raise ValidationError({"cities": [_("Unknown city id(s).")]})
    calendar = decode_calendar(data)
    parsed, problems = parse_events(calendar, options)
    if progress is not None:
        progress("parsed", len(parsed), len(parsed))
    if problems:
        raise _refuse(_("Nothing was imported: some events are invalid."), problems)
    participations = [
        services.ParticipationInput(city_id=pk, role="host") for pk in options.city_ids
    ]
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    report: dict[str, Any] = {"events": [], "warnings": {}, "removed_from_source": []}
    try:
        with transaction.atomic():
            run = ImportRun.objects.create(
                source=source,
                status=ImportRun.Status.SUCCEEDED,
                started_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            links = {
                link.external_uid: link
                for link in ImportedEvent.objects.filter(source=source).select_related("event")
            }
            for done, item in enumerate(parsed, start=1):
                if progress is not None:
                    progress("written", done - 1, len(parsed))
                try:
                    with transaction.atomic():
                        outcome = _apply(item, links.get(item.uid), run, participations, actor)
                except ValidationError as exc:
                    problems.append({"uid": item.uid, "error": message_of(exc)})
                    continue
                counts[outcome] += 1
                report["events"].append({"uid": item.uid, "outcome": outcome})
                if item.warnings:
                    report["warnings"][item.uid] = item.warnings
            if progress is not None:
                progress("written", len(parsed), len(parsed))
            if problems:
                raise _Rollback
            seen = {item.uid for item in parsed}
            report["removed_from_source"] = [
                {"uid": uid, "event": link.event.slug}
                for uid, link in sorted(links.items())
                if uid not in seen
            ]
            run.created, run.updated, run.unchanged = (
                counts["created"],
                counts["updated"],
                counts["unchanged"],
            )
            run.report = report
            run.save()
    except _Rollback:
        raise _refuse(_("Nothing was imported: some events are invalid."), problems) from None
    return run


def _apply(item: Parsed, link: ImportedEvent | None, run: ImportRun, participations, actor) -> str:
    digest = item.content_hash()
    if link is not None and link.content_hash == digest:
        link.last_run = run
        link.save(update_fields=["last_run"])
        return "unchanged"
    if link is None:
        event = services.create_event(participations=participations, actor=actor, **item.fields)
        link = ImportedEvent.objects.create(
            source=run.source, external_uid=item.uid, event=event, content_hash=digest, last_run=run
        )
        outcome = "created"
    else:
        event = services.update_event(
            event=link.event,
            participations=participations or None,
            actor=actor,
            **item.fields,
        )
        link.content_hash = digest
        link.last_run = run
        link.save(update_fields=["content_hash", "last_run"])
        outcome = "updated"
    for values in item.overrides:
        services.change_occurrence(event=event, **values)
    return outcome
