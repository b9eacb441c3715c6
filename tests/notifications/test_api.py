"""REST API for rules and the ledger, and one-click unsubscribe: bad input gets a clear 4xx
naming the field and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from events.models import Event
from notifications import subscriptions
from notifications.models import Delivery, ReminderRule
from tests.factories import CityFactory, ContactFactory, EventFactory
from tests.notifications.conftest import utc

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact():
    return ContactFactory(timezone="America/Anchorage")


def rule_body(contact, **extra):
    city = CityFactory()
    return {"contact": contact.pk, "target": "city", "city": city.pk} | extra


def test_create_rule_applies_defaults(coordinator_api_client, contact):
    response = coordinator_api_client.post(
        "/api/reminder-rules/", rule_body(contact), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["lead_days"], body["hour"], body["is_active"]) == ([14, 1], 9, True)
    assert "unsubscribe_token" not in body


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"lead_days": [0]}, "lead_days"),
        ({"lead_days": [-3]}, "lead_days"),
        ({"lead_days": [100000]}, "lead_days"),
        ({"lead_days": []}, "lead_days"),
        ({"lead_days": "14"}, "lead_days"),
        ({"hour": 24}, "hour"),
        ({"hour": -1}, "hour"),
        ({"hour": "nine"}, "hour"),
        ({"target": "planet"}, "target"),
        ({"contact": None}, "contact"),
        ({"contact": 999999}, "contact"),
        ({"city": 999999}, "city"),
        ({"language": "de"}, "language"),
    ],
)
def test_create_rule_rejects_bad_input(coordinator_api_client, contact, extra, field):
    response = coordinator_api_client.post(
        "/api/reminder-rules/", rule_body(contact) | extra, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert ReminderRule.objects.count() == 0


def test_update_rule_rejects_bad_hour_and_keeps_rule(coordinator_api_client, contact):
    rule = subscriptions.create_rule(contact_id=contact.pk, target="event_kind", event_kind="forum")
    response = coordinator_api_client.patch(
        f"/api/reminder-rules/{rule.pk}/", {"hour": 25}, format="json"
    )
    assert response.status_code == 400
    assert "hour" in response.json()
    rule.refresh_from_db()
    assert rule.hour == 9


def test_rules_need_a_coordinator(api_client, contact):
    assert api_client.get("/api/reminder-rules/").status_code in (401, 403)
    response = api_client.post("/api/reminder-rules/", rule_body(contact), format="json")
    assert response.status_code in (401, 403)
    assert api_client.get("/api/deliveries/").status_code in (401, 403)


@pytest.fixture
def failed_delivery(contact):
    event = EventFactory(kind=Event.Kind.FORUM, start=utc(2030, 6, 10, 10), end=None)
    rule = subscriptions.create_rule(contact_id=contact.pk, target="event", event_id=event.pk)
    return Delivery.objects.create(
        rule=rule,
        event=event,
        kind=Delivery.Kind.REMINDER,
        lead_days=1,
        status=Delivery.Status.FAILED,
        due_at=utc(2030, 6, 9, 17),
        next_attempt_at=utc(2030, 6, 9, 17),
        occurrence_start=utc(2030, 6, 10, 10),
        attempts=1,
        last_error="SMTPRecipientsRefused: 550",
    )


def test_deliveries_filter_failed_and_retry(coordinator_api_client, failed_delivery, app_clock):
    app_clock.move_to(utc(2030, 6, 9, 18))
    Delivery.objects.create(
        rule=failed_delivery.rule,
        event=failed_delivery.event,
        kind=Delivery.Kind.CHANGE,
        sequence=1,
        status=Delivery.Status.SENT,
        due_at=utc(2030, 6, 1),
        next_attempt_at=utc(2030, 6, 1),
    )

    listed = coordinator_api_client.get("/api/deliveries/?status=failed").json()
    assert [row["id"] for row in listed["results"]] == [failed_delivery.pk]
    assert listed["results"][0]["last_error"] == "SMTPRecipientsRefused: 550"

    response = coordinator_api_client.post(f"/api/deliveries/{failed_delivery.pk}/retry/")
    assert response.status_code == 200
    assert response.json()["status"] == "pending"
    failed_delivery.refresh_from_db()
    assert failed_delivery.next_attempt_at == pytest.approx(
        utc(2030, 6, 9, 18), abs=dt.timedelta(minutes=1)
    )


def test_retry_refuses_a_sent_delivery(coordinator_api_client, failed_delivery):
    Delivery.objects.filter(pk=failed_delivery.pk).update(status=Delivery.Status.SENT)
    response = coordinator_api_client.post(f"/api/deliveries/{failed_delivery.pk}/retry/")
    assert response.status_code == 400
    assert "status" in response.json()


def test_unsubscribe_forged_token_changes_nothing(client, contact):
    rule = subscriptions.create_rule(contact_id=contact.pk, target="event_kind", event_kind="forum")
    for token in ("forged" * 6, rule.unsubscribe_token[:-1] + "x", "a"):
        assert client.post(f"/api/unsubscribe/{token}/").status_code == 404
    rule.refresh_from_db()
    assert rule.is_active


def test_unsubscribe_get_asks_and_one_click_post_stops_the_rule(client, failed_delivery):
    rule = failed_delivery.rule
    Delivery.objects.filter(pk=failed_delivery.pk).update(status=Delivery.Status.PENDING)
    url = f"/api/unsubscribe/{rule.unsubscribe_token}/"

    assert client.get(url).status_code == 200
    rule.refresh_from_db()
    assert rule.is_active  # a link scanner's GET changes nothing

    response = client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    rule.refresh_from_db()
    assert not rule.is_active
    failed_delivery.refresh_from_db()
    assert failed_delivery.status == Delivery.Status.SKIPPED
