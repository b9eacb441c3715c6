"""Building and sending one ledger row (Django's locmem backend stands in for SMTP here;
the integration tests use a real SMTP server)."""

from __future__ import annotations

import smtplib

import icalendar
import pytest
from django.core import mail

from events.models import Event
from notifications import emails, ledger, planning, sending, subscriptions, transport
from notifications.models import Delivery, ReminderRule
from tests.factories import CityFactory, ContactFactory, EventFactory, ParticipationFactory
from tests.notifications.conftest import utc

pytestmark = pytest.mark.django_db


@pytest.fixture
def due_reminder(app_clock):
    """A 1-day reminder for a Magadan ceremony, queued for a Russian-speaking office."""
    magadan = CityFactory(slug="magadan", timezone="Asia/Magadan", country="RU",
                          name_en="Magadan", name_native="Магадан")  # fmt: skip
    anchorage = CityFactory(slug="anchorage", timezone="America/Anchorage", name_en="Anchorage")
    event = EventFactory(
        kind=Event.Kind.COMMEMORATION,
        timezone="Asia/Magadan",
        title_en='Wreaths <script>alert("x")</script>\r\nBcc: evil@example.com',
        title_ru="Возложение венков <b>",
        start=utc(2030, 5, 8, 23, 0),
        end=None,
    )
    ParticipationFactory(event=event, city=magadan, venue="Memorial")
    ParticipationFactory(event=event, city=anchorage)
    contact = ContactFactory(city=anchorage, timezone="America/Anchorage", language="ru")
    rule = subscriptions.create_rule(
        contact_id=contact.pk, target=ReminderRule.Target.CITY, city_id=magadan.pk, lead_days=[1]
    )
    app_clock.move_to(utc(2030, 5, 7, 17, 1))
    planning.plan_rule(rule_id=rule.pk)
    ledger.enqueue_due(enqueue=lambda pk: None)
    return Delivery.objects.get(rule=rule)


def test_send_delivery_builds_russian_email_with_invitation(due_reminder):
    assert sending.send_delivery(delivery_id=due_reminder.pk) == Delivery.Status.SENT

    [message] = mail.outbox
    assert message.to == [due_reminder.rule.contact.email]
    assert message.subject == "Напоминание: Возложение венков <b> — через 1 день"
    assert "Среда, 8 мая 2030 г., 15:00 (Anchorage, AKDT, UTC-08:00)" in message.body
    assert "Магадан: Четверг, 9 мая 2030 г., 10:00 (Magadan, UTC+11:00), Memorial" in (message.body)
    html = message.alternatives[0].content
    assert "Возложение венков &lt;b&gt;" in html
    assert "http://127.0.0.1:8000/feeds/city/magadan.ics" in html
    headers = message.message()
    token = due_reminder.rule.unsubscribe_token
    assert headers["List-Unsubscribe"] == f"<http://127.0.0.1:8000/api/unsubscribe/{token}/>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["Message-ID"] == emails.message_id(due_reminder)
    [(_name, content, mimetype)] = message.attachments
    assert mimetype.startswith("text/calendar")
    assert "method=REQUEST" in mimetype
    calendar = icalendar.Calendar.from_ical(content)
    assert str(calendar["METHOD"]) == "REQUEST"
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["UID"]).startswith(str(due_reminder.event.uid))


def test_send_delivery_strips_header_injection_and_escapes_html(due_reminder):
    ReminderRule.objects.filter(pk=due_reminder.rule_id).update(language="en")

    status = sending.send_delivery(delivery_id=due_reminder.pk)
    due_reminder.refresh_from_db()
    assert status == Delivery.Status.SENT, due_reminder.last_error

    [message] = mail.outbox
    assert "\n" not in message.subject
    assert "\r" not in message.subject
    assert message.message()["Bcc"] is None
    assert message.recipients() == [due_reminder.rule.contact.email]
    assert "<script>" not in message.alternatives[0].content
    assert "&lt;script&gt;" in message.alternatives[0].content


def test_send_delivery_twice_sends_once(due_reminder):
    sending.send_delivery(delivery_id=due_reminder.pk)
    assert sending.send_delivery(delivery_id=due_reminder.pk) == "noop"
    assert len(mail.outbox) == 1
    due_reminder.refresh_from_db()
    assert (due_reminder.status, due_reminder.attempts) == (Delivery.Status.SENT, 1)
    assert due_reminder.message_id == emails.message_id(due_reminder)


