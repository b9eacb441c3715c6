"""A change notice says what changed: the start and the place before the change (old → new),
in the recipient's own zone, across a burst of edits (issue 12: "change notices say what
changed")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import translation

from events import services as event_services
from events.models import Event
from notifications import planning, subscriptions
from notifications.models import ChangeNotice, ReminderRule
from tests.factories import ContactFactory, EventFactory
from tests.notifications.conftest import utc
from tests.notifications.test_moves import scan_and_send

pytestmark = pytest.mark.django_db

MAGADAN = "Asia/Magadan"  # UTC+11
ANCHORAGE = "America/Anchorage"  # UTC-8 in June


def subscribe(zone: str = ANCHORAGE, language: str = "en") -> ReminderRule:
    contact = ContactFactory(timezone=zone, language=language)
    rule = subscriptions.create_rule(
        contact_id=contact.pk,
        target=ReminderRule.Target.EVENT_KIND,
        event_kind=Event.Kind.COMMEMORATION,
        lead_days=[30],
    )
    planning.plan_rule(rule_id=rule.pk)
    return rule


def commemoration(**fields) -> Event:
    fields.setdefault(
        "start", utc(2030, 6, 10, 1)
    )  # 12:00 in Magadan, 17:00 the day before in Anchorage
    return EventFactory(
        kind=Event.Kind.COMMEMORATION,
        title_en="Wreaths",
        timezone=MAGADAN,
        end=None,
        location="Old Square",
        **fields,
    )


def notice_mail() -> str:
    [message] = [m for m in mail.outbox if m.subject.startswith("Changed")]
    return message.body


def test_moved_event_says_old_and_new_time_in_the_recipients_zone(app_clock):
    app_clock.move_to(utc(2030, 5, 1))
    event = commemoration()
    subscribe()
    event_services.update_event(event=event, start=utc(2030, 6, 10, 3))  # 14:00 in Magadan

    app_clock.move_to(utc(2030, 5, 1, 1))
    scan_and_send()

    body = notice_mail()
    assert "When (your time): Sunday, 9 June 2030, 19:00 (Anchorage, AKDT, UTC-08:00)" in body
    assert "Before the change: Sunday, 9 June 2030, 17:00 (Anchorage, AKDT, UTC-08:00)" in body
    assert "Place before the change" not in body  # the place did not change


def test_burst_of_edits_keeps_the_state_before_the_first(app_clock):
    app_clock.move_to(utc(2030, 5, 1))
    event = commemoration()
    subscribe(zone=MAGADAN)
    event_services.update_event(event=event, start=utc(2030, 6, 10, 2))
    event_services.update_event(event=event, location="New Embankment")
    event_services.update_event(event=event, start=utc(2030, 6, 10, 4))

    [notice] = ChangeNotice.objects.filter(event=event)
    assert notice.before == {
        "start": "2030-06-10T01:00:00+00:00",
        "timezone": MAGADAN,
        "time_mode": Event.TimeMode.INSTANT,
        "location": "Old Square",
    }
    app_clock.move_to(utc(2030, 5, 1, 1))
    scan_and_send()

    body = notice_mail()
    assert "When (your time): Monday, 10 June 2030, 15:00 (Magadan, UTC+11:00)" in body
    assert "Before the change: Monday, 10 June 2030, 12:00 (Magadan, UTC+11:00)" in body
    assert "Place: New Embankment" in body
    assert "Place before the change: Old Square" in body


def test_status_change_alone_says_old_and_new_status_and_no_time_or_place(app_clock):
    app_clock.move_to(utc(2030, 5, 1))
    event = commemoration(status=Event.Status.CONFIRMED)
    subscribe()
    event_services.update_event(event=event, status=Event.Status.TENTATIVE)

    app_clock.move_to(utc(2030, 5, 1, 1))
    scan_and_send()

    body = notice_mail()
    assert "Status: Tentative\nStatus before the change: Confirmed" in body
    assert "Before the change" not in body
    assert "Place before the change" not in body


def test_time_place_and_status_change_says_each_old_and_new(app_clock):
    app_clock.move_to(utc(2030, 5, 1))
    event = commemoration(status=Event.Status.TENTATIVE)
    subscribe(zone=MAGADAN)
    event_services.update_event(
        event=event,
        start=utc(2030, 6, 10, 3),
        location="New Embankment",
        status=Event.Status.CONFIRMED,
    )

    app_clock.move_to(utc(2030, 5, 1, 1))
    scan_and_send()

    [message] = [m for m in mail.outbox if m.subject.startswith("Changed")]
    body, html = message.body, message.alternatives[0][0]
    assert "When (your time): Monday, 10 June 2030, 14:00 (Magadan, UTC+11:00)" in body
    assert "Before the change: Monday, 10 June 2030, 12:00 (Magadan, UTC+11:00)" in body
    assert "Place: New Embankment\nPlace before the change: Old Square" in body
    assert "Status: Confirmed\nStatus before the change: Tentative" in body
    assert "Status before the change: <s>Tentative</s>" in html


def test_burst_that_changes_the_status_and_back_says_nothing_of_status(app_clock):
    app_clock.move_to(utc(2030, 5, 1))
    event = commemoration(status=Event.Status.CONFIRMED)
    subscribe()
    event_services.update_event(event=event, status=Event.Status.TENTATIVE)
    event_services.update_event(event=event, status=Event.Status.CONFIRMED, location="Pier")

    app_clock.move_to(utc(2030, 5, 1, 1))
    scan_and_send()

    body = notice_mail()
    assert "Status" not in body
    assert "Place before the change: Old Square" in body


def test_restored_event_says_it_was_cancelled_in_russian(app_clock):
    app_clock.move_to(utc(2030, 5, 1))
    event = commemoration(status=Event.Status.CANCELLED)
    subscribe(language="ru")
    event_services.update_event(event=event, status=Event.Status.CONFIRMED)

    app_clock.move_to(utc(2030, 5, 1, 1))
    scan_and_send()

    [message] = mail.outbox
    assert "Подтверждено" in message.body
    assert f"{_ru('Status before the change:')} Отменено" in message.body


def _ru(text: str) -> str:
    with translation.override("ru"):
        return translation.gettext(text)


def test_series_says_its_old_time_of_day(app_clock):
    app_clock.move_to(utc(2030, 5, 1))
    event = commemoration(start=utc(2020, 6, 10, 1), rrule="FREQ=YEARLY")
    subscribe(zone=MAGADAN)
    event_services.update_event(event=event, start=utc(2020, 6, 10, 0))  # 11:00 in Magadan

    app_clock.move_to(utc(2030, 5, 1, 1))
    scan_and_send()

    body = notice_mail()
    assert "Before the change: 12:00 (Magadan, UTC+11:00)" in body
    assert "2020" not in body


def test_same_local_time_event_says_the_old_wall_clock_of_the_recipients_city(app_clock):
    app_clock.move_to(utc(2030, 5, 1))
    event = commemoration(time_mode=Event.TimeMode.LOCAL)
    subscribe()
    event_services.update_event(event=event, start=utc(2030, 6, 10, 3))

    app_clock.move_to(utc(2030, 5, 1, 1))
    scan_and_send()

    # 12:00 Magadan wall clock before the change: 12:00 in Anchorage too.
    assert (
        "Before the change: Monday, 10 June 2030, 12:00 (Anchorage, AKDT, UTC-08:00)"
        in notice_mail()
    )


def test_russian_notice_says_before_the_change_in_russian(app_clock):
    app_clock.move_to(utc(2030, 5, 1))
    event = commemoration()
    subscribe(zone=MAGADAN, language="ru")
    event_services.update_event(event=event, start=utc(2030, 6, 10, 3), location="")

    app_clock.move_to(utc(2030, 5, 1, 1))
    scan_and_send()

    [message] = mail.outbox
    assert "До изменения: Понедельник, 10 июня 2030 г., 12:00 (Magadan, UTC+11:00)" in message.body
    assert "Место до изменения: Old Square" in message.body


def weekly_call() -> Event:
    """Mondays 12:00 in Magadan (Sundays 17:00 in Anchorage) from 3 June 2030, Old Square."""
    return commemoration(start=utc(2030, 6, 3, 1), rrule="FREQ=WEEKLY")


def test_moved_occurrence_says_where_it_was_in_the_recipients_zone(app_clock):
    app_clock.move_to(utc(2030, 6, 1))
    event = weekly_call()
    subscribe()
    event_services.change_occurrence(
        event=event,
        original_start=dt.datetime(2030, 6, 17, 12),  # local, Magadan
        start=utc(2030, 6, 18, 3),  # Tuesday 14:00 in Magadan
        location="New Embankment",
    )
    [notice] = ChangeNotice.objects.filter(event=event)
    assert notice.before == {
        "occurrence": {
            "id": "20300617T010000Z",
            "start": "2030-06-17T01:00:00+00:00",
            "location": "Old Square",
        }
    }
    app_clock.move_to(utc(2030, 6, 1, 1))
    scan_and_send()

    body = notice_mail()
    # The notice is about that occurrence: where it is now, and where it was.
    assert "When (your time): Monday, 17 June 2030, 19:00 (Anchorage, AKDT, UTC-08:00)" in body
    assert "Before the change: Sunday, 16 June 2030, 17:00 (Anchorage, AKDT, UTC-08:00)" in body
    assert "Place: New Embankment" in body
    assert "Place before the change: Old Square" in body


def test_occurrence_moved_twice_says_where_it_was_before_the_second_move(app_clock):
    app_clock.move_to(utc(2030, 6, 1))
    event = weekly_call()
    subscribe(zone=MAGADAN)
    event_services.change_occurrence(
        event=event, original_start=dt.datetime(2030, 6, 17, 12), start=utc(2030, 6, 18, 3)
    )
    app_clock.move_to(utc(2030, 6, 1, 1))
    scan_and_send()
    mail.outbox.clear()

    event_services.change_occurrence(
        event=event, original_start=dt.datetime(2030, 6, 17, 12), start=utc(2030, 6, 19, 3)
    )
    app_clock.move_to(utc(2030, 6, 1, 2))
    scan_and_send()

    body = notice_mail()
    assert "When (your time): Wednesday, 19 June 2030, 14:00 (Magadan, UTC+11:00)" in body
    assert "Before the change: Tuesday, 18 June 2030, 14:00 (Magadan, UTC+11:00)" in body
    assert "Place before the change" not in body


def test_cancelled_occurrence_says_which_date_was_cancelled(app_clock):
    app_clock.move_to(utc(2030, 6, 1))
    event = weekly_call()
    subscribe()
    event_services.change_occurrence(
        event=event, original_start=dt.datetime(2030, 6, 17, 12), cancelled=True
    )
    app_clock.move_to(utc(2030, 6, 1, 1))
    scan_and_send()

    body = notice_mail()
    assert "Cancelled: Sunday, 16 June 2030, 17:00 (Anchorage, AKDT, UTC-08:00)" in body
    assert "Before the change" not in body
    # The next date that still takes place.
    assert "When (your time): Sunday, 2 June 2030, 17:00 (Anchorage, AKDT, UTC-08:00)" in body
    html = next(m for m in mail.outbox if m.subject.startswith("Changed")).alternatives[0][0]
    assert "Cancelled: Sunday, 16 June 2030, 17:00 (Anchorage, AKDT, UTC-08:00)" in html


def test_russian_notice_for_a_moved_and_a_cancelled_occurrence(app_clock):
    app_clock.move_to(utc(2030, 6, 1))
    event = weekly_call()
    subscribe(zone=MAGADAN, language="ru")
    event_services.change_occurrence(
        event=event, original_start=dt.datetime(2030, 6, 17, 12), start=utc(2030, 6, 18, 3)
    )
    app_clock.move_to(utc(2030, 6, 1, 1))
    scan_and_send()
    notices = [m for m in mail.outbox if "twinning.change." in m.extra_headers["Message-ID"]]
    [moved] = notices
    assert "Когда (по вашему времени): Вторник, 18 июня 2030 г., 14:00 (Magadan" in moved.body
    assert "До изменения: Понедельник, 17 июня 2030 г., 12:00 (Magadan, UTC+11:00)" in moved.body

    event_services.change_occurrence(
        event=event, original_start=dt.datetime(2030, 6, 24, 12), cancelled=True
    )
    app_clock.move_to(utc(2030, 6, 1, 2))
    scan_and_send()
    [cancelled] = [m for m in mail.outbox if "twinning.change." in m.extra_headers["Message-ID"]][
        1:
    ]
    assert "Отменено: Понедельник, 24 июня 2030 г., 12:00 (Magadan, UTC+11:00)" in cancelled.body
    assert "До изменения" not in cancelled.body
