"""Anniversary reminders: a rule with target ``anniversary`` plans rows in the delivery ledger
N months before a partnership's milestone anniversary, at the rule's hour in the recipient's
zone (the date line: Magadan and Anchorage), exactly once, with the mail in the recipient's
language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import TestCase

from events.models import Partnership
from notifications import anniversary_planning, ledger, planning, sending, subscriptions
from notifications.models import Delivery, ReminderRule
from notifications.selectors import events_for_rule
from tests.factories import CityFactory, ContactFactory, PartnershipFactory
from tests.notifications.conftest import utc

pytestmark = pytest.mark.django_db


def scan_and_send() -> list[str]:
    """What the beat and a worker do: claim due rows, then send each batch in-process."""
    chunks: list[list[int]] = []
    with TestCase.captureOnCommitCallbacks(execute=True):
        ledger.enqueue_due(enqueue=chunks.append)
    ids = [pk for chunk in chunks for pk in chunk]
    return list(sending.send_deliveries(delivery_ids=ids).values())


def rows(rule=None) -> list[Delivery]:
    query = Delivery.objects.filter(kind=Delivery.Kind.ANNIVERSARY)
    if rule is not None:
        query = query.filter(rule=rule)
    return list(query.order_by("due_at", "id"))


@pytest.fixture
def pair(app_clock):
    """Magadan-Anchorage, established on 12 June 2006: the 25th anniversary is on Thursday
    12 June 2031."""
    app_clock.move_to(utc(2030, 12, 5))
    magadan = CityFactory(slug="magadan", timezone="Asia/Magadan", country="RU",
                          name_en="Magadan", name_native="Магадан", name_ru="Магадан")  # fmt: skip
    anchorage = CityFactory(slug="anchorage", timezone="America/Anchorage",
                            name_en="Anchorage", name_ru="Анкоридж")  # fmt: skip
    return PartnershipFactory(city_a=magadan, city_b=anchorage, established_on=dt.date(2006, 6, 12))


def subscribe(contact, **fields) -> ReminderRule:
    """Create the rule; the planning task it enqueues runs (eagerly) on commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return subscriptions.create_rule(
            contact_id=contact.pk, target=ReminderRule.Target.ANNIVERSARY, **fields
        )


def test_anniversary_day_and_months_before():
    feb29 = dt.date(2008, 2, 29)
    assert anniversary_planning.anniversary_day(feb29, 2033) == dt.date(2033, 2, 28)
    assert anniversary_planning.anniversary_day(feb29, 2028) == dt.date(2028, 2, 29)
    assert anniversary_planning.months_before(dt.date(2031, 8, 31), 6) == dt.date(2031, 2, 28)
    assert anniversary_planning.months_before(dt.date(2032, 8, 31), 6) == dt.date(2032, 2, 29)
    assert anniversary_planning.months_before(dt.date(2031, 3, 15), 6) == dt.date(2030, 9, 15)
    assert anniversary_planning.months_before(dt.date(2031, 1, 10), 24) == dt.date(2029, 1, 10)
    assert [y for y in range(1, 61) if anniversary_planning.is_milestone(y)] == [
        1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60
    ]  # fmt: skip


