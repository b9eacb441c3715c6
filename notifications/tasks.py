"""Celery tasks: take ids, call one service, never pass model instances."""

from __future__ import annotations

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from notifications import sending, services


@shared_task(name="notifications.send_delivery", acks_late=True, reject_on_worker_lost=True)
def send_delivery(delivery_id: int) -> str:
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
    """Beat: materialise reminder rows for every active rule over its bounded horizon."""
    return services.plan_all()


@shared_task(name="notifications.plan_rule", acks_late=True)
def plan_rule_task(rule_id: int) -> int:
    return services.plan_rule(rule_id=rule_id)


@shared_task(name="notifications.plan_event", acks_late=True)
def plan_event_task(event_id: int) -> int:
    """A new (or re-imported) event: plan every matching rule's reminders for it."""
    return services.plan_event(event_id=event_id)
