"""Reading the API: visibility rules, per-city local times, occurrences, anniversaries."""

import datetime as dt

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from events import services
from events.models import Event, Partnership
from tests.factories import (
    CityFactory,
    ContactFactory,
    EventFactory,
    ParticipationFactory,
    PartnershipFactory,
)

UTC = dt.UTC
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_mode")]


@pytest.fixture
def wreath_laying(egvekinot, fairbanks):
    return services.create_event(
        title_en="ALSIB wreath-laying",
        title_ru="Возложение венков АЛСИБ",
        kind=Event.Kind.COMMEMORATION,
        status=Event.Status.CONFIRMED,
        timezone="Asia/Anadyr",
        start=dt.datetime(2020, 5, 9, 12, 0),
        participations=[
            services.ParticipationInput(city_id=egvekinot.pk, role="host", venue="Memorial"),
            services.ParticipationInput(city_id=fairbanks.pk, role="co_host"),
        ],
    )


def _by_slug(cities):
    return {item["city"]["slug"]: item for item in cities}


def test_occurrences_instant_event_gives_each_city_its_own_date(api_client, wreath_laying):
    response = api_client.get("/api/occurrences/", {"start": "2020-05-08", "end": "2020-05-09"})

    assert response.status_code == 200
    [occurrence] = response.json()["results"]
    cities = _by_slug(occurrence["cities"])
    assert occurrence["start_utc"] == "2020-05-09T00:00:00Z"
    assert occurrence["start_local"] == "2020-05-09T12:00:00+12:00"
    assert occurrence["time_mode"] == "instant"
    assert (cities["egvekinot"]["local_date"], cities["egvekinot"]["local_time"]) == (
        "2020-05-09",
        "12:00",
    )
    assert (cities["fairbanks"]["local_date"], cities["fairbanks"]["local_time"]) == (
        "2020-05-08",
        "16:00",
    )
    assert cities["fairbanks"]["start"] == "2020-05-08T16:00:00-08:00"
    assert cities["egvekinot"]["venue"] == "Memorial"
    assert cities["fairbanks"]["role"] == "co_host"
    assert occurrence["cancelled"] is False
    assert occurrence["recurrence_id"] is None


def test_occurrences_local_mode_yearly_repeats_wall_clock_in_each_city(
    api_client, egvekinot, fairbanks
):
    services.create_event(
        title_en="Victory Day ceremony",
        kind=Event.Kind.COMMEMORATION,
        status=Event.Status.CONFIRMED,
        time_mode=Event.TimeMode.LOCAL,
        timezone="Asia/Anadyr",
        start=dt.datetime(2020, 5, 9, 10, 0),
        rrule="FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=9",
        participations=[
            services.ParticipationInput(city_id=egvekinot.pk, role="host"),
            services.ParticipationInput(city_id=fairbanks.pk, role="host"),
        ],
    )

    response = api_client.get("/api/occurrences/", {"start": "2021-05-01", "end": "2022-05-31"})

    results = response.json()["results"]
    assert [r["start_local"][:10] for r in results] == ["2021-05-09", "2022-05-09"]
    for result in results:
        cities = _by_slug(result["cities"])
        assert result["time_mode"] == "local"
        assert result["recurrence_id"] is not None
        assert cities["fairbanks"]["local_time"] == cities["egvekinot"]["local_time"] == "10:00"
        assert cities["fairbanks"]["local_date"] == cities["egvekinot"]["local_date"]
    # Alaska keeps 10:00 local across its DST: -08:00 in May.
    assert _by_slug(results[0]["cities"])["fairbanks"]["start"] == "2021-05-09T10:00:00-08:00"


def test_occurrences_applies_moved_and_cancelled_instances(api_client, fairbanks):
    event = services.create_event(
        title_en="Annual memorial",
        kind=Event.Kind.COMMEMORATION,
        status=Event.Status.CONFIRMED,
        timezone="America/Anchorage",
        start=dt.datetime(2020, 5, 9, 10, 0),
        end=dt.datetime(2020, 5, 9, 11, 0),
        rrule="FREQ=YEARLY",
        participations=[services.ParticipationInput(city_id=fairbanks.pk, role="host")],
    )
    services.change_occurrence(
        event=event, original_start=dt.datetime(2021, 5, 9, 10, 0), cancelled=True
    )
    services.change_occurrence(
        event=event,
        original_start=dt.datetime(2022, 5, 9, 10, 0),
        start=dt.datetime(2022, 5, 10, 15, 0),
        end=dt.datetime(2022, 5, 10, 16, 0),
        location="City hall",
    )

    results = api_client.get(
        "/api/occurrences/", {"start": "2021-01-01", "end": "2022-12-31"}
    ).json()["results"]

    assert [(r["start_local"], r["cancelled"], r["moved"]) for r in results] == [
        ("2021-05-09T10:00:00-08:00", True, False),
        ("2022-05-10T15:00:00-08:00", False, True),
    ]
    assert results[1]["location"] == "City hall"


