"""Planning reminders: local hour across the date line and DST, recurrence, debounce, missed."""

from __future__ import annotations

import datetime as dt

import pytest

from events import services as event_services
from events.models import Event
from notifications import ledger, planning, subscriptions
from notifications.models import ChangeNotice, Delivery, ReminderRule
from tests.factories import CityFactory, ContactFactory, EventFactory, ParticipationFactory
from tests.notifications.conftest import utc

pytestmark = pytest.mark.django_db


def make_rule(contact, **fields) -> ReminderRule:
    fields.setdefault("target", ReminderRule.Target.EVENT_KIND)
    fields.setdefault("event_kind", Event.Kind.COMMEMORATION)
    return subscriptions.create_rule(contact_id=contact.pk, **fields)


def reminder_rows(rule):
    return list(Delivery.objects.filter(rule=rule, kind=Delivery.Kind.REMINDER).order_by("due_at"))


def test_plan_rule_one_day_before_across_date_line(index_mode):  # from the index and expanded
    magadan = CityFactory(slug="magadan", timezone="Asia/Magadan", country="RU")
    anchorage = CityFactory(slug="anchorage", timezone="America/Anchorage")
    # 10:00 on 9 May in Magadan (UTC+11) is 15:00 on 8 May in Anchorage (UTC-8).
    event = EventFactory(
        kind=Event.Kind.COMMEMORATION,
        timezone="Asia/Magadan",
        start=utc(2030, 5, 8, 23, 0),
        end=None,
    )
    ParticipationFactory(event=event, city=magadan)
    contact = ContactFactory(city=anchorage, timezone="America/Anchorage")
    rule = make_rule(contact, lead_days=[1])

    planning.plan_rule(rule_id=rule.pk, now=utc(2030, 5, 6))

    [row] = reminder_rows(rule)
    assert row.due_at == utc(2030, 5, 7, 17, 0)  # 7 May 09:00 in Anchorage
    assert row.occurrence_start == utc(2030, 5, 8, 23, 0)
    assert row.status == Delivery.Status.PENDING


def test_plan_rule_keeps_local_hour_across_dst(index_mode):  # from the index and expanded
    # New York springs forward on 10 March 2030: 09:00 is 13:00 UTC after, 14:00 UTC before.
    EventFactory(kind=Event.Kind.COMMEMORATION, start=utc(2030, 3, 11, 15, 0), end=None)
    contact = ContactFactory(timezone="America/New_York")
    rule = make_rule(contact, lead_days=[1, 14])

    planning.plan_rule(rule_id=rule.pk, now=utc(2030, 2, 20))

    assert [row.due_at for row in reminder_rows(rule)] == [
        utc(2030, 2, 25, 14, 0),
        utc(2030, 3, 10, 13, 0),
    ]


def test_plan_rule_contact_city_instant_in_local_mode(index_mode):  # from the index and expanded
    moscow = CityFactory(slug="moscow", timezone="Europe/Moscow", country="RU")
    chicago = CityFactory(slug="chicago", timezone="America/Chicago")
    # "Same local time everywhere": 12:00 in Moscow and 12:00 in Chicago.
    event = EventFactory(
        kind=Event.Kind.COMMEMORATION,
        timezone="Europe/Moscow",
        time_mode=Event.TimeMode.LOCAL,
        start=utc(2030, 6, 1, 9, 0),
        end=None,
    )
    ParticipationFactory(event=event, city=moscow)
    ParticipationFactory(event=event, city=chicago)
    contact = ContactFactory(city=chicago, timezone="America/Chicago")
    rule = make_rule(contact, lead_days=[1])

    planning.plan_rule(rule_id=rule.pk, now=utc(2030, 5, 28))

    [row] = reminder_rows(rule)
    assert row.occurrence_start == utc(2030, 6, 1, 17, 0)  # 12:00 CDT
    assert row.due_at == utc(2030, 5, 31, 14, 0)  # 09:00 CDT the day before


def test_plan_rule_recurring_skips_cancelled_occurrence(index_mode):  # from the index and expanded
    event = EventFactory(
        kind=Event.Kind.COMMEMORATION,
        start=utc(2030, 1, 6, 10, 0),
        end=None,
        rrule="FREQ=WEEKLY",
    )
    event_services.change_occurrence(
        event=event, original_start=dt.datetime(2030, 1, 20, 10, 0), cancelled=True
    )
    contact = ContactFactory(timezone="UTC")
    rule = make_rule(contact, lead_days=[14])

    planning.plan_rule(rule_id=rule.pk, now=utc(2030, 1, 1))

    keys = [row.occurrence_key for row in reminder_rows(rule)]
    # "<recurrence id>@<actual start>": unmoved instances start at their recurrence id.
    assert keys == ["20300106T100000Z@20300106T100000Z", "20300113T100000Z@20300113T100000Z"]


def test_plan_rule_is_idempotent_and_late_subscriber_gets_one():
    EventFactory(kind=Event.Kind.COMMEMORATION, start=utc(2030, 6, 10, 10, 0), end=None)
    contact = ContactFactory(timezone="UTC")
    rule = make_rule(contact)  # 14 days and 1 day

    # Subscribed 3 days before: the 14-day reminder is already past, only one is sent.
    planning.plan_rule(rule_id=rule.pk, now=utc(2030, 6, 7))
    planning.plan_rule(rule_id=rule.pk, now=utc(2030, 6, 7, 1))

    rows = reminder_rows(rule)
    assert [(r.lead_days, r.status) for r in rows] == [
        (14, Delivery.Status.SKIPPED),
        (1, Delivery.Status.PENDING),
    ]


