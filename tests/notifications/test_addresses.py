"""Exactly once per recipient address, whatever number of rules cover it (defect 7)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from events import services as event_services
from events.models import Event
from notifications import ledger, planning, sending, subscriptions
from notifications.models import Delivery, ReminderRule
from tests.factories import CityFactory, ContactFactory, EventFactory, ParticipationFactory
from tests.notifications.conftest import utc

pytestmark = pytest.mark.django_db


def scan_and_send() -> dict[int, str]:
    ledger.enqueue_due(enqueue=lambda ids: None)
    queued = Delivery.objects.filter(status=Delivery.Status.QUEUED).values_list("pk", flat=True)
    return sending.send_deliveries(delivery_ids=list(queued))


@pytest.fixture
def covered_twice(app_clock):
    """One office covered by a city rule and an event rule, both 14 and 1 days before."""
    app_clock.move_to(utc(2030, 6, 1))
    city = CityFactory(timezone="UTC")
    event = EventFactory(
        kind=Event.Kind.COMMEMORATION, title_en="Fair", start=utc(2030, 6, 20, 10), end=None
    )
    ParticipationFactory(event=event, city=city)
    office = ContactFactory(timezone="UTC", language="en", email="office@twin.example")
    rules = [
        subscriptions.create_rule(
            contact_id=office.pk, target=ReminderRule.Target.CITY, city_id=city.pk
        ),
        subscriptions.create_rule(
            contact_id=office.pk, target=ReminderRule.Target.EVENT, event_id=event.pk
        ),
    ]
    for rule in rules:
        planning.plan_rule(rule_id=rule.pk)
    return event, rules


def test_two_rules_one_contact_plan_one_reminder_per_lead(covered_twice):
    _event, (city_rule, _event_rule) = covered_twice

    rows = Delivery.objects.filter(kind=Delivery.Kind.REMINDER).order_by("-lead_days")

    assert [(r.rule_id, r.lead_days, r.address_key) for r in rows] == [
        (city_rule.pk, 14, "office@twin.example"),
        (city_rule.pk, 1, "office@twin.example"),
    ]


def test_two_rules_one_contact_send_one_mail_per_reminder(covered_twice, app_clock):
    _event, rules = covered_twice
    for rule in rules:  # the periodic planner runs again: nothing new for either rule
        planning.plan_rule(rule_id=rule.pk)

    app_clock.move_to(utc(2030, 6, 6, 9, 1))
    scan_and_send()
    app_clock.move_to(utc(2030, 6, 19, 9, 1))
    scan_and_send()

    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["office@twin.example"], "Reminder: Fair in 14 days"),
        (["office@twin.example"], "Reminder: Fair tomorrow"),
    ]


def test_two_rules_one_contact_one_change_notice_and_one_cancel_notice(covered_twice, app_clock):
    event, rules = covered_twice

    event_services.update_event(event=event, location="Town hall")
    app_clock.move_to(utc(2030, 6, 1, 0, 10))  # past the debounce
    scan_and_send()
    event_services.cancel_event(event=event)
    app_clock.move_to(utc(2030, 6, 1, 0, 20))
    scan_and_send()

    assert [m.subject for m in mail.outbox] == ["Changed: Fair", "Cancelled: Fair"]
    notices = Delivery.objects.exclude(kind=Delivery.Kind.REMINDER).order_by("id")
    assert [(n.kind, n.rule_id, n.status) for n in notices] == [
        (Delivery.Kind.CHANGE, rules[0].pk, Delivery.Status.SENT),
        (Delivery.Kind.CANCEL, rules[0].pk, Delivery.Status.SENT),
    ]


def test_addresses_differing_in_case_are_one_recipient(app_clock):
    app_clock.move_to(utc(2030, 6, 1))
    EventFactory(kind=Event.Kind.COMMEMORATION, start=utc(2030, 6, 10, 10), end=None)
    upper = ContactFactory(timezone="UTC", email="Mayor@Twin.Example")
    lower = ContactFactory(timezone="UTC", email="mayor@twin.example ")
    rules = [
        subscriptions.create_rule(
            contact_id=contact.pk,
            target=ReminderRule.Target.EVENT_KIND,
            event_kind=Event.Kind.COMMEMORATION,
            lead_days=[1],
        )
        for contact in (upper, lower)
    ]
    for rule in rules:
        planning.plan_rule(rule_id=rule.pk)

    app_clock.move_to(utc(2030, 6, 9, 9, 1))
    scan_and_send()

    assert len(mail.outbox) == 1
    assert list(Delivery.objects.values_list("address_key", flat=True)) == ["mayor@twin.example"]


def test_address_constraint_refuses_a_second_live_row(covered_twice):
    event, (city_rule, event_rule) = covered_twice
    row = Delivery.objects.filter(rule=city_rule, lead_days=1).get()

    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(
            rule=event_rule,
            address_key=row.address_key,
            event=event,
            occurrence_key=row.occurrence_key,
            kind=Delivery.Kind.REMINDER,
            lead_days=1,
            due_at=row.due_at,
            next_attempt_at=row.due_at,
        )


def test_unsubscribing_one_rule_hands_the_reminder_to_the_other(covered_twice):
    _event, (city_rule, event_rule) = covered_twice

    subscriptions.unsubscribe(token=city_rule.unsubscribe_token)
    planning.plan_rule(rule_id=event_rule.pk)

    live = Delivery.objects.filter(status=Delivery.Status.PENDING).order_by("-lead_days")
    assert [(r.rule_id, r.lead_days) for r in live] == [(event_rule.pk, 14), (event_rule.pk, 1)]
