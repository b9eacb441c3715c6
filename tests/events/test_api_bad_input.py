"""Every bad request is a 400 naming the field, stores nothing, and is never a 500."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from events import services
from events.models import City, Event, OccurrenceChange, Participation, Partnership
from tests.factories import CityFactory, EventFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_cities(db):
    return (
        CityFactory(name_en="Tula", name_native="Тула", country="RU", timezone="Europe/Moscow"),
        CityFactory(name_en="Albany", timezone="America/New_York"),
    )


def _event(cities, **overrides):
    body = {
        "title_en": "Delegation to Tula",
        "title_ru": "Делегация в Тулу",
        "kind": "delegation_visit",
        "timezone": "America/New_York",
        "start": "2024-06-01T10:00",
        "end": "2024-06-01T12:00",
        "participations": [
            {"city": cities[0].pk, "role": "host"},
            {"city": cities[1].pk, "role": "guest_delegation"},
        ],
    }
    body.update(overrides)
    return body


def _counts():
    return (
        Event.objects.count(),
        Participation.objects.count(),
        City.objects.count(),
        Partnership.objects.count(),
        OccurrenceChange.objects.count(),
    )


EVENT_CASES = [
    ("end_before_start", {"end": "2024-06-01T09:00"}, "end"),
    (
        "end_before_start_aware",
        {"start": "2024-06-01T10:00+03:00", "end": "2024-06-01T09:00+03:00"},
        "end",
    ),
    ("unknown_zone", {"timezone": "Mars/Olympus_Mons"}, "timezone"),
    ("cyrillic_zone", {"timezone": "Европа/Москва"}, "timezone"),
    ("zone_path_traversal", {"timezone": "../../etc/passwd"}, "timezone"),
    ("dst_gap", {"start": "2024-03-10T02:30", "end": None}, "start"),
    ("dst_fold", {"start": "2024-11-03T01:30", "end": None}, "start"),
    ("dst_gap_end", {"start": "2024-03-10T01:00", "end": "2024-03-10T02:15"}, "end"),
    ("malformed_rrule", {"rrule": "FREQ=YEARLY;BYMONTH=13"}, "rrule"),
    ("garbage_rrule", {"rrule": "каждый год"}, "rrule"),
    ("hourly_rrule", {"rrule": "FREQ=HOURLY"}, "rrule"),
    ("minutely_rrule", {"rrule": "FREQ=MINUTELY;COUNT=5"}, "rrule"),
    ("huge_count_rrule", {"rrule": "FREQ=DAILY;COUNT=1000000"}, "rrule"),
    ("never_rrule", {"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}, "rrule"),
    ("rrule_injection", {"rrule": "FREQ=DAILY\nDTSTART:19000101T000000"}, "rrule"),
    ("no_title", {"title_en": "", "title_ru": "   "}, "title_en"),
    ("huge_title", {"title_en": "Ж" * 5000}, "title_en"),
    ("huge_description", {"description_ru": "Ж" * 100_000}, "description_ru"),
    ("wrong_type_start", {"start": 12345}, "start"),
    ("garbage_start", {"start": "9 мая 2020"}, "start"),
    ("far_year_start", {"start": "9999-12-31T23:59+14:00", "end": None}, "start"),
    ("tiny_year_start", {"start": "0001-01-01T00:00", "end": None}, "start"),
    ("wrong_type_title", {"title_en": ["a", "b"]}, "title_en"),
    ("cyrillic_kind", {"kind": "фестиваль"}, "kind"),
    ("unknown_kind", {"kind": 5}, "kind"),
    ("unknown_time_mode", {"time_mode": "both"}, "time_mode"),
    ("participations_not_list", {"participations": "Тула"}, "participations"),
    ("unknown_city", {"participations": [{"city": 987654321}]}, "participations"),
    ("huge_city_id", {"participations": [{"city": 2**70}]}, "participations"),
    ("negative_city_id", {"participations": [{"city": -1}]}, "participations"),
    ("duplicate_city", None, "participations"),
    ("unknown_role", None, "participations"),
    ("unknown_partnership", {"partnership": 424242}, "partnership"),
    ("bad_exdate", {"rrule": "FREQ=YEARLY", "exdates": ["не дата"]}, "exdates"),
    # 2024-06-01 is a Saturday: RFC 5545 would count it as an extra instance, dateutil not.
    ("rrule_not_matching_start", {"rrule": "FREQ=MONTHLY;BYDAY=2SU"}, "rrule"),
    (
        "rrule_not_matching_start_date",
        {"precision": "day", "start_date": "2024-06-01", "rrule": "FREQ=YEARLY;BYMONTHDAY=9"},
        "rrule",
    ),
    ("exdate_without_rule", {"exdates": ["2025-06-01T10:00"]}, "exdates"),
    ("bad_url", {"online_url": "javascript:alert(1)"}, "online_url"),
    ("day_without_date", {"precision": "day", "start_date": None}, "start_date"),
    ("month_without_year", {"precision": "month", "approx_month": 2}, "approx_year"),
    (
        "month_out_of_range",
        {"precision": "month", "approx_year": 2020, "approx_month": 13},
        "approx_month",
    ),
    ("bad_slug", {"slug": "не слаг!"}, "slug"),
    # One-line fields hold no line break (feeds, mail subjects and CSV would split on it).
    ("lf_in_title", {"title_en": "Jazz\nTrain"}, "title_en"),
    ("cr_in_russian_title", {"title_ru": "Джаз\rпоезд"}, "title_ru"),
    ("crlf_in_location", {"location": "Tula\r\nKremlin"}, "location"),
    ("line_separator_in_title", {"title_en": "Jazz\u2028Train"}, "title_en"),
    (
        "lf_in_venue",
        {"participations": [{"city": 0, "role": "host", "venue": "Hall\nRoom 2"}]},
        "participations",
    ),
    # Geographic IANA zones only.
    ("localtime_zone", {"timezone": "localtime"}, "timezone"),
    ("factory_zone", {"timezone": "Factory"}, "timezone"),
    ("posix_zone", {"timezone": "posix/Europe/Moscow"}, "timezone"),
    ("right_zone", {"timezone": "right/UTC"}, "timezone"),
    ("posix_rule_zone", {"timezone": "EST5EDT"}, "timezone"),
    ("fixed_offset_zone", {"timezone": "Etc/GMT+3"}, "timezone"),
    # A timed event ends after it starts, and within a year.
    ("zero_length", {"end": "2024-06-01T10:00"}, "end"),
    ("zero_length_aware", {"start": "2024-06-01T10:00Z", "end": "2024-06-01T10:00Z"}, "end"),
    ("hundred_years", {"end": "2124-06-01T12:00"}, "end"),
    ("a_year_and_a_day", {"end": "2025-06-02T10:01"}, "end"),
    (
        "all_day_hundred_years",
        {"precision": "day", "start_date": "2024-06-01", "end_date": "2124-06-01"},
        "end_date",
    ),
]


@pytest.mark.parametrize(
    ("case", "overrides", "field"), EVENT_CASES, ids=[c[0] for c in EVENT_CASES]
)
def test_create_event_bad_input_is_400_naming_field(
    coordinator_api_client, two_cities, case, overrides, field
):
    body = _event(two_cities, **(overrides or {}))
    if case == "duplicate_city":
        body["participations"] = [{"city": two_cities[0].pk}, {"city": two_cities[0].pk}]
    if case == "unknown_role":
        body["participations"] = [{"city": two_cities[0].pk, "role": "mayor"}]
    if case == "lf_in_venue":
        body["participations"][0]["city"] = two_cities[0].pk
    before = _counts()

    response = coordinator_api_client.post("/api/events/", body, format="json")

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert _counts() == before


def test_update_event_bad_input_changes_nothing(coordinator_api_client, two_cities):
    created = coordinator_api_client.post("/api/events/", _event(two_cities), format="json").json()
    before = coordinator_api_client.get(f"/api/events/{created['id']}/").json()

    response = coordinator_api_client.patch(
        f"/api/events/{created['id']}/",
        {"title_en": "Moved", "start": "2024-03-10T02:30", "participations": [{"city": 1}]},
        format="json",
    )

    assert response.status_code == 400
    assert "start" in response.json()
    assert coordinator_api_client.get(f"/api/events/{created['id']}/").json() == before


def test_cyrillic_event_is_accepted(coordinator_api_client, two_cities):
    body = _event(two_cities, title_en="", title_ru="Джазовый поезд в Чаттанугу", location="Тула")

    response = coordinator_api_client.post("/api/events/", body, format="json")

    assert response.status_code == 201
    assert response.json()["title_ru"] == "Джазовый поезд в Чаттанугу"
    assert response.json()["slug"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"title_en": "Tula", ', "application/json"),
        ("[1, 2, 3]", "application/json"),
        ('"just a string"', "application/json"),
        ("\xff\xfe garbage", "application/json"),
        ("title_en=x", "text/plain"),
    ],
)
def test_malformed_body_is_4xx(coordinator_api_client, body, content_type):
    response = coordinator_api_client.generic(
        "POST", "/api/events/", body.encode("utf-8", "surrogateescape"), content_type
    )

    assert response.status_code in (400, 415)
    assert Event.objects.count() == 0


PARTNERSHIP_CASES = [
    ("self_pair", lambda a, b: {"city_a": a.pk, "city_b": a.pk}, "city_b"),
    ("duplicate_same_order", lambda a, b: {"city_a": a.pk, "city_b": b.pk}, "city_b"),
    ("duplicate_reversed", lambda a, b: {"city_a": b.pk, "city_b": a.pk}, "city_b"),
    ("unknown_city", lambda a, b: {"city_a": 99999, "city_b": b.pk}, "city_a"),
    ("text_city", lambda a, b: {"city_a": "Тула", "city_b": b.pk}, "city_a"),
    (
        "bad_date",
        lambda a, b: {"city_a": a.pk, "city_b": b.pk, "established_on": "1991-13-01"},
        "established_on",
    ),
    ("bad_status", lambda a, b: {"city_a": a.pk, "city_b": b.pk, "status": "frozen"}, "status"),
]


@pytest.mark.parametrize(
    ("case", "make_body", "field"), PARTNERSHIP_CASES, ids=[c[0] for c in PARTNERSHIP_CASES]
)
def test_create_partnership_bad_input(coordinator_api_client, two_cities, case, make_body, field):
    if case.startswith("duplicate"):
        PartnershipFactory(city_a=two_cities[0], city_b=two_cities[1])
    before = _counts()

    response = coordinator_api_client.post(
        "/api/partnerships/", make_body(*two_cities), format="json"
    )

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert _counts() == before


def test_update_partnership_into_duplicate_is_400(coordinator_api_client):
    a, b, c = CityFactory(), CityFactory(), CityFactory()
    PartnershipFactory(city_a=a, city_b=b)
    other = PartnershipFactory(city_a=a, city_b=c)

    response = coordinator_api_client.patch(
        f"/api/partnerships/{other.pk}/", {"city_b": a.pk, "city_a": b.pk}, format="json"
    )

    assert response.status_code == 400
    assert "city_b" in response.json()


CITY_CASES = [
    ("bad_zone", {"timezone": "Asia/Нарния"}, "timezone"),
    ("bad_country", {"country": "Russia"}, "country"),
    ("lowercase_country", {"country": "ru"}, "country"),
    ("bad_latitude", {"latitude": "91.0"}, "latitude"),
    ("huge_name", {"name_en": "x" * 1000}, "name_en"),
    ("missing_name", {"name_native": None}, "name_native"),
    ("lf_in_name", {"name_en": "Yakutsk\nCity"}, "name_en"),
    ("cr_in_native_name", {"name_native": "Як\rутск"}, "name_native"),
    ("lf_in_region", {"region": "Sakha\nYakutia"}, "region"),
    ("posix_zone", {"timezone": "posix/Asia/Yakutsk"}, "timezone"),
    ("localtime_zone", {"timezone": "localtime"}, "timezone"),
]


@pytest.mark.parametrize(("case", "overrides", "field"), CITY_CASES, ids=[c[0] for c in CITY_CASES])
def test_create_city_bad_input(coordinator_api_client, case, overrides, field):
    body = {
        "name_en": "Yakutsk",
        "name_native": "Якутск",
        "country": "RU",
        "timezone": "Asia/Yakutsk",
    }
    body.update(overrides)

    response = coordinator_api_client.post("/api/cities/", body, format="json")

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert City.objects.count() == 0


def test_duplicate_city_slug_is_400(coordinator_api_client):
    CityFactory(slug="yakutsk")
    body = {
        "name_en": "Yakutsk",
        "name_native": "Якутск",
        "country": "RU",
        "timezone": "Asia/Yakutsk",
    }

    response = coordinator_api_client.post("/api/cities/", body, format="json")

    assert response.status_code == 400
    assert "slug" in response.json()


WINDOW_CASES = [
    ("/api/occurrences/", {}, "start"),
    ("/api/occurrences/", {"start": "2020-05-01"}, "end"),
    ("/api/occurrences/", {"start": "2020-05-10", "end": "2020-05-01"}, "end"),
    ("/api/occurrences/", {"start": "2000-01-01", "end": "2030-01-01"}, "end"),
    ("/api/occurrences/", {"start": "вчера", "end": "2020-05-01"}, "start"),
    ("/api/occurrences/", {"start": "0001-01-01", "end": "0001-01-02"}, "start"),
    ("/api/occurrences/", {"start": "9999-12-30", "end": "9999-12-31"}, "start"),
    ("/api/occurrences/", {"start": "2020-05-01", "end": "2020-05-02", "city": "Тула"}, "city"),
    ("/api/occurrences/", {"start": "2020-05-01", "end": "2020-05-02", "city": str(2**70)}, "city"),
    ("/api/occurrences/", {"start": "2020-05-01", "end": "2020-05-02", "kind": "party"}, "kind"),
    ("/api/anniversaries/", {"start": "2021-01-01", "end": "2020-01-01"}, "end"),
    ("/api/anniversaries/", {"start": "2021-02-30"}, "start"),
    ("/api/anniversaries/", {"milestones_only": "может быть"}, "milestones_only"),
    ("/api/events/", {"date_from": "9999-12-31"}, "date_from"),
    ("/api/events/", {"date_to": "не дата"}, "date_to"),
    ("/api/events/", {"city": "-5"}, "city"),
    ("/api/events/", {"status": "maybe"}, "status"),
    ("/api/partnerships/", {"city": "x"}, "city"),
]


@pytest.mark.parametrize(("url", "params", "field"), WINDOW_CASES)
def test_bad_query_parameters_are_400_naming_parameter(api_client, url, params, field):
    response = api_client.get(url, params)

    assert response.status_code == 400
    assert field in response.json(), response.json()


@pytest.mark.parametrize(
    "url",
    ["/api/events/abc/", f"/api/events/{2**70}/", "/api/cities/0/", "/api/partnerships/-1/"],
)
def test_bad_ids_in_path_are_404(api_client, url):
    assert api_client.get(url).status_code == 404


def test_search_with_odd_characters_is_fine(api_client):
    for text in ["%", "_", "Эгвекинот", "'; DROP TABLE events_event; --", "\\", "🎺" * 50]:
        assert api_client.get("/api/events/", {"search": text}).status_code == 200


def test_occurrences_refuse_windows_that_expand_too_much(api_client, settings):
    settings.MAX_OCCURRENCES_PER_REQUEST = 50
    EventFactory(
        rrule="FREQ=DAILY",
        start=dt.datetime(2030, 1, 1, 10, tzinfo=dt.UTC),
        end=dt.datetime(2030, 1, 1, 11, tzinfo=dt.UTC),
    )

    response = api_client.get("/api/occurrences/", {"start": "2030-01-01", "end": "2030-12-31"})

    assert response.status_code == 400
    assert "more than 50 occurrences" in response.json()["end"][0]


@pytest.mark.parametrize(
    ("given", "stored"),
    [("Europe/Kiev", "Europe/Kyiv"), ("US/Alaska", "America/Anchorage"), ("Etc/UTC", "UTC")],
)
def test_zone_links_are_stored_under_their_canonical_name(
    coordinator_api_client, two_cities, given, stored
):
    city = coordinator_api_client.post(
        "/api/cities/",
        {"name_en": "Kyiv", "name_native": "Київ", "country": "UA", "timezone": given},
        format="json",
    )
    event = coordinator_api_client.post(
        "/api/events/", _event(two_cities, timezone=given), format="json"
    )

    assert (city.status_code, event.status_code) == (201, 201)
    assert (city.json()["timezone"], event.json()["timezone"]) == (stored, stored)


def test_contact_with_line_break_or_posix_zone_is_400(coordinator_api_client):
    good = {
        "name": "Mayor's office",
        "email": "mayor@tula.example",
        "language": "ru",
        "timezone": "Europe/Moscow",
    }

    broken_name = coordinator_api_client.post(
        "/api/contacts/", {**good, "name": "Mayor's\r\noffice"}, format="json"
    )
    posix_zone = coordinator_api_client.post(
        "/api/contacts/", {**good, "timezone": "posix/Europe/Moscow"}, format="json"
    )

    assert (broken_name.status_code, list(broken_name.json())) == (400, ["name"])
    assert (posix_zone.status_code, list(posix_zone.json())) == (400, ["timezone"])


def test_event_lasting_exactly_a_leap_year_is_accepted(coordinator_api_client, two_cities):
    body = _event(two_cities, start="2024-01-01T10:00", end="2025-01-01T10:00")

    response = coordinator_api_client.post("/api/events/", body, format="json")

    assert response.status_code == 201, response.json()


def test_stored_zero_length_event_can_still_be_cancelled_but_not_moved(db):
    from events import services

    legacy = EventFactory(
        start=dt.datetime(2030, 5, 9, 10, 0, tzinfo=dt.UTC),
        end=dt.datetime(2030, 5, 9, 10, 0, tzinfo=dt.UTC),
    )

    cancelled = services.cancel_event(event=legacy)

    assert cancelled.status == Event.Status.CANCELLED
    with pytest.raises(ValidationError) as info:
        services.update_event(event=legacy, start=dt.datetime(2030, 5, 9, 10, 0, tzinfo=dt.UTC))
    assert list(info.value.message_dict) == ["end"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"start": dt.datetime(9999, 12, 31, 23, 0)}, "start"),  # overflowed behind UTC: a 500
        ({"start": dt.datetime(1, 1, 1, 0, 30)}, "start"),
        ({"precision": "day", "start_date": dt.date(9999, 12, 31)}, "start_date"),
    ],
)
def test_services_refuse_years_the_calendar_cannot_handle(fields, named):
    with pytest.raises(ValidationError) as refused:
        services.create_event(title_en="Far", kind="other", timezone="America/Anchorage", **fields)

    assert named in refused.value.message_dict
    assert "between 1800 and 2500" in refused.value.message_dict[named][0]
