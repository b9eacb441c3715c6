"""End to end on real processes: PostgreSQL, Redis, a celery worker and beat subprocess and an
SMTP server on loopback. The clock moved is the app's (common.clock), not the system's."""

from __future__ import annotations

import datetime as dt
import time
from email.message import Message
from zoneinfo import ZoneInfo

import icalendar
import pytest

from events import services as event_services
from events.models import Event
from notifications import subscriptions
from notifications.models import Delivery, ReminderRule
from tests.factories import (
    CityFactory,
    ContactFactory,
    EventFactory,
    ParticipationFactory,
    PartnershipFactory,
)
from tests.notifications.conftest import utc
from tests.notifications.procs import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.timeout(150)]


def parts(message: Message) -> dict[str, str | bytes]:
    found: dict[str, str | bytes] = {}
    for part in message.walk():
        kind = part.get_content_type()
        if kind in ("text/plain", "text/html"):
            found[kind] = part.get_payload(decode=True).decode(part.get_content_charset())
        elif kind == "text/calendar":
            found[kind] = part.get_payload(decode=True)
    return found


def received(smtp, count: int, timeout: float = 30) -> list[Message]:
    wait_for(lambda: smtp.handler.count() >= count, timeout, f"{count} messages")
    return smtp.handler.snapshot()


