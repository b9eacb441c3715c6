"""A city team's save its rights refuse (the host rule, another city's contact or rule) is a
form error in the admin (status 200, the reason on the page, nothing stored), not a 403 or a
500 page from the save."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import TestCase
from django.urls import reverse

from events import services
from events.models import Contact, Event, Participation, TeamMembership
from notifications.models import ReminderRule
from tests.events.test_admin import _event_post
from tests.factories import CityFactory, ContactFactory

pytestmark = pytest.mark.django_db

MUST_STAY = "One of your team&#x27;s cities must stay a host or co-host of the event."
NOT_ANOTHER = "Your team may not make another city a host or co-host, nor remove one."


@pytest.fixture
def team(client, django_user_model):
    """Anchorage's team logged in; Anchorage hosts a forum Magadan visits."""
    anchorage, magadan = CityFactory(name_en="Anchorage"), CityFactory(name_en="Magadan")
    user = django_user_model.objects.create_user("anchorage", password="x" * 12, is_staff=True)
    TeamMembership.objects.create(user=user, city=anchorage)
    client.force_login(user)
    event = services.create_event(
        title_en="Forum",
        kind=Event.Kind.FORUM,
        timezone="America/New_York",
        start=dt.datetime(2024, 6, 1, 10, 0),
        participations=[
            services.ParticipationInput(city_id=anchorage.pk, role="host"),
            services.ParticipationInput(city_id=magadan.pk, role="guest_delegation"),
        ],
    )
    return client, event, anchorage, magadan


def _rows(event, roles: dict) -> dict[str, str]:
    data = {
        "participations-TOTAL_FORMS": str(len(roles)),
        "participations-INITIAL_FORMS": str(len(roles)),
    }
    for n, (city, role) in enumerate(roles.items()):
        row = Participation.objects.get(event=event, city=city)
        data |= {
            f"participations-{n}-id": str(row.pk),
            f"participations-{n}-event": str(event.pk),
            f"participations-{n}-city": str(city.pk),
            f"participations-{n}-role": role,
            f"participations-{n}-venue": "",
        }
    return data


def _roles(event) -> dict[int, str]:
    return dict(Participation.objects.filter(event=event).values_list("city_id", "role"))


@pytest.mark.parametrize(
    ("own_role", "partner_role", "message"),
    [
        ("guest_delegation", "guest_delegation", MUST_STAY),
        ("host", "co_host", NOT_ANOTHER),
    ],
)
def test_admin_change_the_host_rule_refuses_is_a_form_error(team, own_role, partner_role, message):
    client, event, anchorage, magadan = team
    before = _roles(event)
    data = _event_post(anchorage, title_en="Forum Monday", slug=event.slug)
    data |= _rows(event, {anchorage: own_role, magadan: partner_role})

    response = client.post(reverse("admin:events_event_change", args=[event.pk]), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    event.refresh_from_db()
    assert (event.title_en, _roles(event)) == ("Forum", before)


def test_admin_add_hosted_by_another_city_is_a_form_error(team):
    client, event, _anchorage, magadan = team

    response = client.post(reverse("admin:events_event_add"), _event_post(magadan))

    assert response.status_code == 200
    assert NOT_ANOTHER in response.content.decode()
    assert list(Event.objects.values_list("pk", flat=True)) == [event.pk]


def test_admin_change_the_host_rule_allows_is_saved(team):
    client, event, anchorage, magadan = team
    data = _event_post(anchorage, title_en="Forum Monday", slug=event.slug)
    data |= _rows(event, {anchorage: "host", magadan: "participant"})

    response = client.post(reverse("admin:events_event_change", args=[event.pk]), data)

    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.title_en, _roles(event)) == (
        "Forum Monday",
        {anchorage.pk: "host", magadan.pk: "participant"},
    )


def test_admin_contact_of_another_city_is_a_form_error_naming_the_city(team):
    client, _event, anchorage, magadan = team
    data = {
        "name": "Мэрия Магадана",
        "kind": "mayor_office",
        "email": "mayor@magadan.example",
        "language": "ru",
        "timezone": "Asia/Magadan",
        "is_active": "on",
    }

    refused = client.post(reverse("admin:events_contact_add"), {**data, "city": magadan.pk})
    saved = client.post(reverse("admin:events_contact_add"), {**data, "city": anchorage.pk})

    assert refused.status_code == 200
    assert "city" in refused.context["adminform"].form.errors
    assert "Your team may change only its own cities&#x27; contacts." in refused.content.decode()
    assert saved.status_code == 302
    assert list(Contact.objects.values_list("city_id", flat=True)) == [anchorage.pk]


def test_admin_rule_for_another_citys_contact_is_a_form_error_naming_the_contact(team):
    client, _event, anchorage, magadan = team
    theirs, ours = ContactFactory(city=magadan), ContactFactory(city=anchorage)
    data = {"target": "city", "lead_days": "[14, 1]", "lead_months": "[6]", "hour": 9}

    refused = client.post(
        "/admin/notifications/reminderrule/add/",
        {**data, "contact": theirs.pk, "city": magadan.pk},
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        saved = client.post(
            "/admin/notifications/reminderrule/add/",
            {**data, "contact": ours.pk, "city": anchorage.pk},
        )

    assert refused.status_code == 200
    assert "contact" in refused.context["adminform"].form.errors
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    assert list(ReminderRule.objects.values_list("contact_id", flat=True)) == [ours.pk]
