"""Celery tasks: take ids, call one service, never pass model instances."""

from __future__ import annotations

from celery.exceptions import SoftTimeLimitExceeded

from notifications import sending, services
from worker.celery import app


@app.task(name="notifications.send_delivery", acks_late=True, reject_on_worker_lost=True)
def send_delivery(delivery_id: int) -> str:
    try:
        return sending.send_delivery(delivery_id=delivery_id)
    except SoftTimeLimitExceeded:
        # The row stays SENDING; the sweeper re-queues it once it is surely abandoned.
        sending._drop_connection()
        return "timeout"


@app.task(name="notifications.scan", acks_late=True)
def scan() -> int:
    """Beat: fan out due change notices, mark missed, claim and enqueue due sends, sweep."""
    queued = services.enqueue_due()
    services.sweep_stuck()
    return queued


@app.task(name="notifications.plan", acks_late=True)
def plan() -> int:
    """Beat: materialise reminder rows for every active rule over its bounded horizon."""
    return services.plan_all()


@app.task(name="notifications.plan_rule", acks_late=True)
def plan_rule_task(rule_id: int) -> int:
    return services.plan_rule(rule_id=rule_id)
