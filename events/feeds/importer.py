"""Import a partner's .ics into events, through events.services so every rule applies.

Policy (documented in README.md): **all or nothing**. The whole file is parsed and every VEVENT
checked first; if anything is wrong the import is refused with one error per bad event (UID and
reason) and nothing is stored. Re-importing the same source updates events by UID (the mapping
lives in ImportedEvent), never duplicates them, and reports UIDs that disappeared from the
source (their events are left alone).

Limits: MAX_IMPORT_BYTES per file, MAX_IMPORT_EVENTS VEVENTs per file; recurrence rules go
through events.rrules.validate_rrule (no sub-daily rules, COUNT <= 1000) and every
expansion is bounded by settings.MAX_OCCURRENCES_PER_EVENT.

Speed: new and changed events are written in batches (events.services.create_events and
update_events: the same checks as create_event and update_event, a few queries per batch);
unchanged ones cost one UPDATE for all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from common import audit
from events import services
from events.feeds.ics_parsing import (
    MAX_IMPORT_BYTES,
    MAX_IMPORT_EVENTS,
    ImportOptions,
    ImportRefused,
    Parsed,
    _refuse,
    decode_calendar,
    message_of,
    parse_events,
    vevent_lines,
)
from events.feeds.models import ImportedEvent, ImportRun
from events.models import City, Event
from events.timezones import canonical_zone

__all__ = [
    "MAX_IMPORT_BYTES",
    "MAX_IMPORT_EVENTS",
    "ImportOptions",
    "ImportRefused",
    "check_options",
    "import_calendar",
]

# New events go through events.services.create_events this many at a time: big enough to
# amortise its per-batch queries, small enough to bound memory and report progress often.
CREATE_BATCH = 250


class _Rollback(Exception):
    pass


Progress = Callable[[str, int, int], None]


def check_options(options: ImportOptions) -> None:
    """The form fields' checks (source, timezone, kind, visibility, cities), before any file
    is read: ValidationError naming the field. No side effects."""
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


def import_calendar(
    *,
    data: bytes,
    options: ImportOptions,
    actor: Any = None,
    progress: Progress | None = None,
    before_commit: Callable[[ImportRun], None] | None = None,
) -> ImportRun:
    """Import ``data`` as the calendar of ``options.source``. All or nothing (module doc).

    ``progress(stage, done, total)`` is told "parsed" while VEVENTs are read and "written"
    as events are stored (the last call comes before anything else in the transaction that
    could lock a row a progress writer touches). ``before_commit(run)`` runs inside the
    import's transaction, after everything is written.

    Raises ImportRefused (a ValidationError: {"file": [...], "events": ["<uid> (line N):
    <reason>", ...]}, ``problems`` the same as dicts) and stores nothing when the file or any
    event in it is refused; ValidationError naming the field for a bad option. Idempotent:
    importing the same file again reports every event as unchanged.
    """
    check_options(options)
    source = options.source.strip()
    calendar = decode_calendar(data)
    parsed, problems = parse_events(calendar, options, vevent_lines(data), progress=progress)
    del calendar  # the parsed values are all the writes need
    if progress is not None:
        progress("parsed", len(parsed), len(parsed))
    if problems:
        raise _refuse(_("Nothing was imported: some events are invalid."), problems)
    try:
        # Every history row of the import says "import" and names the importing user, also
        # when a worker runs it for a job's owner (no request there).
        with transaction.atomic(), audit.acting(audit.Interface.IMPORT, user=actor):
            run = _write(parsed, problems, source, options, actor, progress)
            if before_commit is not None:
                before_commit(run)
    except _Rollback:
        raise _refuse(_("Nothing was imported: some events are invalid."), problems) from None
    return run


def _write(
    parsed: list[Parsed],
    problems: list[dict[str, Any]],
    source: str,
    options: ImportOptions,
    actor: Any,
    progress: Progress | None,
) -> ImportRun:
    participations = [
        services.ParticipationInput(city_id=pk, role="host") for pk in options.city_ids
    ]
    run = ImportRun.objects.create(
        source=source,
        status=ImportRun.Status.SUCCEEDED,
        started_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    links = {
        link.external_uid: link
        for link in ImportedEvent.objects.filter(source=source).select_related("event")
    }
    outcomes: dict[str, str] = {}
    total = len(parsed)

    def report_progress() -> None:
        if progress is not None:
            progress("written", len(outcomes), total)

    unchanged = {
        item.uid
        for item in parsed
        if item.uid in links and links[item.uid].content_hash == item.content_hash()
    }
    ImportedEvent.objects.filter(pk__in=[links[uid].pk for uid in unchanged]).update(last_run=run)
    outcomes.update(dict.fromkeys(unchanged, "unchanged"))
    report_progress()
    fresh = [item for item in parsed if item.uid not in links]
    for n in range(0, len(fresh), CREATE_BATCH):
        _create(fresh[n : n + CREATE_BATCH], run, participations, actor, outcomes, problems)
        report_progress()
    edited = [item for item in parsed if item.uid not in outcomes]
    for n in range(0, len(edited), CREATE_BATCH):
        _update(edited[n : n + CREATE_BATCH], links, run, participations, actor, outcomes, problems)
        report_progress()
    if progress is not None:
        progress("written", total, total)
    if problems:
        raise _Rollback
    seen = {item.uid for item in parsed}
    counts = {name: sum(1 for o in outcomes.values() if o == name) for name in _OUTCOMES}
    run.created, run.updated, run.unchanged = (
        counts["created"],
        counts["updated"],
        counts["unchanged"],
    )
    run.report = {
        "events": [{"uid": item.uid, "outcome": outcomes[item.uid]} for item in parsed],
        "warnings": {item.uid: item.warnings for item in parsed if item.warnings},
        "removed_from_source": [
            {"uid": uid, "event": link.event.slug}
            for uid, link in sorted(links.items())
            if uid not in seen
        ],
    }
    run.save()
    return run


_OUTCOMES = ("created", "updated", "unchanged")


def _refused(
    items: list[Parsed],
    exc: services.EventsRefused,
    outcomes: dict[str, str],
    problems: list[dict[str, Any]],
) -> None:
    """A refused batch: each refusal with its UID and line; every item of it refused."""
    for index, error in sorted(exc.errors.items()):
        item = items[index]
        problems.append({"uid": item.uid, "line": item.line, "error": message_of(error)})
    outcomes.update({item.uid: "refused" for item in items})


def _create(
    items: list[Parsed],
    run: ImportRun,
    participations: list[services.ParticipationInput],
    actor: Any,
    outcomes: dict[str, str],
    problems: list[dict[str, Any]],
) -> None:
    try:
        events = services.create_events(
            items=[
                services.NewEvent(fields=item.fields, occurrence_changes=item.overrides)
                for item in items
            ],
            participations=participations,
            actor=actor,
        )
    except services.EventsRefused as exc:
        _refused(items, exc, outcomes, problems)
        return
    ImportedEvent.objects.bulk_create(
        ImportedEvent(
            source=run.source,
            external_uid=item.uid,
            event=event,
            content_hash=item.content_hash(),
            last_run=run,
        )
        for item, event in zip(items, events, strict=True)
    )
    outcomes.update({item.uid: "created" for item in items})


def _update(
    items: list[Parsed],
    links: dict[str, ImportedEvent],
    run: ImportRun,
    participations: list[services.ParticipationInput],
    actor: Any,
    outcomes: dict[str, str],
    problems: list[dict[str, Any]],
) -> None:
    try:
        services.update_events(
            items=[
                services.EventEdit(
                    event_id=links[item.uid].event_id,
                    fields=item.fields,
                    occurrence_changes=item.overrides,
                )
                for item in items
            ],
            participations=participations or None,
            actor=actor,
        )
    except services.EventsRefused as exc:
        _refused(items, exc, outcomes, problems)
        return
    for item in items:
        links[item.uid].content_hash = item.content_hash()
        links[item.uid].last_run = run
    ImportedEvent.objects.bulk_update(
        [links[item.uid] for item in items], ["content_hash", "last_run"]
    )
    outcomes.update({item.uid: "updated" for item in items})