def test_pipeline_sends_each_due_reminder_once_at_local_hour(
    make_pipeline, smtp, shared_redis_url, app_clock
):
    app_clock.move_to(utc(2030, 4, 20))
    magadan = CityFactory(slug="magadan", timezone="Asia/Magadan", country="RU",
                          name_en="Magadan", name_native="Магадан")  # fmt: skip
    anchorage = CityFactory(slug="anchorage", timezone="America/Anchorage", name_en="Anchorage")
    # 10:00 on 9 May in Magadan = 23:00 UTC on 8 May = 15:00 on 8 May in Anchorage.
    event = EventFactory(
        kind=Event.Kind.COMMEMORATION,
        timezone="Asia/Magadan",
        title_en="Wreath laying",
        title_ru="Возложение венков",
        start=utc(2030, 5, 8, 23, 0),
        end=utc(2030, 5, 9, 0, 0),
    )
    ParticipationFactory(event=event, city=magadan)
    ParticipationFactory(event=event, city=anchorage)
    us_office = ContactFactory(city=anchorage, timezone="America/Anchorage", language="en",
                               email="mayor@anchorage.example")  # fmt: skip
    ru_office = ContactFactory(city=magadan, timezone="Asia/Magadan", language="ru",
                               email="mer@magadan.example")  # fmt: skip
    for contact in (us_office, ru_office):
        subscriptions.create_rule(
            contact_id=contact.pk, target=ReminderRule.Target.CITY, city_id=magadan.pk
        )  # 14 days and 1 day before, 09:00 local; planned on commit
    assert Delivery.objects.filter(status=Delivery.Status.PENDING).count() == 4

    pipeline = make_pipeline(shared_redis_url, smtp.port, plan_seconds=3)
    pipeline.start_worker()
    pipeline.start_beat()

    # (app time, who gets a reminder then): 09:00 local for each office, 14 days and 1 day
    # before the date the ceremony has *for them* (8 May in Anchorage, 9 May in Magadan).
    steps = [
        (utc(2030, 4, 24, 17, 5), us_office.email, "en"),  # 24 Apr 09:05 AKDT
        (utc(2030, 4, 24, 22, 5), ru_office.email, "ru"),  # 25 Apr 09:05 Magadan
        (utc(2030, 5, 7, 17, 5), us_office.email, "en"),  # 7 May 09:05 AKDT
        (utc(2030, 5, 7, 22, 5), ru_office.email, "ru"),  # 8 May 09:05 Magadan
    ]
    for count, (instant, address, language) in enumerate(steps, start=1):
        # Just before the due time nothing is sent ...
        app_clock.move_to(instant - dt.timedelta(minutes=10))
        assert smtp.handler.count() == count - 1
        app_clock.move_to(instant)
        messages = received(smtp, count)
        assert len(messages) == count
        message = messages[-1]
        assert message["To"] == address
        assert message["Content-Language"] == language
        body = parts(message)
        if language == "ru":
            assert str(message["Subject"]).strip().startswith("Напоминание: Возложение венков")
            assert "Магадан: Четверг, 9 мая 2030 г., 10:00 (Magadan" in body["text/plain"]
        else:
            assert str(message["Subject"]).strip().startswith("Reminder: Wreath laying")
            assert (
                "Wednesday, 8 May 2030, 15:00 (Anchorage, AKDT, UTC-08:00)" in (body["text/plain"])
            )
        calendar = icalendar.Calendar.from_ical(body["text/calendar"])
        assert str(calendar["METHOD"]) == "REQUEST"
        [vevent] = calendar.walk("VEVENT")
        assert vevent.decoded("DTSTART") == utc(2030, 5, 8, 23, 0)
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    sent = Delivery.objects.filter(status=Delivery.Status.SENT).select_related("rule__contact")
    assert [row.due_at.astimezone(ZoneInfo(row.rule.contact.timezone)).hour for row in sent] == [
        9, 9, 9, 9
    ]  # fmt: skip
    assert sorted(m["Message-ID"] for m in smtp.handler.snapshot()) == sorted(
        row.message_id for row in sent
    )

    # A burst of two edits gives one change notice per recipient, after the debounce.
    app_clock.move_to(utc(2030, 5, 8, 0, 0))
    event_services.update_event(event=event, location="Memorial square")
    event_services.update_event(event=event, location="Memorial square, Magadan")
    app_clock.move_to(utc(2030, 5, 8, 0, 2))
    messages = received(smtp, 6)
    notices = messages[4:]
    assert sorted(m["To"] for m in notices) == sorted([us_office.email, ru_office.email])
    for message in notices:
        calendar = icalendar.Calendar.from_ical(parts(message)["text/calendar"])
        [vevent] = calendar.walk("VEVENT")
        assert int(vevent["SEQUENCE"]) == 2
        assert "Memorial square, Magadan" in str(vevent["LOCATION"])

    # Cancelling sends METHOD:CANCEL with the same UID.
    event_services.cancel_event(event=event)
    app_clock.move_to(utc(2030, 5, 8, 0, 4))
    messages = received(smtp, 8)
    for message in messages[6:]:
        calendar = icalendar.Calendar.from_ical(parts(message)["text/calendar"])
        assert str(calendar["METHOD"]) == "CANCEL"
        [vevent] = calendar.walk("VEVENT")
        assert str(vevent["UID"]) == str(icalendar.Calendar.from_ical(
            parts(messages[0])["text/calendar"]).walk("VEVENT")[0]["UID"])  # fmt: skip

    # Nothing more arrives: exactly one message per due reminder and notice.
    app_clock.move_to(utc(2030, 5, 10))
    wait_for(
        lambda: (
            not Delivery.objects.exclude(
                status__in=[Delivery.Status.SENT, Delivery.Status.SKIPPED, Delivery.Status.MISSED]
            ).exists()
        ),
        20,
        "the ledger to settle",
    )
    assert smtp.handler.count() == 8
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 8