def test_occurrences_across_dst_change_keep_local_hour(api_client):
    city = CityFactory(timezone="America/New_York")
    services.create_event(
        title_en="Weekly call",
        kind=Event.Kind.ONLINE_MEETING,
        status=Event.Status.CONFIRMED,
        timezone="America/New_York",
        start=dt.datetime(2024, 3, 3, 9, 0),
        rrule="FREQ=WEEKLY;COUNT=3",
        participations=[services.ParticipationInput(city_id=city.pk)],
    )

    results = api_client.get(
        "/api/occurrences/", {"start": "2024-03-01", "end": "2024-03-31"}
    ).json()["results"]

    assert [r["start_utc"] for r in results] == [
        "2024-03-03T14:00:00Z",
        "2024-03-10T13:00:00Z",
        "2024-03-17T13:00:00Z",
    ]
    assert {r["start_local"][11:16] for r in results} == {"09:00"}


@pytest.mark.parametrize(
    ("status", "visibility", "visible"),
    [
        (Event.Status.CONFIRMED, Event.Visibility.PUBLIC, True),
        (Event.Status.CANCELLED, Event.Visibility.PUBLIC, True),
        (Event.Status.TENTATIVE, Event.Visibility.PUBLIC, False),
        (Event.Status.CONFIRMED, Event.Visibility.INTERNAL, False),
    ],
)
def test_anonymous_sees_only_public_confirmed_or_cancelled(api_client, status, visibility, visible):
    city = CityFactory()
    event = EventFactory(status=status, visibility=visibility, title_en="Секретное событие")
    ParticipationFactory(event=event, city=city)
    expected = [event.pk] if visible else []

    listed = [e["id"] for e in api_client.get("/api/events/").json()["results"]]
    filtered = [
        e["id"] for e in api_client.get("/api/events/", {"city": city.pk}).json()["results"]
    ]
    searched = [
        e["id"] for e in api_client.get("/api/events/", {"search": "Секрет"}).json()["results"]
    ]
    occurrences = [
        o["event"]["id"]
        for o in api_client.get(
            "/api/occurrences/", {"start": "2030-06-01", "end": "2030-06-01", "city": city.pk}
        ).json()["results"]
    ]
    detail = api_client.get(f"/api/events/{event.pk}/")

    assert (listed, filtered, searched, occurrences) == (expected, expected, expected, expected)
    assert detail.status_code == (200 if visible else 404)


def test_coordinator_sees_tentative_and_internal_events(coordinator_api_client):
    tentative = EventFactory(status=Event.Status.TENTATIVE)
    internal = EventFactory(visibility=Event.Visibility.INTERNAL)

    listed = {e["id"] for e in coordinator_api_client.get("/api/events/").json()["results"]}

    assert listed == {tentative.pk, internal.pk}


def test_contacts_are_never_shown_to_anonymous_users(api_client):
    contact = ContactFactory(email="mayor@example.org")

    responses = [
        api_client.get("/api/contacts/"),
        api_client.get(f"/api/contacts/{contact.pk}/"),
        api_client.get("/api/contacts/", {"search": "mayor"}),
    ]

    assert {r.status_code for r in responses} <= {401, 403}
    assert all(b"mayor@example.org" not in r.content for r in responses)
    assert b"mayor@example.org" not in api_client.get("/api/cities/").content


def test_coordinator_lists_contacts(coordinator_api_client):
    ContactFactory(email="mayor@example.org", name="Мэрия Магадана")

    response = coordinator_api_client.get("/api/contacts/", {"search": "Мэрия"})

    assert [c["email"] for c in response.json()["results"]] == ["mayor@example.org"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"country": "ru"}, ["ru-fest"]),
        ({"kind": "forum"}, ["us-forum"]),
        ({"status": "cancelled"}, ["us-forum"]),
        ({"date_from": "2031-01-01"}, ["us-forum"]),
        ({"date_to": "2030-12-31"}, ["ru-fest"]),
        ({"search": "Джаз"}, ["ru-fest"]),
        ({"ordering": "-start"}, ["us-forum", "ru-fest"]),
    ],
)
def test_event_list_filters(api_client, params, expected):
    tula = CityFactory(country="RU", name_en="Tula", name_native="Тула", timezone="Europe/Moscow")
    albany = CityFactory(country="US", name_en="Albany")
    fest = EventFactory(slug="ru-fest", title_ru="Джазовый поезд")
    forum = EventFactory(
        slug="us-forum",
        kind=Event.Kind.FORUM,
        status=Event.Status.CANCELLED,
        start=dt.datetime(2031, 1, 5, 10, tzinfo=UTC),
        end=None,
    )
    ParticipationFactory(event=fest, city=tula)
    ParticipationFactory(event=fest, city=albany)
    ParticipationFactory(event=forum, city=albany)

    response = api_client.get("/api/events/", params)

    assert response.status_code == 200
    assert [e["slug"] for e in response.json()["results"]] == expected


def test_event_list_filters_by_partnership(api_client):
    pair = PartnershipFactory()
    linked = EventFactory(partnership=pair)
    EventFactory()

    response = api_client.get("/api/events/", {"partnership": pair.pk})

    assert [e["id"] for e in response.json()["results"]] == [linked.pk]


