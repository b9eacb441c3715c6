"""events.services.create_events / update_events give what create_event / update_event (and
change_occurrence) give one at a time: same rows, slugs, SEQUENCE, index rows, refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from events import services
from events.models import Event, IndexedOccurrence, OccurrenceChange, OccurrenceHorizon
from notifications.models import ChangeNotice, PlanRequest
from tests.factories import CityFactory


@pytest.fixture
def indexed(db):
    now = timezone.now()
    OccurrenceHorizon.objects.create(
        pk=1,
        covered_from=now - dt.timedelta(days=365 * 5),
        covered_until=now + dt.timedelta(days=365 * 10),
        extended_at=now,
    )


def _fields(n: int) -> dict:
    return {
        "title_en": "Delegation visit" if n % 2 else "Forum",
        "kind": Event.Kind.FORUM,
        "status": Event.Status.CONFIRMED,
        "timezone": "Asia/Magadan",
        "start": dt.datetime(2031, 5, 9 + n, 10, 0),
        "end": dt.datetime(2031, 5, 9 + n, 12, 0),
        "rrule": "FREQ=YEARLY" if n == 3 else "",
    }


MOVE = {
    "original_start": dt.datetime(2032, 5, 12, 10, 0),
    "start": dt.datetime(2032, 5, 13, 15, 0),
    "end": dt.datetime(2032, 5, 13, 16, 0),
}


def _snapshot(events: list[Event]) -> list[tuple]:
    rows = []
    for event in events:
        event.refresh_from_db()
        rows.append(
            (
                event.title_en,
                event.start,
                event.end,
                event.rrule,
                event.sequence,
                sorted(event.participations.values_list("city_id", "role")),
                sorted(
                    OccurrenceChange.objects.filter(event=event).values_list(
                        "original_start", "start", "sequence"
                    )
                ),
                sorted(
                    IndexedOccurrence.objects.filter(event=event).values_list(
                        "city_id", "start", "moved"
                    )
                ),
            )
        )
    return rows


def test_create_events_matches_create_event_one_at_a_time(indexed):
    city = CityFactory()
    places = [services.ParticipationInput(city_id=city.pk, role="host")]
    one_by_one = []
    for n in range(4):
        event = services.create_event(participations=places, **_fields(n))
        if n == 3:
            services.change_occurrence(event=event, **MOVE)
        one_by_one.append(event)

    batch = services.create_events(
        items=[
            services.NewEvent(fields=_fields(n), occurrence_changes=[MOVE] if n == 3 else [])
            for n in range(4)
        ],
        participations=places,
    )

    assert _snapshot(batch) == _snapshot(one_by_one)
    assert [e.slug for e in one_by_one] == [
        "forum",
        "delegation-visit",
        "forum-2",
        "delegation-visit-2",
    ]
    assert [e.slug for e in batch] == [
        "forum-3",
        "delegation-visit-3",
        "forum-4",
        "delegation-visit-4",
    ]
    assert PlanRequest.objects.filter(event__in=batch).count() == 4


def test_create_events_refuses_every_bad_item_and_stores_nothing(indexed):
    bad_end = {**_fields(0), "end": dt.datetime(2031, 5, 9, 9, 0)}
    no_title = {**_fields(1), "title_en": ""}

    with pytest.raises(services.EventsRefused) as info:
        services.create_events(
            items=[
                services.NewEvent(fields=_fields(2)),
                services.NewEvent(fields=bad_end),
                services.NewEvent(fields=no_title),
            ]
        )

    assert {i: e.message_dict for i, e in info.value.errors.items()} == {
        1: {"end": ["The end is before the start."]},
        2: {"title_en": ["Give a title in English or Russian."]},
    }
    assert Event.objects.count() == 0


def test_update_events_matches_update_event_one_at_a_time(indexed):
    city, other = CityFactory(), CityFactory()
    places = [services.ParticipationInput(city_id=city.pk, role="host")]
    a = [services.create_event(participations=places, **_fields(n)) for n in range(4)]
    b = [services.create_event(participations=places, **_fields(n)) for n in range(4)]
    edits = [
        {"title_en": "Renamed"},  # not a schedule change: SEQUENCE stays
        {"start": dt.datetime(2031, 6, 1, 10, 0), "end": dt.datetime(2031, 6, 1, 11, 0)},
        {},
        {"location": "City hall"},
    ]
    moved_places = [services.ParticipationInput(city_id=other.pk, role="guest_delegation")]
    for event, fields in zip(a, edits, strict=True):
        services.update_event(event=event, participations=moved_places, **fields)
    services.change_occurrence(event=a[3], **MOVE)
    ChangeNotice.objects.all().delete()

    services.update_events(
        items=[
            services.EventEdit(event_id=e.pk, fields=f, occurrence_changes=[MOVE] if n == 3 else [])
            for n, (e, f) in enumerate(zip(b, edits, strict=True))
        ],
        participations=moved_places,
    )

    assert _snapshot(b) == _snapshot(a)
    assert ChangeNotice.objects.filter(event__in=b).count() == 4  # places changed for all


def test_update_events_title_only_moves_no_sequence_and_sends_no_notice(indexed):
    event = services.create_event(**_fields(0))

    services.update_events(items=[services.EventEdit(event_id=event.pk, fields={"title_en": "X"})])

    event.refresh_from_db()
    assert (event.title_en, event.sequence) == ("X", 0)
    assert not ChangeNotice.objects.filter(event=event).exists()
