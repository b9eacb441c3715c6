"""The reminder rule and delivery admin show each target's own lead times in their own unit:
an anniversary rule's months are months, and an event rule has no months field."""

from __future__ import annotations

import re

import pytest
from django.test import TestCase

from notifications import subscriptions
from notifications.models import Delivery, ReminderRule
from tests.factories import ContactFactory
from tests.notifications.test_anniversaries import pair, rows, subscribe  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(pair):  # noqa: F811 (the fixture imported above)
    office = ContactFactory(city=pair.city_a, timezone="Asia/Magadan")
    anniversary = subscribe(office, lead_months=[6, 1])
    with TestCase.captureOnCommitCallbacks(execute=True):
        city = subscriptions.create_rule(
            contact_id=office.pk,
            target=ReminderRule.Target.CITY,
            city_id=pair.city_a_id,
            lead_days=[14, 1],
        )
    return anniversary, city


def _inputs(html: str) -> set[str]:
    return set(re.findall(r'name="(lead_days|lead_months)"', html))


def test_anniversary_rule_page_shows_only_months(admin_client, rules):
    anniversary, _city = rules
    html = admin_client.get(
        f"/admin/notifications/reminderrule/{anniversary.pk}/change/"
    ).content.decode()
    assert _inputs(html) == {"lead_months"}
    assert "Months ahead (anniversary reminders)" in html


def test_event_rule_page_shows_only_days(admin_client, rules):
    _anniversary, city = rules
    html = admin_client.get(f"/admin/notifications/reminderrule/{city.pk}/change/").content.decode()
    assert _inputs(html) == {"lead_days"}
    assert "Days ahead (event reminders)" in html


def test_new_rule_page_labels_both_lead_fields_with_their_targets(admin_client, rules):
    html = admin_client.get("/admin/notifications/reminderrule/add/").content.decode()
    assert _inputs(html) == {"lead_days", "lead_months"}
    assert "Months ahead (anniversary reminders)" in html


def test_anniversary_rule_edit_keeps_its_months(admin_client, rules):
    anniversary, _city = rules
    response = admin_client.post(
        f"/admin/notifications/reminderrule/{anniversary.pk}/change/",
        {"contact": anniversary.contact_id, "target": "anniversary", "lead_months": "[3]",
         "hour": 10, "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    anniversary.refresh_from_db()
    assert (anniversary.lead_months, anniversary.hour) == ([3], 10)


def test_rule_list_names_each_rules_unit(admin_client, rules):
    html = admin_client.get("/admin/notifications/reminderrule/").content.decode()
    assert "6 months, 1 month" in html
    assert "14 days, 1 day" in html


def test_delivery_admin_shows_anniversary_rows_in_months(admin_client, rules):
    anniversary, _city = rules
    [first, *_rest] = rows(anniversary)
    html = admin_client.get("/admin/notifications/delivery/").content.decode()
    assert "6 months" in html
    page = admin_client.get(f"/admin/notifications/delivery/{first.pk}/change/").content.decode()
    assert "6 months" in page
    assert first.kind == Delivery.Kind.ANNIVERSARY
