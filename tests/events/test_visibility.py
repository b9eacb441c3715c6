"""What "a public event" is: one rule (Event.is_public / Event.public_q) that the roles, the
selectors and the reminders all ask."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth.models import AnonymousUser

from common import roles
from events.models import Event
from events.selectors import events_visible_to
from notifications import subscriptions
from notifications.selectors import heard_of_by
from tests.factories import CityFactory, ContactFactory, EventFactory, ParticipationFactory

pytestmark = pytest.mark.django_db

COMBINATIONS = list(itertools.product(Event.Visibility.values, Event.Status.values))


@pytest.mark.parametrize(("visibility", "status"), COMBINATIONS)
def test_public_event_predicate_and_query_agree(visibility, status):
    event = EventFactory(visibility=visibility, status=status)
    expected = visibility == "public" and status in ("confirmed", "cancelled")

    in_query = Event.objects.filter(Event.public_q(), pk=event.pk).exists()

    assert (event.is_public, roles.is_public_event(None, event), in_query) == (
        expected,
        expected,
        expected,
    )
    assert events_visible_to(AnonymousUser()).filter(pk=event.pk).exists() is expected


def test_heard_of_by_a_contact_is_what_its_city_may_see():
    """A contact of a city not taking part hears of no tentative public event (an anonymous
    visitor does not see it either); a contact of a city taking part hears of all of them."""
    tula, anchorage = CityFactory(), CityFactory()
    tentative = EventFactory(status=Event.Status.TENTATIVE)
    ParticipationFactory(event=tentative, city=anchorage, role="host")
    internal = EventFactory(visibility=Event.Visibility.INTERNAL)
    ParticipationFactory(event=internal, city=anchorage, role="host")
    public = EventFactory()

    def heard(city):
        rule = subscriptions.create_rule(
            contact_id=ContactFactory(city=city).pk, target="event_kind", event_kind="festival"
        )
        return set(heard_of_by(rule, Event.objects.all()).values_list("pk", flat=True))

    assert heard(tula) == {public.pk}
    assert heard(anchorage) == {public.pk, tentative.pk, internal.pk}