def test_pipeline_sends_weekly_digest_once_per_week(
    make_pipeline, smtp, shared_redis_url, app_clock
):

    app_clock.move_to(utc(2030, 5, 1))  # Wednesday
    magadan = CityFactory(slug="magadan", timezone="Asia/Magadan", country="RU",
                          name_en="Magadan", name_native="Магадан")  # fmt: skip
    event = EventFactory(kind=Event.Kind.COMMEMORATION, timezone="Asia/Magadan",
                         title_en="Wreath laying", start=utc(2030, 5, 8, 23, 0), end=None)  # fmt: skip
    ParticipationFactory(event=event, city=magadan)
    office = ContactFactory(timezone="Asia/Anadyr", language="en", email="office@anadyr.example")
    subscriptions.create_rule(
        contact_id=office.pk, target=ReminderRule.Target.CITY, city_id=magadan.pk, lead_days=[1]
    )
    subscriptions.create_digest(contact_id=office.pk)  # Monday 09:00 in Anadyr = Sunday 21:00 UTC

    pipeline = make_pipeline(shared_redis_url, smtp.port, plan_seconds=2)
    pipeline.start_worker()
    pipeline.start_beat()

    app_clock.move_to(utc(2030, 5, 5, 20, 50))
    assert smtp.handler.count() == 0
    app_clock.move_to(utc(2030, 5, 5, 21, 1))
    [message] = received(smtp, 1)
    assert message["To"] == office.email
    assert str(message["Subject"]).startswith("Twinning calendar: your events for the next 3 weeks")
    assert "Thursday, 9 May 2030, 11:00 (Anadyr, UTC+12:00)" in parts(message)["text/plain"]

    # Later the same week the beat's planner and scan run again: nothing more is sent; the
    # planner has materialised next week's row meanwhile.
    app_clock.move_to(utc(2030, 5, 7))
    wait_for(
        lambda: Delivery.objects.filter(contact=office, occurrence_key="2030-W20").exists(),
        20,
        "next week's digest to be planned by beat",
    )
    assert smtp.handler.count() == 1
    assert list(
        Delivery.objects.filter(contact=office, status=Delivery.Status.SENT).values_list(
            "occurrence_key", flat=True
        )
    ) == ["2030-W19"]


def test_pipeline_sends_anniversary_reminders_once_at_local_hour(
    make_pipeline, smtp, shared_redis_url, app_clock
):
    app_clock.move_to(utc(2030, 12, 5))
    magadan = CityFactory(slug="magadan", timezone="Asia/Magadan", country="RU",
                          name_en="Magadan", name_native="Магадан")  # fmt: skip
    anchorage = CityFactory(slug="anchorage", timezone="America/Anchorage", name_en="Anchorage")
    PartnershipFactory(city_a=magadan, city_b=anchorage, established_on=dt.date(2006, 6, 12))
    us_office = ContactFactory(city=anchorage, timezone="America/Anchorage", language="en",
                               email="mayor@anchorage.example")  # fmt: skip
    ru_office = ContactFactory(city=magadan, timezone="Asia/Magadan", language="ru",
                               email="mer@magadan.example")  # fmt: skip
    for contact in (us_office, ru_office):  # each office: its own city's partnerships
        subscriptions.create_rule(contact_id=contact.pk, target=ReminderRule.Target.ANNIVERSARY,
                                  lead_months=[6])  # fmt: skip
    pipeline = make_pipeline(shared_redis_url, smtp.port, plan_seconds=2)
    pipeline.start_worker()
    pipeline.start_beat()
    wait_for(
        lambda: Delivery.objects.filter(kind=Delivery.Kind.ANNIVERSARY).count() == 2,
        20,
        "both anniversary rows to be planned",
    )
    # 12 December 09:00 in Magadan (22:00 UTC on the 11th), then in Anchorage (18:00 UTC).
    steps = [
        (utc(2030, 12, 11, 22, 1), ru_office.email, "Четверг, 12 июня 2031"),
        (utc(2030, 12, 12, 18, 1), us_office.email, "Thursday, 12 June 2031"),
    ]
    for count, (instant, address, date) in enumerate(steps, start=1):
        app_clock.move_to(instant - dt.timedelta(minutes=10))
        assert smtp.handler.count() == count - 1
        app_clock.move_to(instant)
        message = received(smtp, count)[-1]
        assert message["To"] == address
        assert date in parts(message)["text/plain"]
    # The planner and the scan keep running: nothing is sent twice.
    app_clock.move_to(utc(2030, 12, 20))
    wait_for(
        lambda: not Delivery.objects.exclude(status=Delivery.Status.SENT).exists(),
        20,
        "the ledger to settle",
    )
    time.sleep(3)  # a few more planner and scan rounds
    assert smtp.handler.count() == 2
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 2
