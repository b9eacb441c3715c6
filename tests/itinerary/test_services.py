"""The itinerary's write rules: zones per leg end, date line, DST gap, overlaps, margins."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from events import services
from events.itinerary import leg_times, programme_days
from events.models import Event, ItineraryLeg
from tests.factories import CityFactory, EventFactory

pytestmark = pytest.mark.django_db


def _codes(exc: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in exc.error_dict.items()}


def test_add_leg_reads_each_end_in_its_own_city_zone(flight):
    assert flight.departs_at == dt.datetime(2030, 5, 9, 6, 0, tzinfo=dt.UTC)
    assert flight.arrives_at == dt.datetime(2030, 5, 9, 10, 30, tzinfo=dt.UTC)
    assert flight.local_departure.isoformat() == "2030-05-08T22:00:00-08:00"
    assert flight.local_arrival.isoformat() == "2030-05-09T21:30:00+11:00"


def test_leg_times_anchorage_to_magadan_arrives_next_day_across_date_line(flight):
    times = leg_times(flight)

    assert (times.day_shift, times.crosses_date_line) == (1, True)
    assert times.duration == dt.timedelta(hours=4, minutes=30)


def test_leg_times_magadan_to_anchorage_arrives_the_previous_day(visit, anchorage, magadan):
    leg = services.add_leg(
        event=visit,
        departure_city=magadan.pk,
        departs_at=dt.datetime(2030, 5, 12, 10, 0),
        arrival_city=anchorage.pk,
        arrives_at=dt.datetime(2030, 5, 11, 19, 0),
    )

    assert (leg_times(leg).day_shift, leg_times(leg).crosses_date_line) == (-1, True)


def test_leg_times_without_date_line_when_clocks_are_close(visit, magadan):
    khabarovsk = CityFactory(slug="khabarovsk", country="RU", timezone="Asia/Vladivostok")
    leg = services.add_leg(
        event=visit,
        departure_city=khabarovsk.pk,
        departs_at=dt.datetime(2030, 5, 9, 8, 0),
        arrival_city=magadan.pk,
        arrives_at=dt.datetime(2030, 5, 9, 11, 0),
    )

    assert (leg_times(leg).day_shift, leg_times(leg).crosses_date_line) == (0, False)


def test_add_leg_arrival_before_departure_in_utc_is_refused_on_arrives_at(
    visit, anchorage, magadan
):
    # 9 May 08:00 in Magadan is 8 May 21:00 UTC: before 8 May 22:00 in Anchorage (9 May 06:00).
    with pytest.raises(ValidationError) as caught:
        services.add_leg(
            event=visit,
            departure_city=anchorage.pk,
            departs_at=dt.datetime(2030, 5, 8, 22, 0),
            arrival_city=magadan.pk,
            arrives_at=dt.datetime(2030, 5, 9, 8, 0),
        )

    assert _codes(caught.value) == {"arrives_at": ["arrives_before_departs"]}
    assert ItineraryLeg.objects.count() == 0


def test_add_leg_overlapping_another_is_refused_naming_the_leg(flight, visit, anchorage, magadan):
    with pytest.raises(ValidationError) as caught:
        services.add_leg(
            event=visit,
            departure_city=anchorage.pk,
            departs_at=dt.datetime(2030, 5, 9, 0, 0),
            arrival_city=magadan.pk,
            arrives_at=dt.datetime(2030, 5, 10, 0, 0),
        )

    assert _codes(caught.value) == {"departs_at": ["overlap"]}
    assert (
        f"leg {flight.pk} (Anchorage → Magadan" in caught.value.error_dict["departs_at"][0].message
    )


def test_add_leg_touching_the_previous_one_is_allowed(flight, visit, magadan):
    leg = services.add_leg(
        event=visit,
        mode="transfer",
        departure_city=magadan.pk,
        departs_at=flight.arrives_at,
        arrival_city=magadan.pk,
        arrives_at=flight.arrives_at + dt.timedelta(hours=1),
    )

    assert list(visit.itinerary_legs.all()) == [flight, leg]


def test_update_leg_does_not_overlap_itself(flight):
    leg = services.update_leg(leg=flight, arrives_at=dt.datetime(2030, 5, 9, 22, 0))

    assert (leg.sequence, leg.arrives_at.hour) == (1, 11)


def test_update_leg_same_values_changes_nothing(flight):
    before = Event.objects.get(pk=flight.event_id).updated_at

    leg = services.update_leg(leg=flight, reference="PC 123")

    assert leg.sequence == 0
    assert Event.objects.get(pk=flight.event_id).updated_at == before


@pytest.mark.parametrize("field", ["departure_city", "arrival_city"])
@pytest.mark.parametrize("value", [999_999, "anchorage", None])
def test_add_leg_unknown_city_is_refused_naming_the_field(visit, anchorage, field, value):
    fields = {
        "departure_city": anchorage.pk,
        "departs_at": dt.datetime(2030, 5, 9, 10, 0),
        "arrival_city": anchorage.pk,
        "arrives_at": dt.datetime(2030, 5, 9, 12, 0),
    }
    fields[field] = value

    with pytest.raises(ValidationError) as caught:
        services.add_leg(event=visit, **fields)

    assert list(caught.value.error_dict) == [field]


def test_add_leg_place_with_line_break_is_refused(visit, anchorage):
    with pytest.raises(ValidationError) as caught:
        services.add_leg(
            event=visit,
            departure_city=anchorage.pk,
            departure_place="Gate 1\nGate 2",
            departs_at=dt.datetime(2030, 5, 9, 10, 0),
            arrival_city=anchorage.pk,
            arrives_at=dt.datetime(2030, 5, 9, 12, 0),
        )

    assert _codes(caught.value) == {"departure_place": ["line_break"]}


def test_add_leg_departure_in_anchorage_dst_gap_is_refused(anchorage, magadan):
    # Anchorage skips 02:00-03:00 on 10 March 2030.
    event = EventFactory(
        kind=Event.Kind.DELEGATION_VISIT,
        timezone="Asia/Magadan",
        start=dt.datetime(2030, 3, 10, 0, 0, tzinfo=dt.UTC),
        end=dt.datetime(2030, 3, 12, 0, 0, tzinfo=dt.UTC),
    )

    with pytest.raises(ValidationError) as caught:
        services.add_leg(
            event=event,
            departure_city=anchorage.pk,
            departs_at=dt.datetime(2030, 3, 10, 2, 30),
            arrival_city=magadan.pk,
            arrives_at=dt.datetime(2030, 3, 11, 12, 0),
        )

    (message,) = caught.value.message_dict["departs_at"]
    assert "does not exist in America/Anchorage" in message


def test_add_leg_arrival_is_read_in_arrival_zone_not_departure_zone(anchorage, magadan):
    # 02:30 on 10 March 2030 exists in Magadan (no DST) though not in Anchorage.
    event = EventFactory(
        kind=Event.Kind.DELEGATION_VISIT,
        start=dt.datetime(2030, 3, 10, 0, 0, tzinfo=dt.UTC),
    )
    leg = services.add_leg(
        event=event,
        departure_city=anchorage.pk,
        departs_at=dt.datetime(2030, 3, 9, 0, 30),
        arrival_city=magadan.pk,
        arrives_at=dt.datetime(2030, 3, 10, 2, 30),
    )

    assert leg.arrives_at == dt.datetime(2030, 3, 9, 15, 30, tzinfo=dt.UTC)


def test_add_leg_within_three_days_of_the_event_is_allowed_beyond_is_refused(
    visit, anchorage, magadan
):
    # The visit starts 9 May 00:00 Magadan (8 May 13:00 UTC): 5 May 14:00 UTC is inside.
    services.add_leg(
        event=visit,
        departure_city=anchorage.pk,
        departs_at=dt.datetime(2030, 5, 5, 14, 0, tzinfo=dt.UTC),
        arrival_city=anchorage.pk,
        arrives_at=dt.datetime(2030, 5, 5, 15, 0, tzinfo=dt.UTC),
    )
    with pytest.raises(ValidationError) as caught:
        services.add_leg(
            event=visit,
            departure_city=magadan.pk,
            departs_at=dt.datetime(2030, 5, 16, 10, 0),
            arrival_city=anchorage.pk,
            arrives_at=dt.datetime(2030, 5, 16, 0, 0),
        )

    assert _codes(caught.value) == {"departs_at": ["outside_event"]}


def test_add_leg_to_an_event_that_is_not_a_delegation_visit_is_refused(anchorage):
    event = EventFactory(kind=Event.Kind.FESTIVAL)

    with pytest.raises(ValidationError) as caught:
        services.add_leg(
            event=event,
            departure_city=anchorage.pk,
            departs_at=dt.datetime(2030, 6, 1, 8, 0),
            arrival_city=anchorage.pk,
            arrives_at=dt.datetime(2030, 6, 1, 9, 0),
        )

    assert _codes(caught.value) == {"event": ["not_a_delegation_visit"]}


def test_add_leg_saves_the_event_so_feed_fragments_go_stale(visit, anchorage):
    before = Event.objects.get(pk=visit.pk).updated_at

    services.add_leg(
        event=visit,
        departure_city=anchorage.pk,
        departs_at=dt.datetime(2030, 5, 9, 10, 0),
        arrival_city=anchorage.pk,
        arrives_at=dt.datetime(2030, 5, 9, 11, 0),
    )

    assert Event.objects.get(pk=visit.pk).updated_at > before


def test_delete_leg_removes_it(flight):
    services.delete_leg(leg=flight)

    assert ItineraryLeg.objects.count() == 0


def test_add_programme_item_defaults_to_the_host_city_and_its_zone(visit, magadan):
    item = services.add_programme_item(
        event=visit,
        kind="ceremony",
        title_en="Wreath-laying at the ALSIB monument",
        title_ru="Возложение венков к памятнику героям АЛСИБа",
        starts_at=dt.datetime(2030, 5, 10, 11, 0),
        ends_at=dt.datetime(2030, 5, 10, 12, 0),
    )

    assert item.city == magadan
    assert item.local_start.isoformat() == "2030-05-10T11:00:00+11:00"


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"title_en": "", "title_ru": ""}, {"title_en": ["required"]}),
        ({"ends_at": dt.datetime(2030, 5, 10, 10, 0)}, {"ends_at": ["end_before_start"]}),
        ({"city": 424242}, {"city": ["unknown_city"]}),
        ({"starts_at": dt.datetime(2030, 6, 1, 10, 0)}, {"starts_at": ["outside_event"]}),
        ({"kind": "party"}, {"kind": ["invalid"]}),
    ],
)
def test_add_programme_item_bad_input_names_the_field(visit, fields, error):
    values = {"title_en": "Meeting", "starts_at": dt.datetime(2030, 5, 10, 11, 0), **fields}

    with pytest.raises(ValidationError) as caught:
        services.add_programme_item(event=visit, **values)

    assert _codes(caught.value) == error


def test_programme_days_groups_by_host_date_with_guest_time_beside(flight, visit, magadan):
    item = services.add_programme_item(
        event=visit, title_en="Meeting with the mayor", starts_at=dt.datetime(2030, 5, 10, 10, 0)
    )

    days = programme_days([flight], [item], magadan.zone, flight.departure_city.zone)

    assert [d.date for d in days] == [dt.date(2030, 5, 9), dt.date(2030, 5, 10)]
    entry = days[1].entries[0]
    assert (entry.host_time.hour, entry.guest_time.day, entry.guest_time.hour) == (10, 9, 15)
