"""A change notice goes only to recipients who may hear of the event (notifications.selectors
.heard_of_by), or who were already told of it: a kind rule of a Magadan contact is not told
that Tula's internal event moved."""

from __future__ import annotations

import pytest

from events import services as event_services
from events.models import Event
from notifications import notices, subscriptions
from notifications.models import ChangeNotice, Delivery, ReminderRule
from tests.factories import CityFactory, ContactFactory, EventFactory, ParticipationFactory
from tests.notifications.conftest import utc

pytestmark = pytest.mark.django_db


def _kind_rule(city) -> ReminderRule:
    return subscriptions.create_rule(
        contact_id=ContactFactory(city=city).pk,
        target=ReminderRule.Target.EVENT_KIND,
        event_kind=Event.Kind.COMMEMORATION,
        lead_days=[30],
    )


@pytest.mark.parametrize(
    ("visibility", "status"),
    [
        (Event.Visibility.INTERNAL, Event.Status.CONFIRMED),
        (Event.Visibility.PUBLIC, Event.Status.TENTATIVE),
    ],
)
def test_change_notice_reaches_only_who_may_hear_of_the_event(app_clock, visibility, status):
    app_clock.move_to(utc(2030, 5, 1))
    tula, magadan = CityFactory(), CityFactory()
    event = EventFactory(
        kind=Event.Kind.COMMEMORATION, visibility=visibility, status=status, end=None
    )
    ParticipationFactory(event=event, city=tula, role="host")
    ours, theirs = _kind_rule(tula), _kind_rule(magadan)

    event_services.update_event(event=event, start=utc(2030, 6, 10, 3))
    [notice] = ChangeNotice.objects.filter(event=event)
    notices.fan_out_notice(notice_id=notice.pk, now=utc(2030, 5, 1, 1))

    told = set(Delivery.objects.filter(event=event).values_list("rule_id", flat=True))
    assert told == {ours.pk}
    assert theirs.pk not in told
