"""A moved event or occurrence: no mail at the old time, one at the new time, worded from the
event as it is when the mail leaves (defect 6)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from events import services as event_services
from events.models import Event
from notifications import ledger, planning, sending, subscriptions
from notifications.models import Delivery, ReminderRule
from tests.factories import ContactFactory, EventFactory
from tests.notifications.conftest import utc

pytestmark = pytest.mark.django_db


def make_rule(**fields) -> ReminderRule:
    contact = ContactFactory(timezone="UTC", language="en")
    fields.setdefault("target", ReminderRule.Target.EVENT_KIND)
    fields.setdefault("event_kind", Event.Kind.COMMEMORATION)
    rule = subscriptions.create_rule(contact_id=contact.pk, **fields)
    planning.plan_rule(rule_id=rule.pk)  # the on-commit planning does not run in a test
    return rule


def scan() -> list[int]:
    """The beat scan; the rows it queued (its enqueue runs on commit, which a test never does)."""
    ledger.enqueue_due(enqueue=lambda ids: None)
    return list(Delivery.objects.filter(status=Delivery.Status.QUEUED).values_list("pk", flat=True))


def scan_and_send() -> dict[int, str]:
    return sending.send_deliveries(delivery_ids=scan())


def live_reminders(rule: ReminderRule) -> list[Delivery]:
    return list(
        Delivery.objects.filter(rule=rule, kind=Delivery.Kind.REMINDER)
        .exclude(status=Delivery.Status.SUPERSEDED)
        .order_by("due_at")
    )


def test_moved_one_off_event_with_queued_reminder_sends_once_at_new_time(app_clock):
    app_clock.move_to(utc(2030, 6, 1))
    event = EventFactory(
        kind=Event.Kind.COMMEMORATION, title_en="Wreaths", start=utc(2030, 6, 10, 10), end=None
    )
    rule = make_rule(lead_days=[1])
    app_clock.move_to(utc(2030, 6, 9, 9, 1))
    queued = scan()  # the old reminder is in the broker

    event_services.update_event(event=event, start=utc(2030, 6, 12, 10))  # three days away
    results = sending.send_deliveries(delivery_ids=queued)

    assert mail.outbox == []
    [old] = Delivery.objects.filter(pk__in=queued)
    assert (old.status, old.last_error) == (Delivery.Status.SUPERSEDED, "superseded: event moved")
    assert results == {old.pk: "noop"}
    [new] = live_reminders(rule)
    assert (new.status, new.due_at, new.occurrence_start) == (
        Delivery.Status.PENDING,
        utc(2030, 6, 11, 9),
        utc(2030, 6, 12, 10),
    )

    app_clock.move_to(utc(2030, 6, 11, 9, 1))
    scan_and_send()  # the new reminder, and the change notice (its debounce is over)
    assert sorted(m.subject for m in mail.outbox) == [
        "Changed: Wreaths",
        "Reminder: Wreaths tomorrow",
    ]
    [message] = [m for m in mail.outbox if m.subject.startswith("Reminder")]
    assert "Wednesday, 12 June 2030, 10:00 (UTC, UTC+00:00)" in message.body


def test_send_refuses_reminder_the_planner_did_not_see_move(app_clock):
    """An edit that reached the database without the notifications hook (a bulk fix, an
    import): the sender still compares the row with the event and plans the right row."""
    app_clock.move_to(utc(2030, 6, 1))
    event = EventFactory(kind=Event.Kind.COMMEMORATION, start=utc(2030, 6, 10, 10), end=None)
    rule = make_rule(lead_days=[1])
    app_clock.move_to(utc(2030, 6, 9, 9, 1))
    queued = scan()
    Event.objects.filter(pk=event.pk).update(start=utc(2030, 6, 12, 10))

    assert sending.send_deliveries(delivery_ids=queued) == {queued[0]: "superseded"}

    assert mail.outbox == []
    assert Delivery.objects.get(pk=queued[0]).last_error == "superseded: event moved"
    [new] = live_reminders(rule)
    assert (new.status, new.due_at) == (Delivery.Status.PENDING, utc(2030, 6, 11, 9))


def test_moved_single_occurrence_gets_new_reminder_and_others_keep_theirs(app_clock):
    app_clock.move_to(utc(2030, 1, 10))
    event = EventFactory(
        kind=Event.Kind.COMMEMORATION,
        title_en="Weekly call",
        start=utc(2030, 1, 6, 10),
        end=None,
        rrule="FREQ=WEEKLY",
    )
    rule = make_rule(lead_days=[1])
    app_clock.move_to(utc(2030, 1, 12, 9, 1))
    queued = scan()  # the 13 January reminder is queued

    event_services.change_occurrence(
        event=event, original_start=dt.datetime(2030, 1, 13, 10), start=utc(2030, 1, 15, 10)
    )
    sending.send_deliveries(delivery_ids=queued)

    assert mail.outbox == []
    assert [(r.occurrence_key, r.due_at, r.status) for r in live_reminders(rule)] == [
        ("20300113T100000Z@20300115T100000Z", utc(2030, 1, 14, 9), Delivery.Status.PENDING),
        ("20300120T100000Z@20300120T100000Z", utc(2030, 1, 19, 9), Delivery.Status.PENDING),
    ]
    app_clock.move_to(utc(2030, 1, 14, 9, 1))
    scan_and_send()
    assert sorted(m.subject for m in mail.outbox) == [
        "Changed: Weekly call",
        "Reminder: Weekly call tomorrow",
    ]
    [message] = [m for m in mail.outbox if m.subject.startswith("Reminder")]
    assert "Tuesday, 15 January 2030, 10:00" in message.body


def test_occurrence_moved_back_is_planned_again(app_clock):
    """A superseded row gives its key back: moving there and back plans a fresh row."""
    app_clock.move_to(utc(2030, 6, 1))
    event = EventFactory(kind=Event.Kind.COMMEMORATION, start=utc(2030, 6, 10, 10), end=None)
    rule = make_rule(lead_days=[1])

    event_services.update_event(event=event, start=utc(2030, 6, 10, 11))
    event_services.update_event(event=event, start=utc(2030, 6, 10, 10))

    [row] = live_reminders(rule)
    assert (row.occurrence_key, row.status) == ("@20300610T100000Z", Delivery.Status.PENDING)


@pytest.mark.parametrize(
    ("sent_at", "phrase"),
    [
        (utc(2030, 6, 7, 9, 1), "in 3 days"),  # on time
        (utc(2030, 6, 9, 12), "tomorrow"),  # retried two days late
        (utc(2030, 6, 10, 8), "today"),
    ],
)
def test_reminder_wording_comes_from_send_time(app_clock, sent_at, phrase):
    app_clock.move_to(utc(2030, 6, 1))
    EventFactory(
        kind=Event.Kind.COMMEMORATION, title_en="Fair", start=utc(2030, 6, 10, 10), end=None
    )
    make_rule(lead_days=[3])
    app_clock.move_to(sent_at)

    assert list(scan_and_send().values()) == [Delivery.Status.SENT]

    [message] = mail.outbox
    assert message.subject == f"Reminder: Fair {phrase}"
    assert f'"Fair" takes place {phrase}.' in message.body
