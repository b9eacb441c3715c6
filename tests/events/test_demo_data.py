"""The demo programme (manage.py load_demo): facts from the seed document, right geography,
idempotent loading."""

import datetime as dt
import re
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from events.demo import gazetteer
from events.demo.loader import cross_check
from events.demo.programme import CITIES
from events.models import (
    City,
    Contact,
    Event,
    OccurrenceChange,
    Participation,
    Partnership,
    PartnershipStatusChange,
)
from events.selectors import occurrences_between
from events.timezones import get_zone

UTC = dt.UTC
CYRILLIC = re.compile(r"^[\u0400-\u04FF\s\-]+$")

DOCUMENT_PAIRS = {
    frozenset(pair)
    for pair in [
        ("tula", "albany"),
        ("magadan", "anchorage"),
        ("yakutsk", "fairbanks"),
        ("yekaterinburg", "san-jose"),
        ("novorossiysk", "gainesville"),
        ("vladivostok", "juneau"),
        ("petrozavodsk", "duluth"),
        ("nizhny-tagil", "chattanooga"),
        ("tashkent", "seattle"),
        ("leningrad-region", "maryland"),
        ("moscow", "chicago"),
        ("moscow", "los-angeles"),
    ]
}


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


def load_demo(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    """Load the programme once for the module, inside a transaction rolled back at the end.

    Each test still runs in its own savepoint (the ``db`` fixture), so a test that edits or
    reloads the data leaves the module's copy as it was.
    """
    outer = transaction.atomic()
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        outer.__enter__()
        output = load_demo()
    try:
        yield output
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(demo_output, db):
    return demo_output


def snapshot() -> dict[str, object]:
    return {
        "cities": sorted(City.objects.values_list("slug", "updated_at")),
        "pairs": sorted(Partnership.objects.values_list("city_a_id", "city_b_id", "updated_at")),
        "status_changes": PartnershipStatusChange.objects.count(),
        "events": sorted(Event.objects.values_list("slug", "sequence", "updated_at")),
        "participations": sorted(Participation.objects.values_list("event_id", "city_id", "role")),
        "changes": sorted(OccurrenceChange.objects.values_list("event_id", "original_start")),
        "contacts": sorted(Contact.objects.values_list("email", "updated_at")),
        "users": get_user_model().objects.count(),
        "groups": Group.objects.count(),
    }


def test_load_demo_twice_changes_nothing(demo):
    first = snapshot()

    output = load_demo()

    assert snapshot() == first
    assert "city: 0 created, 0 updated, 30 unchanged" in output
    assert "event: 0 created, 0 updated, 10 unchanged" in output
    assert (
        len(first["cities"]),
        len(first["pairs"]),
        len(first["events"]),
        len(first["changes"]),
        len(first["contacts"]),
    ) == (30, 12, 10, 2, 4)


def test_load_demo_puts_edited_values_back(demo):
    event = Event.objects.get(slug="alsib-monument-magadan-2020")
    Event.objects.filter(pk=event.pk).update(title_en="Changed", start_date=dt.date(2020, 5, 10))
    City.objects.filter(slug="egvekinot").update(timezone="Asia/Magadan")
    Participation.objects.filter(event__slug="albany-delegation-to-tula-2020").delete()

    output = load_demo()

    event.refresh_from_db()
    assert event.title_en.startswith("Inauguration of the monument")
    assert event.start_date == dt.date(2020, 5, 9)
    assert City.objects.get(slug="egvekinot").timezone == "Asia/Anadyr"
    assert Participation.objects.filter(event__slug="albany-delegation-to-tula-2020").count() == 2
    assert "event: 0 created, 2 updated, 8 unchanged" in output
    assert "city: 0 created, 1 updated, 29 unchanged" in output


def test_load_demo_has_every_pair_of_the_document_once(demo):
    pairs = [
        frozenset((p.city_a.slug, p.city_b.slug))
        for p in Partnership.objects.select_related("city_a", "city_b")
    ]

    assert set(pairs) == DOCUMENT_PAIRS
    assert len(pairs) == len(set(pairs))
    assert all(p.city_a_id < p.city_b_id for p in Partnership.objects.all())


@pytest.mark.parametrize(
    ("pair", "established_on", "precision"),
    [
        (("nizhny-tagil", "chattanooga"), dt.date(1996, 1, 1), Partnership.Precision.YEAR),
        (("leningrad-region", "maryland"), None, Partnership.Precision.DAY),
        (("tashkent", "seattle"), None, Partnership.Precision.DAY),
        (("tula", "albany"), None, Partnership.Precision.DAY),
    ],
)
def test_load_demo_established_dates_only_where_the_document_gives_them(
    demo, pair, established_on, precision
):
    a, b = (City.objects.get(slug=slug) for slug in pair)
    partnership = Partnership.objects.get(
        city_a=min(a, b, key=lambda c: c.pk), city_b=max(a, b, key=lambda c: c.pk)
    )

    assert (partnership.established_on, partnership.established_precision) == (
        established_on,
        precision,
    )


def test_load_demo_nizhny_tagil_chattanooga_is_25_in_2021(demo):
    partnership = Partnership.objects.get(established_on__isnull=False)

    assert partnership.age_on(dt.date(2021, 1, 1)) == 25


@pytest.mark.parametrize(
    ("slug", "country", "kind", "region", "name_native", "zone"),
    [
        ("tula", "RU", "municipality", "Tula Region", "Тула", "Europe/Moscow"),
        ("magadan", "RU", "municipality", "Magadan Region", "Магадан", "Asia/Magadan"),
        (
            "egvekinot",
            "RU",
            "municipality",
            "Chukotka Autonomous Okrug",
            "Эгвекинот",
            "Asia/Anadyr",
        ),
        (
            "nizhny-tagil",
            "RU",
            "municipality",
            "Sverdlovsk Region",
            "Нижний Тагил",
            "Asia/Yekaterinburg",
        ),
        ("leningrad-region", "RU", "region", "", "Ленинградская область", "Europe/Moscow"),
        ("maryland", "US", "region", "", "Maryland", "America/New_York"),
        ("anchorage", "US", "municipality", "Alaska", "Anchorage", "America/Anchorage"),
        ("juneau", "US", "municipality", "Alaska", "Juneau", "America/Juneau"),
        ("duluth", "US", "municipality", "Minnesota", "Duluth", "America/Chicago"),
        ("chipley", "US", "municipality", "Florida", "Chipley", "America/Chicago"),
        ("gainesville", "US", "municipality", "Florida", "Gainesville", "America/New_York"),
        ("chattanooga", "US", "municipality", "Tennessee", "Chattanooga", "America/New_York"),
        ("tashkent", "UZ", "municipality", "Tashkent", "Toshkent", "Asia/Tashkent"),
    ],
)
def test_load_demo_geography_of_a_sample(demo, slug, country, kind, region, name_native, zone):
    city = City.objects.get(slug=slug)

    assert (city.country, city.kind, city.region, city.name_native, city.timezone) == (
        country,
        kind,
        region,
        name_native,
        zone,
    )


def test_load_demo_every_city_has_a_valid_zone_and_russian_names_are_cyrillic(demo):
    cities = list(City.objects.all())

    for city in cities:
        get_zone(city.timezone)  # raises for an unknown zone
        city.full_clean()
    russian = [city for city in cities if city.country == "RU"]
    assert len(russian) == 13
    assert [c.slug for c in russian if not CYRILLIC.match(c.name_native)] == []


def test_load_demo_coordinates_come_from_the_gazetteer(demo):
    egvekinot = City.objects.get(slug="egvekinot")
    regions = City.objects.filter(kind=City.Kind.REGION)

    assert City.objects.filter(kind=City.Kind.MUNICIPALITY, latitude__isnull=True).count() == 0
    # Egvekinot is just east of 180° in longitude terms: west longitude, east of the date line.
    assert (round(float(egvekinot.latitude), 2), round(float(egvekinot.longitude), 2)) == (
        66.32,
        -179.12,
    )
    assert all(city.latitude is None for city in regions)


def test_gazetteer_agrees_with_the_typed_geography():
    specs = [spec for spec in CITIES if spec.geonameid is not None]
    places = gazetteer.lookup(spec.geonameid for spec in specs)
    us_states = gazetteer.us_state_codes()

    problems = {
        spec.slug: cross_check(spec, places[spec.geonameid], us_states)
        for spec in specs
        if spec.geonameid in places
    }

    assert sorted(places) == sorted(spec.geonameid for spec in specs)
    assert {slug: found for slug, found in problems.items() if found} == {}


def test_load_demo_wreath_laying_is_one_instant_on_two_local_dates(demo):
    event = Event.objects.get(slug="alsib-wreaths-egvekinot-fairbanks-2020")

    [occurrence] = [
        occ
        for occ in occurrences_between(
            Event.objects.filter(pk=event.pk),
            dt.datetime(2020, 5, 1, tzinfo=UTC),
            dt.datetime(2020, 5, 31, tzinfo=UTC),
        )
    ]

    local = {ct.city.slug: ct.start for ct in occurrence.city_times}
    assert event.time_mode == Event.TimeMode.INSTANT
    assert event.start == dt.datetime(2020, 5, 9, 0, 0, tzinfo=UTC)
    assert local["egvekinot"] == local["fairbanks"]
    assert (local["egvekinot"].date(), local["egvekinot"].hour) == (dt.date(2020, 5, 9), 12)
    assert (local["fairbanks"].date(), local["fairbanks"].hour) == (dt.date(2020, 5, 8), 16)
    assert {ct.role for ct in occurrence.city_times} == {Participation.Role.HOST}
    assert "12:00" in event.description_en
    assert "16:00" in event.description_en


def test_load_demo_albany_visit_is_february_2020_without_a_day(demo):
    event = Event.objects.get(slug="albany-delegation-to-tula-2020")
    roles = {p.city.slug: p.role for p in event.participations.select_related("city")}

    assert (event.precision, event.approx_year, event.approx_month) == (
        Event.Precision.MONTH,
        2020,
        2,
    )
    assert (event.start, event.start_date) == (None, None)
    assert event.kind == Event.Kind.DELEGATION_VISIT
    assert roles == {"albany": "guest_delegation", "tula": "host"}


@pytest.mark.parametrize(
    ("slug", "precision", "fields"),
    [
        ("alsib-monument-magadan-2020", "day", {"start_date": dt.date(2020, 5, 9)}),
        ("jazz-train-to-chattanooga-2021", "year", {"approx_year": 2021, "approx_month": None}),
        ("texas-ural-online-conversation", "unknown", {"approx_year": None, "start": None}),
        ("union-of-russian-cities-round-table-2020", "day", {"start_date": dt.date(2020, 9, 18)}),
        (
            "first-russian-american-municipal-forum-2019",
            "month",
            {"approx_year": 2019, "approx_month": 10},
        ),
        (
            "duluth-welcomes-petrozavodsk-built-ship-2020",
            "month",
            {"approx_year": 2020, "approx_month": 9},
        ),
        ("marcel-albert-monument-chipley", "unknown", {"status": "tentative", "start_date": None}),
    ],
)
def test_load_demo_dates_as_precise_as_the_document(demo, slug, precision, fields):
    event = Event.objects.get(slug=slug)

    assert event.precision == precision
    assert {name: getattr(event, name) for name in fields} == fields


def test_load_demo_jazz_train_belongs_to_the_nizhny_tagil_chattanooga_pair(demo):
    event = Event.objects.select_related("partnership__city_a", "partnership__city_b").get(
        slug="jazz-train-to-chattanooga-2021"
    )
    roles = {p.city.slug: p.role for p in event.participations.select_related("city")}

    assert {event.partnership.city_a.slug, event.partnership.city_b.slug} == {
        "nizhny-tagil",
        "chattanooga",
    }
    assert roles == {"yekaterinburg": "host", "nizhny-tagil": "host", "chattanooga": "participant"}


def test_load_demo_victory_day_is_10_local_in_each_city_with_one_moved_and_one_cancelled_year(
    demo,
):
    event = Event.objects.get(slug="victory-day-commemoration-demo")
    occurrences = occurrences_between(
        Event.objects.filter(pk=event.pk),
        dt.datetime(2026, 1, 1, tzinfo=UTC),
        dt.datetime(2029, 1, 1, tzinfo=UTC),
    )

    by_year = {occ.recurrence_id.year: occ for occ in occurrences}
    local_2026 = {ct.city.slug: ct.start for ct in by_year[2026].city_times}
    assert event.time_mode == Event.TimeMode.LOCAL
    assert sorted(by_year) == [2026, 2027, 2028]
    assert {slug: (s.date(), s.hour) for slug, s in local_2026.items()} == {
        slug: (dt.date(2026, 5, 9), 10)
        for slug in ("magadan", "anchorage", "egvekinot", "fairbanks")
    }
    assert local_2026["anchorage"] == dt.datetime(
        2026, 5, 9, 10, tzinfo=ZoneInfo("America/Anchorage")
    )
    assert (by_year[2027].moved, by_year[2027].start.hour) == (True, 12)
    assert by_year[2028].cancelled is True
    assert not by_year[2026].cancelled
    assert "demo" in event.description_en.lower()
    assert "демонстрац" in event.description_ru.lower()


def test_load_demo_events_have_both_languages_and_public_visibility(demo):
    events = list(Event.objects.all())

    assert all(e.title_en and e.title_ru and e.description_en and e.description_ru for e in events)
    assert all(re.search(r"[а-яё]{3}", e.title_ru) for e in events)
    assert {e.visibility for e in events} == {Event.Visibility.PUBLIC}
    assert {e.slug for e in events if e.status != Event.Status.CONFIRMED} == {
        "marcel-albert-monument-chipley"
    }


def test_load_demo_contacts_are_fake_addresses_with_language_and_zone(demo):
    contacts = {
        c.email: (c.language, c.timezone, c.city.slug if c.city else None)
        for c in Contact.objects.select_related("city")
    }

    assert contacts == {
        "mayors-office@anchorage.example.org": ("en", "America/Anchorage", "anchorage"),
        "mayor@magadan.example.org": ("ru", "Asia/Magadan", "magadan"),
        "embassy@russian-embassy.example.org": ("ru", "America/New_York", "washington-dc"),
        "info@union-of-russian-cities.example.org": ("ru", "Europe/Moscow", "moscow"),
    }


def test_load_demo_creates_a_coordinator_who_can_log_in_and_manage_events(demo):
    user = authenticate(username="coordinator", password="twinning-demo")

    assert user is not None
    assert user.is_staff
    assert not user.is_superuser
    assert user.groups.filter(name=settings.PROGRAMME_ADMINS_GROUP).exists()
    for perm in (
        "events.add_event",
        "events.change_event",
        "events.delete_event",
        "events.view_contact",
    ):
        assert user.has_perm(perm), perm
    assert any(p.startswith("notifications.change_") for p in user.get_all_permissions())
    assert "Demo login: coordinator / twinning-demo" in demo


def test_load_demo_creates_the_magadan_and_anchorage_teams(demo):
    from common import roles
    from events.models import City

    for username, password, city in (
        ("magadan-team", "magadan-demo", "magadan"),
        ("anchorage-team", "anchorage-demo", "anchorage"),
    ):
        user = authenticate(username=username, password=password)
        assert user is not None
        assert f"Demo login: {username} / {password}" in demo
        assert roles.team_cities(user) == {City.objects.get(slug=city).pk}
        assert not roles.is_programme_admin(user)
        assert user.get_all_permissions() == set()


def test_load_demo_keeps_a_changed_demo_password(demo):
    user = get_user_model().objects.get(username="coordinator")
    user.set_password("another-secret-42")
    user.save()

    output = load_demo()

    assert authenticate(username="coordinator", password="another-secret-42") is not None
    assert "another password" in output


def test_load_demo_no_user_creates_no_login(demo):
    get_user_model().objects.filter(username="coordinator").delete()

    output = load_demo("--no-user")

    assert not get_user_model().objects.filter(username="coordinator").exists()
    assert "Demo login" not in output
    assert Event.objects.count() == 10


def test_load_demo_history_says_command_and_names_no_user(demo):
    rows = list(Event.history.all()[:50]) + list(Contact.history.all()[:50])

    assert rows
    assert {(row.interface, row.history_user_id) for row in rows} == {("command", None)}