def test_plan_six_and_one_month_ahead_at_nine_local_across_the_date_line(pair, app_clock):
    magadan_office = ContactFactory(city=pair.city_a, timezone="Asia/Magadan", language="ru")
    anchorage_office = ContactFactory(city=pair.city_b, timezone="America/Anchorage")
    # Neither a partnership nor a city given: every partnership of the contact's own city.
    ru_rule = subscribe(magadan_office)
    en_rule = subscribe(anchorage_office)
    assert (ru_rule.city_id, ru_rule.lead_months) == (pair.city_a_id, [6, 1])

    # 12 December / 12 May 09:00 local: UTC+11 in Magadan; AKST (UTC-9) and AKDT (UTC-8).
    assert [(r.due_at, r.lead_days, r.occurrence_key) for r in rows(ru_rule)] == [
        (utc(2030, 12, 11, 22, 0), 6, "2031-06-12"),
        (utc(2031, 5, 11, 22, 0), 1, "2031-06-12"),
    ]
    assert [(r.due_at, r.lead_days) for r in rows(en_rule)] == [
        (utc(2030, 12, 12, 18, 0), 6),
        (utc(2031, 5, 12, 17, 0), 1),
    ]
    # Missed once the anniversary day has begun for the recipient.
    assert {r.occurrence_start for r in rows(ru_rule)} == {utc(2031, 6, 11, 13, 0)}
    assert {r.occurrence_start for r in rows(en_rule)} == {utc(2031, 6, 12, 8, 0)}
    assert {(r.partnership_id, r.event_id, r.status) for r in rows()} == {
        (pair.pk, None, Delivery.Status.PENDING)
    }


def test_rows_appear_shortly_before_they_fall_due_and_replanning_adds_nothing(pair, app_clock):
    app_clock.move_to(utc(2030, 11, 20))  # the 6-month reminder is 22 days away: not yet
    rule = subscribe(ContactFactory(city=pair.city_b), lead_months=[6])
    assert rows(rule) == []

    app_clock.move_to(utc(2030, 12, 3))
    assert planning.plan_all() == 1
    for _again in range(2):
        assert planning.plan_all() == 0
        assert planning.plan_rule(rule_id=rule.pk) == 0
    assert len(rows(rule)) == 1


def test_only_milestones_of_dated_live_partnerships(app_clock):
    app_clock.move_to(utc(2030, 12, 5))
    city = CityFactory(timezone="UTC")
    PartnershipFactory(city_a=city, established_on=dt.date(2008, 6, 1))  # 23 years: no
    PartnershipFactory(city_a=city, established_on=dt.date(2001, 6, 1),
                       established_precision=Partnership.Precision.MONTH)  # fmt: skip
    PartnershipFactory(city_a=city, established_on=dt.date(2001, 1, 1),
                       established_precision=Partnership.Precision.YEAR)  # fmt: skip
    PartnershipFactory(city_a=city, established_on=dt.date(2001, 6, 1),
                       status=Partnership.Status.ENDED)  # fmt: skip
    PartnershipFactory(city_a=city, established_on=None)
    dated = PartnershipFactory(city_a=city, established_on=dt.date(1991, 6, 5))  # 40 years

    subscribe(ContactFactory(city=city, timezone="UTC"))

    assert [(r.partnership_id, r.occurrence_key) for r in rows()] == [
        (dated.pk, "2031-06-05"),
        (dated.pk, "2031-06-05"),
    ]


def test_february_29_falls_on_february_28_in_a_common_year(app_clock):
    app_clock.move_to(utc(2032, 8, 20))
    city = CityFactory(timezone="UTC")
    pair = PartnershipFactory(city_a=city, established_on=dt.date(2008, 2, 29))
    rule = subscribe(ContactFactory(city=city, timezone="UTC"), partnership_id=pair.pk)
    assert rule.city_id is None
    # The 25th anniversary: 28 February 2033; 6 months before: 28 August 2032.
    app_clock.move_to(utc(2033, 1, 20))
    planning.plan_all()
    assert [(r.occurrence_key, r.lead_days, r.due_at, r.status) for r in rows(rule)] == [
        ("2033-02-28", 6, utc(2032, 8, 28, 9, 0), Delivery.Status.PENDING),
        ("2033-02-28", 1, utc(2033, 1, 28, 9, 0), Delivery.Status.PENDING),
    ]


def test_leap_year_anniversary_keeps_february_29(app_clock):
    app_clock.move_to(utc(2028, 1, 25))
    city = CityFactory(timezone="UTC")
    pair = PartnershipFactory(city_a=city, established_on=dt.date(2008, 2, 29))
    rule = subscribe(ContactFactory(city=city, timezone="UTC"), partnership_id=pair.pk,
                     lead_months=[1])  # fmt: skip
    assert [(r.occurrence_key, r.due_at) for r in rows(rule)] == [
        ("2028-02-29", utc(2028, 1, 29, 9, 0))
    ]


