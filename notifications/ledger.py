"""The ledger's state machine: the beat's scan (claim due rows, enqueue after commit), the
sweeper, claims, outcomes and retries.

Times that decide *what is due* come from ``common.clock.now()`` (movable in tests); stamps that
decide *what is stuck* (queued_at, claimed_at) use the real clock, so moving the test clock can
never make a live send look abandoned.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import random
from collections.abc import Callable, Iterator
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import DateTimeField, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common import clock
from common.validation import field_error as _error
from notifications import conf, dispatch, notices, planning
from notifications.models import ChangeNotice, Delivery
from notifications.selectors import RETRYABLE

log = logging.getLogger(__name__)


def enqueue_due(
    *,
    now: dt.datetime | None = None,
    batch: int = 500,
    enqueue: Callable[[list[int]], None] | None = None,
) -> int:
    """The beat scan. Cost follows the number of due rows (index on status, next_attempt_at).

    Due notices are fanned out; reminders whose occurrence already started become MISSED;
    due rows are claimed PENDING -> QUEUED with SKIP LOCKED and sends are enqueued after
    commit, several rows per task (``enqueue`` gets lists of at most NOTIFICATIONS_SEND_BATCH
    ids). Safe to run from two beats at once: a row is claimed by one of them only.
    """
    now = now or clock.now()
    enqueue = enqueue or _enqueue_sends
    # Planning whose Celery message was lost: done here, before the due rows are claimed.
    planning.plan_requested()
    for notice_id in list(
        ChangeNotice.objects.filter(status=ChangeNotice.Status.PENDING, due_at__lte=now)
        .order_by("due_at")
        .values_list("pk", flat=True)[:batch]
    ):
        notices.fan_out_notice(notice_id=notice_id, now=now)
    Delivery.objects.filter(
        status=Delivery.Status.PENDING,
        next_attempt_at__lte=now,
        kind__in=[Delivery.Kind.REMINDER, Delivery.Kind.DIGEST, Delivery.Kind.ANNIVERSARY],
        occurrence_start__lte=now,
    ).update(status=Delivery.Status.MISSED, last_error="Found only after it was out of date.")
    total = 0
    for _round in range(50):  # bounded: at most 50 batches per scan
        with transaction.atomic():
            ids = list(
                Delivery.objects.select_for_update(skip_locked=True)
                .filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
                .order_by("next_attempt_at")
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                break
            claimed = list(
                Delivery.objects.filter(pk__in=ids, status=Delivery.Status.PENDING).values_list(
                    "pk", flat=True
                )
            )
            Delivery.objects.filter(pk__in=claimed).update(
                status=Delivery.Status.QUEUED, queued_at=timezone.now()
            )
            transaction.on_commit(functools.partial(_in_chunks, claimed, enqueue))
        total += len(claimed)
        if len(ids) < batch:
            break
    return total


def sweep_stuck(*, enqueue: Callable[[list[int]], None] | None = None) -> int:
    """Re-queue rows whose broker message was lost (Redis restart) or whose worker died.

    Uses the real clock: QUEUED longer than NOTIFICATIONS_QUEUED_STALE_SECONDS, SENDING
    longer than NOTIFICATIONS_SENDING_STALE_SECONDS (which must exceed the task's hard time
    limit plus the SMTP timeout, so a live send is never taken over).
    """
    enqueue = enqueue or _enqueue_sends
    real_now = timezone.now()
    queued_stale = real_now - dt.timedelta(seconds=conf.get("NOTIFICATIONS_QUEUED_STALE_SECONDS"))
    sending_stale = real_now - dt.timedelta(seconds=conf.get("NOTIFICATIONS_SENDING_STALE_SECONDS"))
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=Delivery.Status.QUEUED, queued_at__lt=queued_stale)
                | Q(status=Delivery.Status.SENDING, claimed_at__lt=sending_stale)
            )
            .values_list("pk", flat=True)[:5000]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(
                status=Delivery.Status.QUEUED, queued_at=real_now
            )
            transaction.on_commit(lambda: _in_chunks(ids, enqueue))
    if ids:
        log.warning("Re-queued %d stuck deliveries", len(ids))
    return len(ids)


def send_batch_size() -> int:
    return max(1, conf.get("NOTIFICATIONS_SEND_BATCH"))


def _in_chunks(ids: list[int], enqueue: Callable[[list[int]], None]) -> None:
    size = send_batch_size()
    for start in range(0, len(ids), size):
        enqueue(ids[start : start + size])


def _enqueue_sends(delivery_ids: list[int]) -> None:
    """One task per chunk: a worker sends several rows per broker round trip (each row is
    still claimed on its own, so a killed worker strands at most the row it was sending)."""
    dispatch.enqueue("notifications.send_deliveries", list(delivery_ids))


@transaction.atomic
def retry_delivery(*, delivery: Delivery) -> Delivery:
    """Put a failed, missed or skipped row back in the queue now (coordinator action)."""
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status not in RETRYABLE:
        raise _error(
            "status",
            _("Only failed, missed or skipped deliveries can be retried (this one is %(s)s).")
            % {"s": delivery.get_status_display()},
            "not_retryable",
        )
    now = clock.now()
    delivery.status = Delivery.Status.PENDING
    delivery.next_attempt_at = now
    delivery.attempts = 0
    # A retried reminder must not be turned into "missed" again by the scan.
    if delivery.occurrence_start is not None and delivery.occurrence_start <= now:
        delivery.occurrence_start = None
    try:
        with transaction.atomic():
            delivery.save(
                update_fields=["status", "next_attempt_at", "attempts", "occurrence_start"]
            )
    except IntegrityError as exc:
        raise _error(
            "status",
            _("Another delivery already covers this address, occurrence and kind."),
            "duplicate",
        ) from exc
    return delivery


def claim_batch(*, delivery_ids: list[int]) -> list[int]:
    """QUEUED -> SENDING for a task's rows with one conditional ``UPDATE ... RETURNING``: the ids
    this worker now owns, in order. Each row still changes hands atomically on its own (the
    ``status = 'queued'`` condition is re-checked per row under its lock), so a row another
    worker claimed, or one that is done or superseded, is not among them."""
    if not delivery_ids:
        return []
    table, status, claimed_at, attempts, pk = _names("status", "claimed_at", "attempts", "id")
    marks = ", ".join(["%s"] * len(delivery_ids))
    sql = (
        f"UPDATE {table} SET {status} = %s, "  # noqa: S608 - names from the model, values bound
        f"{claimed_at} = %s, {attempts} = {attempts} + 1 "
        f"WHERE {pk} IN ({marks}) AND {status} = %s RETURNING {pk}"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [Delivery.Status.SENDING, _stamp(), *map(int, delivery_ids), Delivery.Status.QUEUED],
        )
        return sorted(row[0] for row in cursor.fetchall())


def _names(*fields: str) -> list[str]:
    """The quoted table name, then the quoted columns of ``fields``."""
    columns = [str(getattr(Delivery._meta.get_field(name), "column", name)) for name in fields]
    return [connection.ops.quote_name(name) for name in [Delivery._meta.db_table, *columns]]


def _stamp() -> Any:
    """Now, as the database backend takes a datetime parameter."""
    return DateTimeField().get_db_prep_value(timezone.now(), connection)


def release(*, delivery_ids: list[int]) -> int:
    """Rows a task claimed but never started (out of time): SENDING -> QUEUED, the claim's
    attempt given back. The caller publishes them again."""
    if not delivery_ids:
        return 0
    return Delivery.objects.filter(pk__in=delivery_ids, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.QUEUED, queued_at=timezone.now(), attempts=F("attempts") - 1
    )


@contextlib.contextmanager
def relaxed_commits() -> Iterator[None]:
    """Inside: commits on PostgreSQL do not wait for the WAL flush (``synchronous_commit =
    off``), so the per-row outcome marks of a send batch cost a round trip, not a disk sync.

    Safe for exactly once: an asynchronous commit is visible at once and survives the death of
    the worker (kill -9 still leaves at most the one row being sent unmarked); only a crash of
    the database server itself can lose the last fraction of a second of marks, and a row whose
    mark is lost is back to SENDING -- the same "maybe sent" case as a worker killed right after
    the SMTP accept: re-sent with the same Message-ID (README, "The one duplicate window").
    The claim before it stays a normal, synchronous commit."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except DatabaseError:
            connection.close()  # a broken session must not keep the setting


