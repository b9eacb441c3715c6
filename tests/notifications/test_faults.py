"""Fault tests: each starts its own redis-server and SMTP server, then breaks something.

"Exactly once" is checked on what the SMTP server received, deduplicated by Message-ID the
way a receiving server does. Only ``kill -9`` can open the documented window (accepted by
SMTP, process killed before the row was marked SENT), so only that test allows a raw repeat
-- with the same Message-ID, at most one per killed pool process.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from common import clock
from events.models import Contact, Event
from notifications import recipients
from notifications.models import Delivery, ReminderRule
from tests.factories import EventFactory
from tests.notifications.procs import wait_for

pytestmark = [pytest.mark.fault, pytest.mark.timeout(120)]


def due_batch(size: int) -> list[Delivery]:
    """``size`` contacts, each with a rule and a 1-day reminder that is due now."""
    now = clock.now()
    event = EventFactory(
        kind=Event.Kind.FORUM, start=now + dt.timedelta(days=1), end=None, title_en="Forum"
    )
    contacts = Contact.objects.bulk_create(
        Contact(name=f"Office {i}", email=f"office{i}@batch.example", timezone="UTC")
        for i in range(size)
    )
    rules = ReminderRule.objects.bulk_create(
        ReminderRule(
            contact=c, target=ReminderRule.Target.EVENT, event=event, lead_days=[1], hour=0
        )
        for c in contacts
    )
    # What the planner computes: 00:00 UTC on the day before the event, i.e. today.
    due = recipients.Recipient.of_rule(rules[0]).due(event.start.date(), 1)
    assert due <= now
    return Delivery.objects.bulk_create(
        Delivery(
            rule=rule,
            address_key=rule.contact.email,
            event=event,
            # What the planner writes for a one-off event: "@<start>".
            occurrence_key=f"@{event.start:%Y%m%dT%H%M%SZ}",
            kind=Delivery.Kind.REMINDER,
            lead_days=1,
            due_at=due,
            next_attempt_at=due,
            occurrence_start=event.start,
        )
        for rule in rules
    )


def sent_count() -> int:
    return Delivery.objects.filter(status=Delivery.Status.SENT).count()


def ledger_summary() -> str:
    rows = Delivery.objects.values_list("status", "attempts", "last_error")
    return str(Counter((s, a, e[:60]) for s, a, e in rows).most_common(8))


def settle(expected_sent: int, timeout: float = 75) -> None:
    try:
        wait_for(lambda: sent_count() >= expected_sent, timeout, f"{expected_sent} SENT", 0.25)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; ledger: {ledger_summary()}") from None


def assert_once_each(smtp, rows: list[Delivery], *, allowed_repeats: int = 0) -> None:
    messages = smtp.handler.snapshot()
    ids_by_recipient: dict[str, set[str]] = {}
    for message in messages:
        ids_by_recipient.setdefault(str(message["To"]), set()).add(str(message["Message-ID"]))
    ledger = {
        row.email: row.message_id
        for row in Delivery.objects.filter(pk__in=[r.pk for r in rows], status="sent")
    }
    # Deduplicated by Message-ID: every sent row arrived once, nobody got two different mails.
    assert {to: ids for to, ids in ids_by_recipient.items() if len(ids) != 1} == {}
    assert {to: next(iter(ids)) for to, ids in ids_by_recipient.items()} == ledger
    repeats = sum(n - 1 for n in Counter(str(m["Message-ID"]) for m in messages).values())
    assert repeats <= allowed_repeats


def test_kill_worker_mid_batch_every_reminder_arrives_once(make_pipeline, private_redis, smtp):
    rows = due_batch(500)
    pipeline = make_pipeline(private_redis.url, smtp.port)
    worker = pipeline.start_worker(concurrency=2)
    pipeline.start_beat()
    wait_for(lambda: smtp.handler.count() >= 100, 60, "the batch to be under way")

    pipeline.kill(worker)  # kill -9 the worker and its pool processes, mid-batch
    assert smtp.handler.count() < 500
    pipeline.start_worker(concurrency=2)

    settle(500)
    assert_once_each(smtp, rows, allowed_repeats=2)


def test_smtp_451_then_recovery_delivers_all_once(make_pipeline, private_redis, smtp):
    smtp.handler.busy = True
    rows = due_batch(40)
    pipeline = make_pipeline(private_redis.url, smtp.port)
    pipeline.start_worker()
    pipeline.start_beat()
    wait_for(
        lambda: Delivery.objects.filter(attempts__gte=2).count() >= 10,
        60,
        "retries with backoff",
        0.25,
    )
    assert sent_count() == 0

    smtp.handler.busy = False
    settle(40)
    assert smtp.handler.count() == 40
    assert_once_each(smtp, rows)
    assert Delivery.objects.filter(attempts__gte=2).count() >= 10


def test_smtp_550_for_one_address_fails_it_and_delivers_the_rest(
    make_pipeline, private_redis, smtp
):
    rows = due_batch(20)
    smtp.handler.refuse["office7@batch.example"] = "550 5.1.1 No such mailbox"
    pipeline = make_pipeline(private_redis.url, smtp.port)
    pipeline.start_worker()
    pipeline.start_beat()

    settle(19)
    wait_for(
        lambda: Delivery.objects.filter(status=Delivery.Status.FAILED).exists(), 30, "a failure"
    )
    failed = Delivery.objects.get(status=Delivery.Status.FAILED)
    assert failed.rule.contact.email == "office7@batch.example"
    assert "550" in failed.last_error
    assert failed.attempts == 1
    assert smtp.handler.count() == 19
    assert_once_each(smtp, rows)


def test_redis_restart_mid_run_loses_nothing(make_pipeline, private_redis, smtp):
    rows = due_batch(300)
    pipeline = make_pipeline(private_redis.url, smtp.port)
    pipeline.start_worker()
    pipeline.start_beat()
    wait_for(lambda: smtp.handler.count() >= 30, 60, "the batch to be under way")

    private_redis.stop()  # no persistence: every queued message is gone
    private_redis.start()

    settle(300, timeout=90)
    assert smtp.handler.count() == 300
    assert_once_each(smtp, rows)


def test_two_beats_give_no_duplicates(make_pipeline, private_redis, smtp):
    rows = due_batch(200)
    pipeline = make_pipeline(private_redis.url, smtp.port)
    pipeline.start_beat()
    pipeline.start_beat()
    pipeline.start_worker()

    settle(200)
    assert smtp.handler.count() == 200
    assert_once_each(smtp, rows)
