"""The ledger's state machine: the beat's scan (claim due rows, enqueue after commit), the
sweeper, claims, outcomes and retries.

Times that decide *what is due* come from ``common.clock.now()`` (movable in tests); stamps that
decide *what is stuck* (queued_at, claimed_at) use the real clock, so moving the test clock can
never make a live send look abandoned.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import random
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.db.models import F, Q
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
        kind__in=[Delivery.Kind.REMINDER, Delivery.Kind.DIGEST],
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


def claim(*, delivery: Delivery) -> bool:
    """QUEUED -> SENDING with one conditional UPDATE; False when someone else has the row or it
    is done. On success ``delivery`` carries the new status and attempt count."""
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
    Delivery.objects.filter(pk=delivery.pk).exclude(status=Delivery.Status.SENT).update(
        status=Delivery.Status.SENT,
        sent_at=timezone.now(),
        message_id=message_id,
        email=email,
        last_error="",
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
