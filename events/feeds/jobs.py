"""Imports off the request: a job row holds the file; a Celery worker runs the import.

* ``submit_import`` checks the form fields (400 naming the field, synchronously), stores the
  bytes and options, and publishes the job's id after commit. A broker that is down loses
  nothing: the row stays QUEUED and the beat's sweeper publishes it again.
* ``run_import_job`` (the task) claims the row with a conditional UPDATE (QUEUED, or RUNNING
  with a stale heartbeat: its worker died), imports all or nothing, and marks the job
  SUCCEEDED inside the import's own transaction, so "imported" and "job done" commit together.
  A redelivered message for a finished job, or for one a live worker holds, does nothing.
* Progress (parsed / written, heartbeat) must be visible while the import's transaction is
  open, and an uncommitted write is invisible to everybody else. On PostgreSQL it therefore goes
  through a second, autocommitting connection; the import's own connection touches the job row
  only after the last progress write. SQLite allows one writer at a time, so there the counters
  move only outside the transaction (before and after the writes).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as KombuOperationalError

from events.feeds import importer
from events.feeds.ics_parsing import ImportOptions, ImportRefused, message_of
from events.feeds.models import ImportJob, ImportRun

log = logging.getLogger(__name__)

TASK = "events.run_import_job"
MAX_ATTEMPTS = 3
_EVERY_EVENTS = 100
_EVERY_SECONDS = 0.5


def _stale() -> dt.timedelta:
    """A job whose worker has not written progress for this long is taken to be abandoned."""
    return dt.timedelta(seconds=settings.FEEDS_IMPORT_STALE_SECONDS)


def _republish_after() -> dt.timedelta:
    """A queued job no worker claimed this long after its publish is published again."""
    return dt.timedelta(seconds=settings.FEEDS_IMPORT_REPUBLISH_SECONDS)


def options_of(job: ImportJob) -> ImportOptions:
    raw = job.options
    return ImportOptions(
        source=job.source,
        city_ids=tuple(int(pk) for pk in raw.get("city_ids", [])),
        kind=raw.get("kind", "other"),
        visibility=raw.get("visibility", "public"),
        default_timezone=raw.get("timezone", "UTC"),
    )


def publish(job_id: int) -> bool:
    """Publish the job's message now; False (logged) when the broker cannot be reached."""
    signature = current_app.signature(TASK, args=(job_id,))
    if current_app.conf.task_always_eager:
        signature.apply_async()
        return True
    # One attempt on a connection of its own: with the default retries an unreachable broker
    # holds the request for about six seconds before the error.
    options = {**(current_app.conf.broker_transport_options or {}), "max_retries": 0}
    try:
        with current_app.connection_for_write(transport_options=options) as broker:
            signature.apply_async(connection=broker, retry=False)
    except (KombuOperationalError, OSError):
        log.warning("Could not publish import job %s; the sweeper will", job_id)
        return False
    return True


def submit_import(
    *, owner: Any, data: bytes, options: ImportOptions, file_name: str = ""
) -> ImportJob:
    """Check the options and the size, store the job QUEUED and publish it after commit.
    Raises ValidationError naming the field; never fails because the broker is down.
    Not idempotent (each call is a new job)."""
    importer.check_options(options)
    if len(data) > importer.MAX_IMPORT_BYTES:
        raise ValidationError(
            {
                "file": [
                    _("The file is larger than %(max)d bytes.") % {"max": importer.MAX_IMPORT_BYTES}
                ]
            }
        )
    with transaction.atomic():
        job = ImportJob.objects.create(
            owner=owner if getattr(owner, "is_authenticated", False) else None,
            source=options.source.strip(),
            file_name=file_name[:255],
            data=data,
            options={
                "city_ids": list(options.city_ids),
                "kind": options.kind,
                "visibility": options.visibility,
                "timezone": options.default_timezone,
            },
            published_at=timezone.now(),
        )
        transaction.on_commit(lambda: publish(job.pk))
    return job


