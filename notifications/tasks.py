"""Celery tasks: take ids, call one service, never pass model instances."""

from __future__ import annotations

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from notifications import digests, ledger, planning, proposal_mail, sending, transport


@shared_task(name="notifications.send_deliveries", acks_late=True, reject_on_worker_lost=True)
def send_deliveries(delivery_ids: list[int]) -> int:
    """Send a batch of queued rows (each claimed on its own); see sending.send_task_batch."""
    return sending.send_task_batch(delivery_ids=[int(pk) for pk in delivery_ids])


@shared_task(name="notifications.send_delivery", acks_late=True, reject_on_worker_lost=True)
def send_delivery(delivery_id: int) -> str:
    """One row (messages queued by an older release; the scan now enqueues batches)."""
    try:
        return sending.send_delivery(delivery_id=delivery_id)
    except SoftTimeLimitExceeded:
        # The row stays SENDING; the sweeper re-queues it once it is surely abandoned.
        transport.drop_connection()
        return "timeout"


@shared_task(name="notifications.scan", acks_late=True)
def scan() -> int:
    """Beat: fan out due change notices, mark missed, claim and enqueue due sends, sweep."""
    queued = ledger.enqueue_due()
    ledger.sweep_stuck()
    return queued


@shared_task(name="notifications.plan", acks_late=True)
def plan() -> int:
    """Beat: reminder rows for every active rule over its horizon, and the next digests."""
    return planning.plan_all() + digests.plan_all_digests()


@shared_task(name="notifications.plan_rule", acks_late=True)
def plan_rule_task(rule_id: int) -> int:
    return planning.plan_requested_rule(rule_id=rule_id)


@shared_task(name="notifications.plan_event", acks_late=True)
def plan_event_task(event_id: int) -> int:
    """A new (or re-imported) event: plan every matching rule's reminders for it."""
    return planning.plan_requested_event(event_id=event_id)


@shared_task(name="notifications.plan_events", acks_late=True)
def plan_events_task(event_ids: list[int]) -> int:
    """Many new events (an import): plan each as plan_event does."""
    return sum(planning.plan_requested_event(event_id=int(pk)) for pk in event_ids)


@shared_task(name="notifications.send_proposal_notice", acks_late=True)
def send_proposal_notice(proposal_id: int) -> int:
    """Tell the host team of a partner's proposed change (at most once per proposal)."""
    return proposal_mail.send_proposal_notice(proposal_id=int(proposal_id))
