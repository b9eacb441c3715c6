"""Reminder mails in the recipient's language show the Russian venue and place (the English
ones where no Russian value is given)."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.core import mail

from notifications import ledger, planning, sending, subscriptions
from notifications.models import Delivery, ReminderRule
from tests.events.test_russian_content import make_ceremony, make_cities
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture
def cities(db):
    return make_cities()


@pytest.fixture
def ceremony(cities):
    return make_ceremony(*cities)


def test_russian_reminder_mail_shows_russian_venue_and_place(app_clock, ceremony, cities):
    magadan, anchorage = cities
    ceremony.participations.filter(city=anchorage).update(venue_ru="Мэрия")
    contact = ContactFactory(city=anchorage, timezone="America/Anchorage", language="ru")
    rule = subscriptions.create_rule(
        contact_id=contact.pk, target=ReminderRule.Target.CITY, city_id=magadan.pk, lead_days=[1]
    )
    app_clock.move_to(dt.datetime(2030, 5, 7, 17, 1, tzinfo=UTC))
    planning.plan_rule(rule_id=rule.pk)
    ledger.enqueue_due(enqueue=lambda pk: None)
    delivery = Delivery.objects.get(rule=rule)

    assert sending.send_delivery(delivery_id=delivery.pk) == Delivery.Status.SENT

    [message] = mail.outbox
    assert "Маска скорби" in message.body
    assert "Место: сопка Крутая" in message.body
    assert "Mask of Sorrow" not in message.body
    assert "Маска скорби" in message.alternatives[0].content
    [(_name, content, _mimetype)] = message.attachments
    [vevent] = icalendar.Calendar.from_ical(content).walk("VEVENT")
    # The invitation is the recipient's city's copy: Anchorage's venue, in Russian.
    assert str(vevent["LOCATION"]) == "Мэрия, Анкоридж"


def test_english_reminder_mail_shows_english_venue(app_clock, ceremony, cities):
    magadan, anchorage = cities
    contact = ContactFactory(city=anchorage, timezone="America/Anchorage", language="en")
    rule = subscriptions.create_rule(
        contact_id=contact.pk, target=ReminderRule.Target.CITY, city_id=magadan.pk, lead_days=[1]
    )
    app_clock.move_to(dt.datetime(2030, 5, 7, 17, 1, tzinfo=UTC))
    planning.plan_rule(rule_id=rule.pk)
    ledger.enqueue_due(enqueue=lambda pk: None)
    sending.send_delivery(delivery_id=Delivery.objects.get(rule=rule).pk)

    [message] = mail.outbox
    assert "Mask of Sorrow" in message.body
    assert "Krutaya Hill" in message.body