class ProgressWriter:
    """importer's progress callback for one job: throttled (every 100 events or 0.5 s, and
    every stage's end), written where other sessions see it at once (module doc)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self._side = (
            connections.create_connection(DEFAULT_DB_ALIAS)
            if connection.vendor == "postgresql"
            else None
        )
        self._last: dict[str, tuple[int, float]] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        last_done, last_at = self._last.get(stage, (-_EVERY_EVENTS, 0.0))
        now = time.monotonic()
        if done < total and done - last_done < _EVERY_EVENTS and now - last_at < _EVERY_SECONDS:
            return
        self._last[stage] = (done, now)
        column = "parsed" if stage == "parsed" else "written"
        if self._side is not None:
            table = connection.ops.quote_name(ImportJob._meta.db_table)
            with self._side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET {column} = %s, total = %s, heartbeat_at = %s "  # noqa: S608 - names are ours
                    "WHERE id = %s AND state = %s",
                    [done, total, timezone.now(), self.job_id, ImportJob.State.RUNNING],
                )
        elif not connection.in_atomic_block:
            ImportJob.objects.filter(pk=self.job_id, state=ImportJob.State.RUNNING).update(
                **{column: done}, total=total, heartbeat_at=timezone.now()
            )

    def close(self) -> None:
        if self._side is not None:
            self._side.close()


def _claim(job_id: int) -> bool:
    now = timezone.now()
    return bool(
        ImportJob.objects.filter(pk=job_id)
        .filter(
            Q(state=ImportJob.State.QUEUED)
            | Q(state=ImportJob.State.RUNNING, heartbeat_at__lt=now - _stale())
        )
        .update(
            state=ImportJob.State.RUNNING,
            started_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            parsed=0,
            written=0,
            errors=[],
        )
    )


def _finish(job_id: int, errors: list[dict[str, Any]]) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        state=ImportJob.State.FAILED, errors=errors, finished_at=timezone.now()
    )


def _errors_of(exc: ValidationError) -> list[dict[str, Any]]:
    problems = exc.problems if isinstance(exc, ImportRefused) else []
    if hasattr(exc, "error_dict"):
        general = [
            {"uid": "", "line": None, "error": f"{name}: {message}"}
            for name, messages in exc.message_dict.items()
            if name != "events"
            for message in messages
        ]
    else:
        general = [{"uid": "", "line": None, "error": message_of(exc)}]
    return general + problems


def run_import_job(*, job_id: int) -> str:
    """The task's work (module doc). Returns the job's outcome: "succeeded", "failed" or
    "skipped" (finished already, or held by a live worker). Idempotent and safe to redeliver."""
    if not _claim(job_id):
        return "skipped"
    job = ImportJob.objects.select_related("owner").get(pk=job_id)
    if job.attempts > MAX_ATTEMPTS:
        _finish(job_id, [{"uid": "", "line": None, "error": _("The worker stopped repeatedly.")}])
        return "failed"

    def succeeded(run: ImportRun) -> None:
        ImportJob.objects.filter(pk=job_id).update(
            state=ImportJob.State.SUCCEEDED, run=run, finished_at=timezone.now()
        )

    progress = ProgressWriter(job_id)
    try:
        run = importer.import_calendar(
            data=bytes(job.data),
            options=options_of(job),
            actor=job.owner,
            progress=progress,
            before_commit=succeeded,
        )
    except ValidationError as exc:
        _finish(job_id, _errors_of(exc))
        return "failed"
    finally:
        progress.close()
    total = run.created + run.updated + run.unchanged
    ImportJob.objects.filter(pk=job_id).update(parsed=total, written=total, total=total)
    return "succeeded"


def sweep_import_jobs(*, limit: int = 100) -> int:
    """Beat: publish again every QUEUED job unclaimed FEEDS_IMPORT_REPUBLISH_SECONDS after its
    last publish (the broker was down, or Redis lost the message) and every RUNNING job whose
    worker went silent for FEEDS_IMPORT_STALE_SECONDS. Idempotent: the task's claim lets one
    worker run a job. Returns how many were published."""
    now = timezone.now()
    due = list(
        ImportJob.objects.filter(
            Q(state=ImportJob.State.QUEUED, published_at__lt=now - _republish_after())
            | Q(state=ImportJob.State.RUNNING, heartbeat_at__lt=now - _stale())
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    published = 0
    for job_id in due:
        if not publish(job_id):
            break  # the broker is still down; the next sweep tries again
        ImportJob.objects.filter(pk=job_id).update(published_at=now)
        published += 1
    return published