def test_one_row_per_address_however_many_rules(pair, app_clock):
    office = ContactFactory(city=pair.city_b, email="Mayor@Anchorage.example")
    other_card = ContactFactory(city=pair.city_b, email="mayor@anchorage.example ")
    subscribe(office)
    subscribe(office, partnership_id=pair.pk)
    subscribe(other_card)
    planning.plan_all()
    assert sorted(r.lead_days for r in rows()) == [1, 6]
    # The database refuses a second live row for the address even past the planner.
    first = rows()[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(
            rule_id=ReminderRule.objects.exclude(pk=first.rule_id).first().pk,
            address_key=first.address_key,
            partnership=pair,
            kind=Delivery.Kind.ANNIVERSARY,
            occurrence_key=first.occurrence_key,
            lead_days=first.lead_days,
            due_at=first.due_at,
            next_attempt_at=first.due_at,
        )


def test_late_subscriber_gets_only_the_shortest_lead(pair, app_clock):
    app_clock.move_to(utc(2031, 5, 20))  # both lead times have passed; the day has not
    rule = subscribe(ContactFactory(city=pair.city_b))
    assert [(r.lead_days, r.status) for r in rows(rule)] == [
        (6, Delivery.Status.SKIPPED),
        (1, Delivery.Status.PENDING),
    ]
    assert scan_and_send() == [Delivery.Status.SENT]
    [message] = mail.outbox
    assert "(in 24 days)" in message.body  # from 19 May in Anchorage
    assert scan_and_send() == []


def test_english_mail_sent_once(pair, app_clock):
    office = ContactFactory(city=pair.city_b, timezone="America/Anchorage", language="en",
                            email="mayor@anchorage.example")  # fmt: skip
    rule = subscribe(office)
    app_clock.move_to(utc(2030, 12, 12, 17, 59))
    assert scan_and_send() == []
    app_clock.move_to(utc(2030, 12, 12, 18, 0))

    assert scan_and_send() == [Delivery.Status.SENT]
    assert scan_and_send() == []
    [message] = mail.outbox
    assert message.to == ["mayor@anchorage.example"]
    assert message.subject == (
        "Anniversary reminder: Magadan – Anchorage, 25 years of partnership on "
        "Thursday, 12 June 2031"
    )
    body = message.body
    assert (
        "The partnership of Magadan and Anchorage turns 25 years old on Thursday, 12 June 2031 "
        "(in 6 months)." in body
    )
    assert "Established on: Monday, 12 June 2006" in body
    assert f"/partnerships/{pair.pk}/" in body
    assert f"/api/unsubscribe/{rule.unsubscribe_token}/" in body
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert f'href="http://testserver/partnerships/{pair.pk}/"' in html or (
        f"/partnerships/{pair.pk}/" in html
    )
    assert "turns 25 years old on Thursday, 12 June 2031" in html
    assert message.extra_headers["Content-Language"] == "en"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [row] = Delivery.objects.filter(status=Delivery.Status.SENT)
    assert row.message_id == message.extra_headers["Message-ID"]
    assert row.message_id.startswith(f"<twinning.anniversary.{row.pk}.r{rule.pk}.p{pair.pk}.")
    # A second worker handed the same ids sends nothing.
    assert sending.send_deliveries(delivery_ids=[row.pk]) == {row.pk: "noop"}
    assert len(mail.outbox) == 1


def test_russian_mail_in_the_contacts_language(pair, app_clock):
    office = ContactFactory(city=pair.city_a, timezone="Asia/Magadan", language="ru",
                            email="mer@magadan.example")  # fmt: skip
    subscribe(office, lead_months=[1])
    app_clock.move_to(utc(2031, 5, 5))
    planning.plan_all()  # the beat's planner: the 1-month row is now within the horizon
    app_clock.move_to(utc(2031, 5, 11, 22, 0))  # 12 May 09:00 in Magadan

    assert scan_and_send() == [Delivery.Status.SENT]
    [message] = mail.outbox
    assert message.extra_headers["Content-Language"] == "ru"
    assert "Магадан – Анкоридж" in message.subject
    assert message.subject.startswith("Напоминание о годовщине:")
    assert "лет партнёрства" in message.subject  # 25: the Russian plural for 5-20
    assert "12 июня 2031" in message.subject
    assert "Четверг, 12 июня 2031" in message.body
    assert "Понедельник, 12 июня 2006" in message.body
    assert "Отписаться от этого напоминания:" in message.body
    html = message.alternatives[0][0]
    assert '<html lang="ru">' in html
    assert "Анкоридж" in html


def test_a_rule_in_its_own_language_and_zone(pair, app_clock):
    office = ContactFactory(city=pair.city_b, timezone="America/Anchorage", language="en")
    rule = subscribe(office, language="ru", timezone="Asia/Magadan", hour=7, lead_months=[6])
    [row] = rows(rule)
    assert row.due_at == utc(2030, 12, 11, 20, 0)  # 12 December 07:00 in Magadan
    app_clock.move_to(row.due_at)
    assert scan_and_send() == [Delivery.Status.SENT]
    assert mail.outbox[0].extra_headers["Content-Language"] == "ru"


def test_switching_off_and_unsubscribing_skip_pending_rows(client, pair, app_clock):
    rule = subscribe(ContactFactory(city=pair.city_b))
    response = client.post(f"/api/unsubscribe/{rule.unsubscribe_token}/")
    assert response.status_code == 200
    assert {r.status for r in rows(rule)} == {Delivery.Status.SKIPPED}
    app_clock.move_to(utc(2031, 5, 20))
    assert scan_and_send() == []
    assert mail.outbox == []


def test_a_corrected_date_supersedes_the_planned_row(pair, app_clock):
    rule = subscribe(ContactFactory(city=pair.city_b, timezone="America/Anchorage"),
                     lead_months=[6])  # fmt: skip
    [old] = rows(rule)
    Partnership.objects.filter(pk=pair.pk).update(established_on=dt.date(2006, 6, 13))
    app_clock.move_to(old.due_at)

    assert scan_and_send() == [Delivery.Status.SUPERSEDED]
    old.refresh_from_db()
    assert old.last_error == anniversary_planning.SUPERSEDED_REDATED
    [new] = [r for r in rows(rule) if r.status == Delivery.Status.PENDING]
    assert (new.occurrence_key, new.due_at) == ("2031-06-13", utc(2030, 12, 13, 18, 0))
    app_clock.move_to(new.due_at)
    assert scan_and_send() == [Delivery.Status.SENT]
    assert "Friday, 13 June 2031" in mail.outbox[0].body


def test_found_after_the_day_began_is_missed(pair, app_clock):
    rule = subscribe(ContactFactory(city=pair.city_b, timezone="America/Anchorage"),
                     lead_months=[1])  # fmt: skip
    app_clock.move_to(utc(2031, 5, 5))
    planning.plan_all()
    app_clock.move_to(utc(2031, 6, 12, 9, 0))
    assert scan_and_send() == []
    assert [r.status for r in rows(rule)] == [Delivery.Status.MISSED]
    assert mail.outbox == []
    # A coordinator puts it back: the planner leaves it alone and it is sent once.
    [row] = rows(rule)
    ledger.retry_delivery(delivery=row)
    planning.plan_all()
    assert scan_and_send() == [Delivery.Status.SENT]
    assert scan_and_send() == []
    assert len(mail.outbox) == 1


def test_api_creates_an_anniversary_rule(coordinator_api_client, pair, app_clock):
    office = ContactFactory(city=pair.city_b)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = coordinator_api_client.post(
            "/api/reminder-rules/",
            {"contact": office.pk, "target": "anniversary", "partnership": pair.pk,
             "lead_months": [1, 6, 6]},
            format="json",
        )  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["target"], body["partnership"], body["city"], body["lead_months"]) == (
        "anniversary",
        pair.pk,
        None,
        [6, 1],
    )
    ledger_rows = coordinator_api_client.get("/api/deliveries/?kind=anniversary").json()
    assert sorted((r["partnership"], r["lead_days"]) for r in ledger_rows["results"]) == [
        (pair.pk, 1),
        (pair.pk, 6),
    ]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"lead_months": [0]}, "lead_months"),
        ({"lead_months": [25]}, "lead_months"),
        ({"lead_months": []}, "lead_months"),
        ({"lead_months": [1, 2, 3, 4, 5, 6, 7]}, "lead_months"),
        ({"lead_months": "six"}, "lead_months"),
        ({"partnership": 999999}, "partnership"),
        ({"city": 999999}, "city"),
        ({"hour": 24}, "hour"),
    ],
)
def test_api_rejects_bad_anniversary_rules(coordinator_api_client, pair, extra, field):
    office = ContactFactory(city=pair.city_b)
    response = coordinator_api_client.post(
        "/api/reminder-rules/",
        {"contact": office.pk, "target": "anniversary"} | extra,
        format="json",
    )
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not ReminderRule.objects.exists()


