"""Storing the fragments a feed rendered: a fixed number of statements whatever their number
on PostgreSQL, one upsert per batch elsewhere (see events/feeds/README.md).

A ``FragmentSink`` collects (event id, version, body) as the feed renders and sends them, and
``store()`` writes what it holds once the stream ends — also when the client hung up mid-feed
(the generator's ``finally``). Fewer than COPY_FROM rows (SQLite: up to ``batch``) are one
``INSERT … ON CONFLICT DO UPDATE``. More rows on PostgreSQL are spooled to a temporary file (memory stays
bounded: a spool spills to disk past SPOOL_MEMORY) and stored with one transaction of three
statements: ``CREATE TEMP TABLE``, ``COPY`` of the spool into it and one ``INSERT … SELECT …
ON CONFLICT DO UPDATE``. SQLite has no COPY: there each full batch is upserted as it fills
(the demo's feeds are small).

A store never raises: a failure is logged and rolled back, the response goes on, and the next
request renders the missing fragments again. Two requests storing the same feed at once both
succeed (ON CONFLICT; rows inserted in event order, so they wait for each other rather than
deadlock); like the per-batch upsert before it, the later store wins even with an older
version, which the version check on reading turns into one more render, never a stale VEVENT.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from contextlib import nullcontext
from tempfile import SpooledTemporaryFile

from django.db import connection, transaction
from django.db.backends.utils import CursorDebugWrapper
from django.utils import timezone

from events.feeds.models import FeedFragment
from events.models import Event

logger = logging.getLogger(__name__)

# Spooled rows held in memory before the spool spills to a file on disk.
SPOOL_MEMORY = 8 * 2**20
COPY_CHUNK = 2**20
# From this many rows on, PostgreSQL stores by COPY even below a full batch: one multi-row
# INSERT built a model instance and six bound parameters per row (a tenth of a 1,000-event
# cold feed's CPU); a few rows (a warm feed's changed events) stay one INSERT.
COPY_FROM = 100

Row = tuple[int, str, bytes]


def copy_text(value: bytes) -> bytes:
    """``value`` as a field of PostgreSQL's COPY text format (backslash escapes; UTF-8 bytes,
    whose multi-byte sequences never contain these ASCII bytes)."""
    if b"\\" in value:
        value = value.replace(b"\\", b"\\\\")
    return value.replace(b"\r", b"\\r").replace(b"\n", b"\\n").replace(b"\t", b"\\t")


class FragmentSink:
    """Rendered fragments of one view and language on their way to the fragment store."""

    def __init__(self, *, variant: str, language: str, batch: int) -> None:
        self.variant = variant
        self.language = language
        self.batch_size = batch
        self.rows: list[Row] = []
        self.unstored = 0  # rows added since the last write (held or spooled)
        self.spool: SpooledTemporaryFile[bytes] | None = None
        self.copy = connection.vendor == "postgresql"

    def add(self, event_id: int, version: str, body: bytes) -> None:
        self.rows.append((event_id, version, body))
        self.unstored += 1
        if len(self.rows) >= self.batch_size:
            if self.copy:
                self._spill()
            else:
                self._guarded(self._upsert)

    def store(self) -> None:
        """Store what was added and not stored yet. Logs a failure, never raises."""
        try:
            if self.spool is not None or (self.copy and len(self.rows) >= COPY_FROM):
                self._spill()
                self._guarded(self._copy_upsert)
            elif self.rows:
                self._guarded(self._upsert)
        finally:
            self.rows, self.unstored = [], 0
            if self.spool is not None:
                self.spool.close()
                self.spool = None

    def _guarded(self, write: Callable[[], None]) -> None:
        try:
            write()
        except Exception:
            logger.exception(
                "Storing %d feed fragments (%r, %s) failed; they are rendered again next time",
                self.unstored,
                self.variant,
                self.language,
            )
        self.rows, self.unstored = [], 0

    def _spill(self) -> None:
        if self.spool is None:
            self.spool = SpooledTemporaryFile(max_size=SPOOL_MEMORY)  # noqa: SIM115
        self.spool.write(
            b"".join(
                b"%d\t%s\t%s\n" % (pk, copy_text(version.encode()), copy_text(body))
                for pk, version, body in self.rows
            )
        )
        self.rows = []

    def _upsert(self) -> None:
        FeedFragment.objects.bulk_create(
            [
                FeedFragment(
                    event_id=pk,
                    variant=self.variant,
                    language=self.language,
                    version=version,
                    body=body.decode(),
                )
                for pk, version, body in self.rows
            ],
            update_conflicts=True,
            unique_fields=["event", "variant", "language"],
            update_fields=["version", "body", "rendered_at"],
        )

    def _copy_upsert(self) -> None:
        assert self.spool is not None
        self.spool.seek(0)
        qn = connection.ops.quote_name
        load = qn(f"feed_fragment_load_{uuid.uuid4().hex}")
        table = qn(FeedFragment._meta.db_table)
        pk_column = Event._meta.pk.column if Event._meta.pk is not None else None
        assert pk_column is not None
        events, event_pk = qn(Event._meta.db_table), qn(pk_column)
        copy_sql = f"COPY {load} (event_id, version, body) FROM STDIN"
        # Only events that still exist: one deleted meanwhile must not fail the whole store.
        insert_sql = (
            f"INSERT INTO {table} (event_id, variant, language, version, body, rendered_at)"  # noqa: S608 - names are ours, values bound
            f" SELECT l.event_id, %s, %s, l.version, l.body, %s FROM {load} l"
            f" WHERE EXISTS (SELECT 1 FROM {events} e WHERE e.{event_pk} = l.event_id)"
            " ORDER BY l.event_id"
            " ON CONFLICT (event_id, variant, language) DO UPDATE SET"
            " version = EXCLUDED.version, body = EXCLUDED.body, rendered_at = EXCLUDED.rendered_at"
        )
        # ON COMMIT DROP: the load table lives as long as this transaction (a savepoint inside
        # an outer transaction: then until that one ends, hence the unique name).
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {load} (event_id bigint, version text, body text)"
                " ON COMMIT DROP"
            )
            # Django's cursor has no COPY: psycopg's does; logged like any other statement.
            debug = isinstance(cursor, CursorDebugWrapper)
            with (
                cursor.debug_sql(copy_sql) if debug else nullcontext(),
                connection.wrap_database_errors,
                cursor.cursor.copy(copy_sql) as copy,
            ):
                while chunk := self.spool.read(COPY_CHUNK):
                    copy.write(chunk)
            cursor.execute(insert_sql, [self.variant, self.language, timezone.now()])