def test_send_delivery_after_start_is_missed(due_reminder, app_clock):
    app_clock.move_to(utc(2030, 5, 9, 0, 0))
    assert sending.send_delivery(delivery_id=due_reminder.pk) == Delivery.Status.MISSED
    assert mail.outbox == []


def test_send_delivery_after_unsubscribe_is_skipped(due_reminder):
    subscriptions.unsubscribe(token=due_reminder.rule.unsubscribe_token)
    assert sending.send_delivery(delivery_id=due_reminder.pk) == Delivery.Status.SKIPPED
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (smtplib.SMTPRecipientsRefused({"a@x": (550, b"no such user")}), transport.PermanentError),
        (smtplib.SMTPRecipientsRefused({"a@x": (451, b"try later")}), transport.TemporaryError),
        (smtplib.SMTPDataError(554, b"rejected"), transport.PermanentError),
        (smtplib.SMTPSenderRefused(421, b"busy", "me@x"), transport.TemporaryError),
        (smtplib.SMTPServerDisconnected("gone"), transport.TemporaryError),
        (ConnectionRefusedError(), transport.TemporaryError),
        (TimeoutError(), transport.TemporaryError),
    ],
)
def test_classify_smtp_errors(exc, expected):
    assert transport.classify(exc) is expected


def test_header_safe_removes_control_characters():
    assert emails.header_safe("a\r\nBcc: x\x00y") == "a Bcc: x y"


def test_retry_of_missed_reminder_sends_it(due_reminder, app_clock):
    app_clock.move_to(utc(2030, 5, 9, 0, 0))
    sending.send_delivery(delivery_id=due_reminder.pk)
    due_reminder.refresh_from_db()

    ledger.retry_delivery(delivery=due_reminder)
    ledger.enqueue_due(enqueue=lambda pk: None)

    assert sending.send_delivery(delivery_id=due_reminder.pk) == Delivery.Status.SENT
    assert len(mail.outbox) == 1


def test_send_delivery_invitation_names_recipient_as_attendee(due_reminder):
    sending.send_delivery(delivery_id=due_reminder.pk)

    [message] = mail.outbox
    [(_name, content, _mimetype)] = message.attachments
    [vevent] = icalendar.Calendar.from_ical(content).walk("VEVENT")
    assert str(vevent["ATTENDEE"]) == f"mailto:{due_reminder.rule.contact.email}"


def test_invitation_for_a_same_local_time_event_carries_the_recipients_wall_clock(app_clock):
    """10:00 in Magadan and 10:00 in Anchorage: the Anchorage office's .ics says 10:00 AKDT,
    not Magadan's instant (which is 15:00 the day before in Anchorage)."""
    magadan = CityFactory(slug="magadan", timezone="Asia/Magadan", name_en="Magadan")
    anchorage = CityFactory(slug="anchorage", timezone="America/Anchorage", name_en="Anchorage")
    event = EventFactory(
        kind=Event.Kind.COMMEMORATION,
        time_mode=Event.TimeMode.LOCAL,
        timezone="Asia/Magadan",
        start=utc(2030, 5, 8, 23, 0),  # 10:00 in Magadan on 9 May
        end=utc(2030, 5, 9, 0, 0),
    )
    ParticipationFactory(event=event, city=magadan, role="host")
    ParticipationFactory(event=event, city=anchorage, role="participant", venue="Park Strip")
    contact = ContactFactory(city=anchorage, timezone="America/Anchorage", language="en")
    rule = subscriptions.create_rule(
        contact_id=contact.pk, target=ReminderRule.Target.EVENT, event_id=event.pk, lead_days=[1]
    )
    app_clock.move_to(utc(2030, 5, 8, 17, 1))
    planning.plan_rule(rule_id=rule.pk)
    ledger.enqueue_due(enqueue=lambda pk: None)
    delivery = Delivery.objects.get(rule=rule)

    assert sending.send_delivery(delivery_id=delivery.pk) == Delivery.Status.SENT

    [message] = mail.outbox
    [(_name, content, _mimetype)] = message.attachments
    [vevent] = icalendar.Calendar.from_ical(content).walk("VEVENT")
    assert str(vevent["UID"]) == f"{event.uid}-c{anchorage.pk}@twinning-calendar"
    start = vevent.decoded("DTSTART")
    assert (start.replace(tzinfo=None).isoformat(), str(start.tzinfo)) == (
        "2030-05-09T10:00:00",
        "America/Anchorage",
    )
    assert str(vevent["LOCATION"]) == "Park Strip, Anchorage"