def claim(*, delivery: Delivery) -> bool:
    """One row QUEUED -> SENDING with one conditional UPDATE (see ``claim_batch``); False when
    someone else has the row or it is done. On success ``delivery`` carries the new status and
    attempt count."""
    stamp = timezone.now()
    got = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.QUEUED).update(
        status=Delivery.Status.SENDING, claimed_at=stamp, attempts=F("attempts") + 1
    )
    if got:
        delivery.status = Delivery.Status.SENDING
        delivery.claimed_at = stamp
        delivery.attempts += 1
    return bool(got)


def claim_for_send(*, delivery_id: int) -> Delivery | None:
    """Load and claim one row (see ``claim``). None when someone else has it or it is done."""
    delivery = Delivery.objects.filter(pk=delivery_id).first()
    if delivery is None or not claim(delivery=delivery):
        return None
    return delivery


def mark_sent(*, delivery: Delivery, message_id: str, email: str) -> None:
    """The row's one statement per message, so written out once instead of compiled by the
    ORM every time (that was a third of its cost)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _mark_sent_sql(),
            [Delivery.Status.SENT, _stamp(), message_id, email, delivery.pk, Delivery.Status.SENT],
        )


@functools.cache
def _mark_sent_sql() -> str:
    table, status, sent_at, message_id, email, last_error, pk = _names(
        "status", "sent_at", "message_id", "email", "last_error", "id"
    )
    return (
        f"UPDATE {table} SET {status} = %s, {sent_at} = %s, {message_id} = %s, "  # noqa: S608 - names from the model, values bound
        f"{email} = %s, {last_error} = '' WHERE {pk} = %s AND {status} <> %s"
    )


def mark_final(*, delivery: Delivery, status: str, error: str, email: str = "") -> None:
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
        status=status, last_error=error[:2000], email=email
    )


def backoff(attempts: int) -> dt.timedelta:
    """Exponential backoff with full jitter between half and the whole step, capped."""
    base = float(conf.get("NOTIFICATIONS_RETRY_BASE_SECONDS"))
    cap = float(conf.get("NOTIFICATIONS_RETRY_MAX_SECONDS"))
    step = min(cap, base * (2 ** max(0, attempts - 1)))
    return dt.timedelta(seconds=step * random.uniform(0.5, 1.0))  # noqa: S311 - jitter, not crypto


def mark_retry(*, delivery: Delivery, error: str) -> None:
    """A temporary failure: back to PENDING with a later next_attempt_at (beat picks it up)."""
    max_attempts = int(conf.get("NOTIFICATIONS_MAX_ATTEMPTS"))
    if delivery.attempts >= max_attempts:
        mark_final(
            delivery=delivery,
            status=Delivery.Status.FAILED,
            error=f"Gave up after {delivery.attempts} attempts: {error}",
        )
        return
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.PENDING,
        next_attempt_at=clock.now() + backoff(delivery.attempts),
        last_error=error[:2000],
    )
