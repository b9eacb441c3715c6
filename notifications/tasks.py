"""Celery tasks: take ids, call one service, never pass model instances."""

from __future__ import annotations

import time

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from notifications import digests, sending, services


@shared_task(name="notifications.send_deliveries", acks_late=True, reject_on_worker_lost=True)
def send_deliveries(delivery_ids: list[int]) -> int:
    """Send a batch of queued rows (each claimed on its own). Rows not started within half the
    soft time limit go back to the broker as a new task, so a slow SMTP server never makes a
    batch overrun its limit. Returns the number sent."""
    budget = settings.CELERY_TASK_SOFT_TIME_LIMIT / 2
    try:
        results = sending.send_deliveries(
            delivery_ids=[int(pk) for pk in delivery_ids], deadline=time.monotonic() + budget
        )
    except SoftTimeLimitExceeded:
        # The row being sent stays SENDING and the rest QUEUED; the sweeper re-queues them.
        sending._drop_connection()
        return 0
    deferred = [pk for pk, status in results.items() if status == "deferred"]
    if deferred:
        send_deliveries.delay(deferred)
    return sum(status == "sent" for status in results.values())


@shared_task(name="notifications.send_delivery", acks_late=True, reject_on_worker_lost=True)
def send_delivery(delivery_id: int) -> str:
    """One row (messages queued by an older release; the scan now enqueues batches)."""
    try:
        return sending.send_delivery(delivery_id=delivery_id)
    except SoftTimeLimitExceeded:
        # The row stays SENDING; the sweeper re-queues it once it is surely abandoned.
        sending._drop_connection()
        return "timeout"


@shared_task(name="notifications.scan", acks_late=True)
def scan() -> int:
    """Beat: fan out due change notices, mark missed, claim and enqueue due sends, sweep."""
    queued = services.enqueue_due()
    services.sweep_stuck()
    return queued


@shared_task(name="notifications.plan", acks_late=True)
def plan() -> int:
    """Beat: materialise reminder rows for every active rule over its bounded horizon, and the
    next weekly digests."""
    return services.plan_all() + digests.plan_all_digests()


@shared_task(name="notifications.plan_rule", acks_late=True)
def plan_rule_task(rule_id: int) -> int:
    return services.plan_rule(rule_id=rule_id)


@shared_task(name="notifications.plan_event", acks_late=True)
def plan_event_task(event_id: int) -> int:
    """A new (or re-imported) event: plan every matching rule's reminders for it."""
    return services.plan_event(event_id=event_id)