def test_api_needs_a_partnership_or_a_city(coordinator_api_client, pair):
    homeless = ContactFactory(city=None)
    response = coordinator_api_client.post(
        "/api/reminder-rules/", {"contact": homeless.pk, "target": "anniversary"}, format="json"
    )
    assert response.status_code == 400
    assert "city" in response.json()
    office = ContactFactory(city=pair.city_b)
    both = coordinator_api_client.post(
        "/api/reminder-rules/",
        {"contact": office.pk, "target": "anniversary", "partnership": pair.pk,
         "city": pair.city_b_id},
        format="json",
    )  # fmt: skip
    assert both.status_code == 400
    assert "partnership" in both.json()


def test_admin_creates_an_anniversary_rule(admin_client, pair, app_clock):
    office = ContactFactory(city=pair.city_a, timezone="Asia/Magadan")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = admin_client.post(
            "/admin/notifications/reminderrule/add/",
            {"contact": office.pk, "target": "anniversary", "lead_days": "[14, 1]",
             "lead_months": "[6, 6]", "hour": 9, "is_active": "on"},
        )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    rule = ReminderRule.objects.get()
    assert (rule.city_id, rule.lead_months) == (pair.city_a_id, [6])
    assert [r.lead_days for r in rows(rule)] == [6]


def test_event_reminders_and_digests_ignore_anniversary_rules(pair, app_clock):
    rule = subscribe(ContactFactory(city=pair.city_b))
    assert not events_for_rule(rule).exists()
    assert Delivery.objects.exclude(kind=Delivery.Kind.ANNIVERSARY).count() == 0


def test_pending_rows_follow_a_new_hour_and_sent_rows_stay(pair, app_clock):
    rule = subscribe(ContactFactory(city=pair.city_b, timezone="America/Anchorage"))
    app_clock.move_to(utc(2030, 12, 12, 18, 0))
    assert scan_and_send() == [Delivery.Status.SENT]
    app_clock.move_to(utc(2031, 5, 5))
    with TestCase.captureOnCommitCallbacks(execute=True):
        subscriptions.update_rule(rule=rule, hour=15)
    assert [(r.lead_days, r.status, r.due_at) for r in rows(rule)] == [
        (6, Delivery.Status.SENT, utc(2030, 12, 12, 18, 0)),
        (1, Delivery.Status.PENDING, utc(2031, 5, 12, 23, 0)),  # 12 May 15:00 AKDT
    ]
