import re

import pytest
from django.contrib.auth.models import AnonymousUser

from events.models import Event
from events.web.selectors import filtered_events
from tests.factories import CityFactory, EventFactory, ParticipationFactory, PartnershipFactory


@pytest.mark.django_db
def test_partnership_feed_holds_the_events_the_partnership_page_lists(client):
    a = CityFactory(slug="magadan", name_en="Magadan", timezone="Asia/Magadan")
    b = CityFactory(slug="anchorage", name_en="Anchorage", timezone="America/Anchorage")
    other = CityFactory(slug="tula", name_en="Tula", timezone="Europe/Moscow")
    pair = PartnershipFactory(city_a=a, city_b=b)
    shared = [EventFactory(status=Event.Status.CONFIRMED) for _ in range(5)]
    for event in shared:
        ParticipationFactory(event=event, city=a)
        ParticipationFactory(event=event, city=b)
    linked = EventFactory(partnership=pair)
    ParticipationFactory(event=linked, city=other)
    ParticipationFactory(event=EventFactory(), city=a)  # only one side: in neither

    feed = b"".join(client.get(f"/feeds/partnership/{pair.pk}.ics").streaming_content)

    feed_uids = set(re.findall(rb"^UID:(\S+)@twinning-calendar\r$", feed, re.MULTILINE))
    expected = {str(e.uid).encode() for e in [*shared, linked]}
    assert feed_uids == expected
    listed = filtered_events(AnonymousUser(), {"partnership": pair})
    assert {str(uid).encode() for uid in listed.values_list("uid", flat=True)} == feed_uids
