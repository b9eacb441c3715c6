"""Migrations 0003-0005 on rows written by the previous release: keys a re-plan recognises,
one live row per address."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.migrating import migrate
from tests.notifications.conftest import utc

BEFORE = [("notifications", "0002_weekly_digest"), ("events", "0002_city_name_ru")]
AFTER = [("notifications", "0005_delivery_once_per_address")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest")
def test_migration_rewrites_keys_and_takes_address_from_duplicates():
    old = migrate(BEFORE)
    Event = old.get_model("events", "Event")
    Contact = old.get_model("events", "Contact")
    Rule = old.get_model("notifications", "ReminderRule")
    Delivery = old.get_model("notifications", "Delivery")
    start = utc(2030, 6, 10, 10)
    event = Event.objects.create(
        slug="fair", title_en="Fair", kind="festival", timezone="UTC", start=start
    )
    weekly = Event.objects.create(
        slug="call", title_en="Call", kind="festival", timezone="UTC", rrule="FREQ=WEEKLY",
        start=utc(2030, 6, 2, 10),
    )  # fmt: skip
    office = Contact.objects.create(name="Office", email="Office@Twin.example", timezone="UTC")
    rules = [
        Rule.objects.create(contact=office, target="event", event=event, unsubscribe_token="a"),
        Rule.objects.create(
            contact=office, target="event_kind", event_kind="festival", unsubscribe_token="b"
        ),
    ]
    due = start - dt.timedelta(days=1)

    def row(rule, target, key, status, when=start):
        return Delivery.objects.create(
            rule=rule, event=target, kind="reminder", occurrence_key=key, lead_days=1,
            status=status, due_at=due, next_attempt_at=due, occurrence_start=when,
        )  # fmt: skip

    sent = row(rules[0], event, "", "sent")
    duplicate = row(rules[1], event, "", "pending")
    instance = row(rules[0], weekly, "20300609T100000Z", "pending", utc(2030, 6, 9, 10))

    new = migrate(AFTER)
    Delivery = new.get_model("notifications", "Delivery")
    rows = {r.pk: r for r in Delivery.objects.all()}

    assert (rows[sent.pk].occurrence_key, rows[sent.pk].address_key, rows[sent.pk].status) == (
        "@20300610T100000Z",
        "office@twin.example",
        "sent",
    )
    assert rows[duplicate.pk].status == "skipped"
    assert (
        rows[duplicate.pk].last_error == f"Duplicate of delivery #{sent.pk} for the same address."
    )
    assert rows[instance.pk].occurrence_key == "20300609T100000Z@20300609T100000Z"
