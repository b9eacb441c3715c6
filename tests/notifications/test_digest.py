"""The weekly digest: local send hour across the date line, content in the contact's language,
exactly one per (contact, ISO week), one-click unsubscribe, bad input over the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import TestCase

from events.models import Event
from notifications import digests, ledger, sending, subscriptions
from notifications.models import Delivery, DigestSubscription, ReminderRule
from tests.factories import CityFactory, ContactFactory, EventFactory, ParticipationFactory
from tests.notifications.conftest import utc

pytestmark = pytest.mark.django_db


def digest_rows(contact) -> list[Delivery]:
    return list(Delivery.objects.filter(contact=contact, kind=Delivery.Kind.DIGEST))


def scan_and_send() -> list[str]:
    """What the beat and a worker do: claim due rows, then send each batch in-process."""
    chunks: list[list[int]] = []
    with TestCase.captureOnCommitCallbacks(execute=True):
        ledger.enqueue_due(enqueue=chunks.append)
    ids = [pk for chunk in chunks for pk in chunk]
    return list(sending.send_deliveries(delivery_ids=ids).values())


@pytest.fixture
def magadan_ceremony(app_clock):
    """A 10:00 ceremony in Magadan on Thursday 9 May 2030 (8 May in Anchorage), another one
    five weeks later and a cancelled forum inside the window."""
    app_clock.move_to(utc(2030, 5, 1))
    magadan = CityFactory(slug="magadan", timezone="Asia/Magadan", country="RU",
                          name_en="Magadan", name_native="Магадан")  # fmt: skip
    anchorage = CityFactory(slug="anchorage", timezone="America/Anchorage", name_en="Anchorage")
    event = EventFactory(
        kind=Event.Kind.COMMEMORATION,
        timezone="Asia/Magadan",
        title_en="Wreath laying <b>",
        title_ru="Возложение венков <b>",
        start=utc(2030, 5, 8, 23, 0),
        end=None,
    )
    ParticipationFactory(event=event, city=magadan, venue="Memorial")
    ParticipationFactory(event=event, city=anchorage)
    later = EventFactory(kind=Event.Kind.COMMEMORATION, title_en="Far away",
                         start=utc(2030, 6, 20, 10, 0), end=None)  # fmt: skip
    ParticipationFactory(event=later, city=magadan)
    dropped = EventFactory(kind=Event.Kind.FORUM, title_en="Dropped forum",
                           status=Event.Status.CANCELLED,
                           start=utc(2030, 5, 10, 10, 0), end=None)  # fmt: skip
    ParticipationFactory(event=dropped, city=magadan)
    return {"magadan": magadan, "anchorage": anchorage, "event": event}


def subscribe(contact, city, **fields) -> DigestSubscription:
    subscriptions.create_rule(
        contact_id=contact.pk, target=ReminderRule.Target.CITY, city_id=city.pk
    )
    return subscriptions.create_digest(contact_id=contact.pk, **fields)


@pytest.mark.parametrize(
    ("zone", "due", "week"),
    [
        # Wednesday 1 May 2030 00:00 UTC is already Wednesday noon in Anadyr (UTC+12) and
        # still Tuesday afternoon in Anchorage (UTC-8): both get Monday 6 May 09:00 local,
        # which is Sunday 21:00 UTC for Anadyr -- ISO week 19 for both, by the local date.
        ("Asia/Anadyr", utc(2030, 5, 5, 21, 0), "2030-W19"),
        ("America/Anchorage", utc(2030, 5, 6, 17, 0), "2030-W19"),
        ("Europe/Moscow", utc(2030, 5, 6, 6, 0), "2030-W19"),
    ],
)
def test_plan_digest_monday_nine_local_across_date_line(app_clock, zone, due, week):
    app_clock.move_to(utc(2030, 5, 1))
    contact = ContactFactory(timezone=zone)

    digest = subscriptions.create_digest(contact_id=contact.pk)

    assert (digest.weekday, digest.hour, digest.weeks) == (1, 9, 3)
    [row] = digest_rows(contact)
    assert (row.occurrence_key, row.due_at, row.status) == (week, due, Delivery.Status.PENDING)
    assert (row.rule_id, row.event_id) == (None, None)


def test_plan_digest_includes_this_week_when_the_slot_is_ahead(app_clock):
    app_clock.move_to(utc(2030, 5, 1))  # Wednesday
    contact = ContactFactory(timezone="UTC")

    subscriptions.create_digest(contact_id=contact.pk, weekday="friday", hour=7)

    assert sorted((r.occurrence_key, r.due_at) for r in digest_rows(contact)) == [
        ("2030-W18", utc(2030, 5, 3, 7, 0)),  # this Friday
        ("2030-W19", utc(2030, 5, 10, 7, 0)),  # and the next one, planned a week ahead
    ]


def test_plan_digest_follows_a_new_day_and_hour(app_clock):
    app_clock.move_to(utc(2030, 5, 1))
    contact = ContactFactory(timezone="UTC")
    digest = subscriptions.create_digest(contact_id=contact.pk)

    subscriptions.update_digest(digest=digest, weekday="sun", hour=18)

    assert sorted((r.occurrence_key, r.due_at) for r in digest_rows(contact)) == [
        ("2030-W18", utc(2030, 5, 5, 18, 0)),
        ("2030-W19", utc(2030, 5, 12, 18, 0)),
    ]


def test_digest_russian_content_times_in_each_zone(index_mode, magadan_ceremony, app_clock):
    anchorage = magadan_ceremony["anchorage"]
    contact = ContactFactory(city=anchorage, timezone="America/Anchorage", language="ru",
                             email="mer@anchorage.example")  # fmt: skip
    digest = subscribe(contact, magadan_ceremony["magadan"])
    app_clock.move_to(utc(2030, 5, 6, 17, 1))  # Monday 09:01 in Anchorage

    assert scan_and_send() == [Delivery.Status.SENT]

    [message] = mail.outbox
    assert message.to == ["mer@anchorage.example"]
    assert message.subject == "Календарь побратимов: ваши мероприятия на 3 недели (1)"
    body = message.body
    assert "1. Возложение венков <b>" in body
    assert (
        "Когда (по вашему времени): Среда, 8 мая 2030 г., 15:00 (Anchorage, AKDT, UTC-08:00)"
        in body
    )
    assert "Магадан: Четверг, 9 мая 2030 г., 10:00 (Magadan, UTC+11:00), Memorial" in body
    assert f"http://127.0.0.1:8000/events/{magadan_ceremony['event'].slug}/" in body
    assert "http://127.0.0.1:8000/feeds/city/anchorage.ics" in body
    assert "Far away" not in body  # five weeks ahead: outside the three-week window
    assert "Dropped forum" not in body  # cancelled
    html = message.alternatives[0].content
    assert "Возложение венков &lt;b&gt;" in html
    headers = message.message()
    assert headers["List-Unsubscribe"] == (
        f"<http://127.0.0.1:8000/api/unsubscribe/{digest.unsubscribe_token}/>"
    )
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["Content-Language"] == "ru"
    [row] = digest_rows(contact)
    assert (row.status, row.email, row.message_id) == (
        Delivery.Status.SENT,
        "mer@anchorage.example",
        headers["Message-ID"],
    )


def test_digest_english_with_longer_window(magadan_ceremony, app_clock):
    contact = ContactFactory(timezone="Europe/London", language="en")
    subscribe(contact, magadan_ceremony["magadan"], weeks=8, weekday=3, hour=8)
    app_clock.move_to(utc(2030, 5, 1, 7, 30))  # Wednesday 08:30 in London (BST)

    assert scan_and_send() == [Delivery.Status.SENT]

    [message] = mail.outbox
    assert message.subject == "Twinning calendar: your events for the next 8 weeks (2)"
    assert "Thursday, 9 May 2030, 00:00 (London, BST, UTC+01:00)" in message.body
    assert message.body.index("Wreath laying") < message.body.index("Far away")


def test_digest_exactly_once_per_week(magadan_ceremony, app_clock):
    contact = ContactFactory(timezone="America/Anchorage")
    subscribe(contact, magadan_ceremony["magadan"])
    app_clock.move_to(utc(2030, 5, 6, 17, 1))
    assert scan_and_send() == [Delivery.Status.SENT]

    # A second planner run and scan in the same week, even after the day moved, do nothing.
    digests.plan_all_digests()
    subscriptions.update_digest(digest=contact.digest, weekday="tuesday")
    assert scan_and_send() == []
    assert len(mail.outbox) == 1
    assert [r.occurrence_key for r in digest_rows(contact) if r.status == "sent"] == ["2030-W19"]
    # The database refuses a second row for the same contact and week outright.
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(
            contact=contact,
            kind=Delivery.Kind.DIGEST,
            occurrence_key="2030-W19",
            due_at=utc(2030, 5, 7),
            next_attempt_at=utc(2030, 5, 7),
        )


def test_digest_with_nothing_ahead_is_skipped(app_clock):
    app_clock.move_to(utc(2030, 5, 1))
    contact = ContactFactory(timezone="UTC")
    subscribe(contact, CityFactory())
    app_clock.move_to(utc(2030, 5, 6, 9, 1))

    assert scan_and_send() == [Delivery.Status.SKIPPED]
    assert mail.outbox == []


def test_digest_found_a_day_late_is_missed(magadan_ceremony, app_clock):
    contact = ContactFactory(timezone="UTC")
    subscribe(contact, magadan_ceremony["magadan"])
    app_clock.move_to(utc(2030, 5, 7, 10))  # a day and an hour after Monday 09:00

    assert scan_and_send() == []
    assert [r.status for r in digest_rows(contact)] == [Delivery.Status.MISSED]


def test_one_click_unsubscribe_stops_the_digest(client, magadan_ceremony, app_clock):
    contact = ContactFactory(timezone="UTC")
    digest = subscribe(contact, magadan_ceremony["magadan"])
    url = f"/api/unsubscribe/{digest.unsubscribe_token}/"

    assert client.get(url).status_code == 200
    response = client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    digest.refresh_from_db()
    assert not digest.is_active
    assert [r.status for r in digest_rows(contact)] == [Delivery.Status.SKIPPED]
    app_clock.move_to(utc(2030, 5, 20, 9, 1))
    digests.plan_all_digests()
    assert scan_and_send() == []
    assert mail.outbox == []


def test_digest_api_defaults_and_ledger(coordinator_api_client, app_clock):
    app_clock.move_to(utc(2030, 5, 1))
    contact = ContactFactory(timezone="Asia/Anadyr")

    response = coordinator_api_client.post("/api/digests/", {"contact": contact.pk}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["weekday"], body["weekday_name"], body["hour"], body["weeks"]) == (
        1,
        "Monday",
        9,
        3,
    )
    assert "unsubscribe_token" not in body
    ledger = coordinator_api_client.get(f"/api/deliveries/?kind=digest&contact={contact.pk}")
    [row] = ledger.json()["results"]
    assert (row["occurrence_key"], row["rule"], row["event"], row["recipient"]) == (
        "2030-W19",
        None,
        None,
        str(contact),
    )


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"hour": 24}, "hour"),
        ({"hour": -1}, "hour"),
        ({"hour": "nine"}, "hour"),
        ({"weekday": "funday"}, "weekday"),
        ({"weekday": 8}, "weekday"),
        ({"weekday": 0}, "weekday"),
        ({"weekday": ""}, "weekday"),
        ({"weeks": 0}, "weeks"),
        ({"weeks": 53}, "weeks"),
        ({"contact": 999999}, "contact"),
        ({"contact": None}, "contact"),
    ],
)
def test_digest_api_rejects_bad_input(coordinator_api_client, extra, field):
    contact = ContactFactory(timezone="UTC")
    response = coordinator_api_client.post(
        "/api/digests/", {"contact": contact.pk} | extra, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert DigestSubscription.objects.count() == 0
    assert not Delivery.objects.exists()


def test_digest_api_refuses_a_second_digest_and_bad_updates(coordinator_api_client, app_clock):
    contact = ContactFactory(timezone="UTC")
    digest = subscriptions.create_digest(contact_id=contact.pk)

    again = coordinator_api_client.post("/api/digests/", {"contact": contact.pk}, format="json")
    assert again.status_code == 400
    assert "contact" in again.json()
    for patch, field in (({"hour": 25}, "hour"), ({"weekday": "someday"}, "weekday")):
        response = coordinator_api_client.patch(f"/api/digests/{digest.pk}/", patch, format="json")
        assert response.status_code == 400
        assert field in response.json()
    digest.refresh_from_db()
    assert (digest.weekday, digest.hour) == (1, 9)
    assert DigestSubscription.objects.count() == 1


def test_digests_need_a_coordinator(api_client):
    contact = ContactFactory(timezone="UTC")
    assert api_client.get("/api/digests/").status_code in (401, 403)
    response = api_client.post("/api/digests/", {"contact": contact.pk}, format="json")
    assert response.status_code in (401, 403)
    assert not DigestSubscription.objects.exists()


def test_digest_is_planned_by_the_periodic_planner(app_clock):
    app_clock.move_to(utc(2030, 5, 1))
    contact = ContactFactory(timezone="UTC")
    subscriptions.create_digest(contact_id=contact.pk)
    app_clock.move_to(utc(2030, 5, 6, 9) + dt.timedelta(hours=1))  # after W19's slot
    Delivery.objects.filter(contact=contact).update(status=Delivery.Status.SENT)

    assert digests.plan_all_digests() == 1

    assert sorted(r.occurrence_key for r in digest_rows(contact)) == ["2030-W19", "2030-W20"]