def test_city_search_in_cyrillic(api_client, egvekinot, fairbanks):
    response = api_client.get("/api/cities/", {"search": "Эгвекинот"})

    assert [c["slug"] for c in response.json()["results"]] == ["egvekinot"]


def test_partnership_shows_age_next_anniversary_and_status_history(api_client, settings):
    a, b = CityFactory(), CityFactory()
    pair = services.create_partnership(
        city_a_id=a.pk, city_b_id=b.pk, established_on=dt.date(1996, 2, 29)
    )
    services.change_partnership_status(
        partnership=pair, status=Partnership.Status.SUSPENDED, changed_on=dt.date(2022, 3, 1)
    )

    body = api_client.get(f"/api/partnerships/{pair.pk}/").json()

    assert body["status"] == "suspended"
    assert [(c["status"], c["changed_on"]) for c in body["status_history"]] == [
        ("suspended", "2022-03-01")
    ]
    assert isinstance(body["age"], int)
    assert body["next_anniversary"]["years"] == body["age"] + 1


def test_anniversaries_lists_milestones_in_window(api_client):
    tagil = CityFactory(name_en="Nizhny Tagil", country="RU")
    chattanooga = CityFactory(name_en="Chattanooga")
    services.create_partnership(
        city_a_id=tagil.pk, city_b_id=chattanooga.pk, established_on=dt.date(1996, 6, 1)
    )

    milestones = api_client.get("/api/anniversaries/", {"start": "2021-01-01", "end": "2021-12-31"})
    none = api_client.get("/api/anniversaries/", {"start": "2022-01-01", "end": "2022-12-31"})

    [anniversary] = milestones.json()["results"]
    assert (anniversary["years"], anniversary["date"]) == (25, "2021-06-01")
    assert none.json()["results"] == []


def test_anniversaries_default_window_is_the_next_year(api_client):
    response = api_client.get("/api/anniversaries/")

    assert response.status_code == 200


def test_anonymous_requests_are_throttled(monkeypatch, db):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    client = APIClient(REMOTE_ADDR="192.0.2.77")

    codes = [client.get("/api/cities/").status_code for _ in range(5)]

    assert codes == [200, 200, 200, 429, 429]


def test_anniversary_of_29_february_falls_on_the_28th_in_a_common_year(api_client):
    # The same day the anniversary reminders use (notifications.anniversary_planning).
    a, b = CityFactory(), CityFactory()
    services.create_partnership(city_a_id=a.pk, city_b_id=b.pk, established_on=dt.date(1996, 2, 29))

    found = api_client.get("/api/anniversaries/", {"start": "2021-01-01", "end": "2021-12-31"})

    assert [r["date"] for r in found.json()["results"]] == ["2021-02-28"]


def test_occurrences_of_one_city_partnership_or_country(api_client):
    """?city=, ?partnership= and ?country= (the index reads their own list rows): the same
    events either way, a linked event on its pair's list though only one of the pair's cities
    takes part, an event of two cities of one country listed once under it."""
    a, b, c = CityFactory(country="RU"), CityFactory(country="US"), CityFactory(country="RU")
    pair = services.create_partnership(city_a_id=a.pk, city_b_id=b.pk)
    start = dt.datetime(2030, 6, 10, 9, 0, tzinfo=dt.UTC)
    made = {}
    for name, cities, linked in [
        ("a", [a], None),
        ("b", [b], None),
        ("ab", [a, b], None),
        ("c-linked", [c], pair),
        ("c", [c], None),
        ("abc-yearly", [a, b, c], None),
    ]:
        event = EventFactory(
            title_en=name,
            start=start,
            end=start + dt.timedelta(hours=1),
            partnership=linked,
            rrule="FREQ=YEARLY" if "yearly" in name else "",
        )
        for city in cities:
            ParticipationFactory(event=event, city=city)
        made[event.pk] = name

    def titles(**params):
        found = api_client.get(
            "/api/occurrences/", {"start": "2030-06-01", "end": "2030-06-30", **params}
        )
        assert found.status_code == 200, found.content
        return sorted(made[o["event"]["id"]] for o in found.json()["results"])

    assert titles(city=a.pk) == ["a", "ab", "abc-yearly"]
    assert titles(city=c.pk) == ["abc-yearly", "c", "c-linked"]
    assert titles(partnership=pair.pk) == ["ab", "abc-yearly", "c-linked"]
    assert titles(partnership=pair.pk, city=c.pk) == ["abc-yearly", "c-linked"]
    assert titles(country="RU") == ["a", "ab", "abc-yearly", "c", "c-linked"]
    assert titles(country="us") == ["ab", "abc-yearly", "b"]
    assert titles(country="RU", city=b.pk) == ["ab", "abc-yearly"]
    assert titles(country="US", partnership=pair.pk) == ["ab", "abc-yearly"]
    assert titles(country="RU", kind=Event.Kind.FORUM) == []
    assert titles(country="XX") == []