def test_plan_rule_ignores_tentative_and_inactive():
    EventFactory(
        kind=Event.Kind.COMMEMORATION,
        status=Event.Status.TENTATIVE,
        start=utc(2030, 6, 10, 10, 0),
        end=None,
    )
    contact = ContactFactory(timezone="UTC")
    rule = make_rule(contact)
    planning.plan_rule(rule_id=rule.pk, now=utc(2030, 6, 1))
    assert reminder_rows(rule) == []


def test_record_event_change_debounces_and_replans(app_clock, django_capture_on_commit_callbacks):
    app_clock.move_to(utc(2030, 6, 1))
    event = EventFactory(kind=Event.Kind.COMMEMORATION, start=utc(2030, 6, 10, 10, 0), end=None)
    contact = ContactFactory(timezone="UTC")
    rule = make_rule(contact, lead_days=[1])
    planning.plan_rule(rule_id=rule.pk)

    for hour in (11, 12, 13):  # a burst of three edits
        event_services.update_event(event=event, start=utc(2030, 6, 10, hour, 0))

    assert ChangeNotice.objects.filter(event=event).count() == 1
    rows = reminder_rows(rule)
    # Each move supersedes the row for the old time (kept as history) and plans a new one.
    assert [r.status for r in rows].count(Delivery.Status.SUPERSEDED) == 3
    [row] = [r for r in rows if r.status == Delivery.Status.PENDING]
    assert row.due_at == utc(2030, 6, 9, 9, 0)
    assert row.occurrence_start == utc(2030, 6, 10, 13, 0)

    queued: list[int] = []
    app_clock.move_to(utc(2030, 6, 1, 0, 10))  # past the debounce
    with django_capture_on_commit_callbacks(execute=True):
        ledger.enqueue_due(enqueue=queued.extend)

    notices = Delivery.objects.filter(kind=Delivery.Kind.CHANGE)
    assert [(n.rule_id, n.sequence, n.status) for n in notices] == [
        (rule.pk, 3, Delivery.Status.QUEUED)
    ]
    assert queued == [notices[0].pk]
    assert ChangeNotice.objects.get().status == ChangeNotice.Status.DONE


def test_cancel_event_drops_pending_reminders_and_sends_cancel_notice(app_clock):
    app_clock.move_to(utc(2030, 6, 1))
    event = EventFactory(kind=Event.Kind.COMMEMORATION, start=utc(2030, 6, 10, 10, 0), end=None)
    contact = ContactFactory(timezone="UTC")
    rule = make_rule(contact, lead_days=[1])
    planning.plan_rule(rule_id=rule.pk)

    event_services.cancel_event(event=event)
    app_clock.move_to(utc(2030, 6, 1, 1))
    ledger.enqueue_due(enqueue=lambda pk: None)

    assert [(d.kind, d.status) for d in Delivery.objects.filter(rule=rule)] == [
        (Delivery.Kind.CANCEL, Delivery.Status.QUEUED)
    ]


def test_enqueue_due_marks_started_occurrences_missed():
    EventFactory(kind=Event.Kind.COMMEMORATION, start=utc(2030, 6, 10, 10, 0), end=None)
    contact = ContactFactory(timezone="UTC")
    rule = make_rule(contact, lead_days=[1])
    planning.plan_rule(rule_id=rule.pk, now=utc(2030, 6, 1))
    queued: list[int] = []

    ledger.enqueue_due(now=utc(2030, 6, 10, 11), enqueue=queued.extend)

    assert queued == []
    assert [r.status for r in reminder_rows(rule)] == [Delivery.Status.MISSED]


def test_enqueue_due_claims_each_row_once(django_capture_on_commit_callbacks):
    EventFactory(kind=Event.Kind.COMMEMORATION, start=utc(2030, 6, 10, 10, 0), end=None)
    rule = make_rule(ContactFactory(timezone="UTC"))
    planning.plan_rule(rule_id=rule.pk, now=utc(2030, 5, 20))
    first: list[int] = []
    second: list[int] = []

    with django_capture_on_commit_callbacks(execute=True):
        ledger.enqueue_due(now=utc(2030, 6, 9, 12), enqueue=first.extend)
        ledger.enqueue_due(now=utc(2030, 6, 9, 12), enqueue=second.extend)

    assert len(first) == 2
    assert second == []


def test_sweep_stuck_requeues_abandoned_rows(settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_SENDING_STALE_SECONDS = 0
    settings.NOTIFICATIONS_QUEUED_STALE_SECONDS = 3600
    EventFactory(kind=Event.Kind.COMMEMORATION, start=utc(2030, 6, 10, 10, 0), end=None)
    rule = make_rule(ContactFactory(timezone="UTC"), lead_days=[1])
    planning.plan_rule(rule_id=rule.pk, now=utc(2030, 6, 1))
    ledger.enqueue_due(now=utc(2030, 6, 9, 12), enqueue=lambda pk: None)
    [row] = reminder_rows(rule)
    assert ledger.claim_for_send(delivery_id=row.pk) is not None  # then the worker died
    requeued: list[int] = []

    with django_capture_on_commit_callbacks(execute=True):
        assert ledger.sweep_stuck(enqueue=requeued.extend) == 1

    assert requeued == [row.pk]
    row.refresh_from_db()
    assert row.status == Delivery.Status.QUEUED


def test_backoff_grows_and_is_capped(settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 10
    settings.NOTIFICATIONS_RETRY_MAX_SECONDS = 100
    steps = [ledger.backoff(n).total_seconds() for n in (1, 2, 3, 10)]
    assert 5 <= steps[0] <= 10
    assert 10 <= steps[1] <= 20
    assert 20 <= steps[2] <= 40
    assert 50 <= steps[3] <= 100
