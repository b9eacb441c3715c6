"""End to end on real processes (own redis-server, celery worker and beat subprocesses, an
aiosmtpd sink): a move while reminders are queued, and two rules covering one office."""

from __future__ import annotations

import datetime as dt

import pytest
import redis
from celery import Celery

from events import services as event_services
from events.models import Event
from notifications import ledger, subscriptions
from notifications.models import Delivery, ReminderRule
from tests.factories import CityFactory, ContactFactory, EventFactory, ParticipationFactory
from tests.notifications.conftest import utc
from tests.notifications.procs import wait_for
from tests.notifications.test_pipeline import parts, received

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

SETTLED = [
    Delivery.Status.SENT,
    Delivery.Status.SKIPPED,
    Delivery.Status.MISSED,
    Delivery.Status.SUPERSEDED,
]


def settled() -> bool:
    return not Delivery.objects.exclude(status__in=SETTLED).exists()


def broker_drained(url: str, queue: str) -> bool:
    """No send task waiting or running: the queue is empty and nothing is unacknowledged
    (tasks are acks_late, so a message stays unacked until its task has finished)."""
    client = redis.Redis.from_url(url)
    return client.llen(queue) == 0 and client.hlen("unacked") == 0


def test_pipeline_move_while_queued_sends_once_at_new_time(
    make_pipeline, smtp, private_redis, app_clock
):
    app_clock.move_to(utc(2030, 6, 1))
    city = CityFactory(timezone="UTC", name_en="Springfield")
    event = EventFactory(
        kind=Event.Kind.COMMEMORATION,
        title_en="Wreath laying",
        start=utc(2030, 6, 10, 10),
        end=None,
    )
    ParticipationFactory(event=event, city=city)
    office = ContactFactory(timezone="UTC", language="en", email="office@move.example")
    from notifications import subscriptions

    subscriptions.create_rule(
        contact_id=office.pk, target=ReminderRule.Target.CITY, city_id=city.pk, lead_days=[1]
    )  # planned on commit
    [old] = Delivery.objects.filter(kind=Delivery.Kind.REMINDER)
    assert old.due_at == utc(2030, 6, 9, 9)

    pipeline = make_pipeline(private_redis.url, smtp.port)
    # The beat scan as the worker would run it, before any worker is up: the row is claimed
    # (QUEUED) and its send task is a real message waiting in Redis.
    # Not the current app: shared tasks in this process must stay on the eager test app.
    producer = Celery("scan", broker=private_redis.url, set_as_current=False)
    app_clock.move_to(utc(2030, 6, 9, 9, 1))
    ledger.enqueue_due(
        enqueue=lambda ids: producer.send_task(
            "notifications.send_deliveries", args=[ids], queue=pipeline.env["CELERY_QUEUE"]
        )
    )
    old.refresh_from_db()
    assert old.status == Delivery.Status.QUEUED
    assert redis.Redis.from_url(private_redis.url).llen(pipeline.env["CELERY_QUEUE"]) == 1

    event_services.update_event(event=event, start=utc(2030, 6, 12, 10))  # three days away
    pipeline.start_worker()
    pipeline.start_beat()
    wait_for(
        lambda: broker_drained(private_redis.url, pipeline.env["CELERY_QUEUE"]),
        20,
        "the worker to take the old send task",
    )
    old.refresh_from_db()
    assert (old.status, old.last_error) == (Delivery.Status.SUPERSEDED, "superseded: event moved")
    assert smtp.handler.count() == 0  # nothing left at the old time

    # The change notice (after the 60 s debounce) and, at the new due time, one reminder.
    app_clock.move_to(utc(2030, 6, 9, 9, 3))
    [notice] = received(smtp, 1, timeout=20)
    assert str(notice["Subject"]).strip() == "Changed: Wreath laying"
    app_clock.move_to(utc(2030, 6, 11, 8, 50))
    assert smtp.handler.count() == 1
    app_clock.move_to(utc(2030, 6, 11, 9, 1))
    messages = received(smtp, 2, timeout=20)
    reminder = messages[1]
    assert reminder["To"] == office.email
    assert str(reminder["Subject"]).strip() == "Reminder: Wreath laying tomorrow"
    assert "Wednesday, 12 June 2030, 10:00 (UTC, UTC+00:00)" in parts(reminder)["text/plain"]

    wait_for(settled, 15, "the ledger to settle")
    assert smtp.handler.count() == 2
    assert list(
        Delivery.objects.filter(kind=Delivery.Kind.REMINDER)
        .order_by("id")
        .values_list("status", "due_at")
    ) == [
        (Delivery.Status.SUPERSEDED, utc(2030, 6, 9, 9)),
        (Delivery.Status.SENT, utc(2030, 6, 11, 9)),
    ]


def test_pipeline_two_rules_one_office_one_mail_per_occurrence_and_kind(
    make_pipeline, smtp, private_redis, app_clock
):
    app_clock.move_to(utc(2030, 1, 4))
    city = CityFactory(timezone="UTC")
    event = EventFactory(
        kind=Event.Kind.COMMEMORATION,
        title_en="Weekly call",
        start=utc(2030, 1, 6, 10),
        end=None,
        rrule="FREQ=WEEKLY;COUNT=2",
    )
    ParticipationFactory(event=event, city=city)
    office = ContactFactory(timezone="UTC", language="en", email="Office@Twice.example")
    for target in (
        {"target": "city", "city_id": city.pk},
        {"target": "event", "event_id": event.pk},
    ):
        subscriptions.create_rule(contact_id=office.pk, lead_days=[1], **target)
    assert Delivery.objects.filter(kind=Delivery.Kind.REMINDER).count() == 2  # not 4

    pipeline = make_pipeline(private_redis.url, smtp.port, plan_seconds=2)
    pipeline.start_worker()
    pipeline.start_beat()

    for count, due in enumerate((utc(2030, 1, 5, 9, 1), utc(2030, 1, 12, 9, 1)), start=1):
        app_clock.move_to(due - dt.timedelta(minutes=10))
        assert smtp.handler.count() == count - 1
        app_clock.move_to(due)
        messages = received(smtp, count, timeout=20)
        assert str(messages[-1]["Subject"]).strip() == "Reminder: Weekly call tomorrow"

    # A change after the first call: one notice to the office, not one per rule.
    app_clock.move_to(utc(2030, 1, 12, 12))
    event_services.update_event(event=event, location="Town hall")
    app_clock.move_to(utc(2030, 1, 12, 12, 2))
    messages = received(smtp, 3, timeout=20)
    assert str(messages[-1]["Subject"]).strip() == "Changed: Weekly call"

    wait_for(settled, 15, "the ledger to settle")
    assert smtp.handler.count() == 3
    assert sorted(m["To"] for m in smtp.handler.snapshot()) == [office.email] * 3
