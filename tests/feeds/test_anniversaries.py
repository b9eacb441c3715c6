"""Partnership relationship types and the anniversaries calendars (programme and per pair)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from events.models import City, Partnership
from tests.factories import CityFactory, PartnershipFactory
from tests.interop import engines

pytestmark = pytest.mark.django_db


@pytest.fixture
def pairs():
    today = timezone.localdate()
    magadan = CityFactory(
        name_en="Magadan", name_native="Магадан", country="RU", timezone="Asia/Magadan"
    )
    anchorage = CityFactory(name_en="Anchorage", name_ru="Анкоридж", timezone="America/Anchorage")
    tula = CityFactory(name_en="Tula", name_native="Тула", timezone="Europe/Moscow")
    albany = CityFactory(name_en="Albany", timezone="America/New_York")
    # 24 years old next year: its 25th falls inside the window; 9 June as a fixed day.
    dated = PartnershipFactory(
        city_a=magadan,
        city_b=anchorage,
        established_on=dt.date(today.year - 24, 6, 9),
        established_precision=Partnership.Precision.DAY,
    )
    by_month = PartnershipFactory(
        city_a=tula,
        city_b=albany,
        established_on=dt.date(today.year - 20, 3, 1),
        established_precision=Partnership.Precision.MONTH,
    )
    return dated, by_month


def _events(body: bytes) -> list[str]:
    text = body.decode().replace("\r\n ", "")
    return text.split("BEGIN:VEVENT")[1:]


def test_programme_feed_has_each_milestone_of_dated_pairs_as_an_all_day_event(client, pairs):
    dated, _by_month = pairs
    today = timezone.localdate()

    response = client.get("/feeds/anniversaries.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events = _events(response.content)
    years = [int(e.split("years of the")[0].split("SUMMARY:")[1]) for e in events]
    # Milestones only, from a year ago to 30 years ahead; the month-only pair has no day.
    assert years == [y for y in (25, 30, 35, 40, 45, 50) if today.year - 24 + y <= today.year + 30]
    first = events[0]
    assert f"DTSTART;VALUE=DATE:{today.year + 1}0609" in first
    assert f"DTEND;VALUE=DATE:{today.year + 1}0610" in first
    assert f"UID:anniversary-{dated.pk}-{today.year + 1}@twinning-calendar" in first
    assert "Magadan – Anchorage partnership" in first
    assert "TRANSP:TRANSPARENT" in first


def test_programme_feed_answers_304_to_its_etag(client, pairs):
    etag = client.get("/feeds/anniversaries.ics")["ETag"]

    assert client.get("/feeds/anniversaries.ics", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_pair_feed_in_russian(client, pairs):
    dated, by_month = pairs

    body = client.get(f"/feeds/partnership/{dated.pk}/anniversaries.ics?lang=ru").content.decode()
    empty = client.get(f"/feeds/partnership/{by_month.pk}/anniversaries.ics").content.decode()

    assert "25 лет партнёрства Магадан – Анкоридж" in body.replace("\r\n ", "")
    assert "BEGIN:VEVENT" not in empty
    assert empty.startswith("BEGIN:VCALENDAR")
    assert empty.endswith("END:VCALENDAR\r\n")


def test_unknown_pair_feed_is_404(client):
    assert client.get("/feeds/partnership/999999/anniversaries.ics").status_code == 404


def test_engines_read_the_anniversaries_as_the_api_lists_them(client, pairs):
    today = timezone.localdate()
    start = dt.datetime(today.year, 1, 1, tzinfo=dt.UTC)
    end = start + dt.timedelta(days=3650)  # the API's longest window
    api = client.get(
        "/api/anniversaries/",
        {"start": start.date().isoformat(), "end": (end.date() - dt.timedelta(days=1)).isoformat()},
    ).json()["results"]
    expected = {
        (f"anniversary-{a['partnership']['id']}-{a['year']}@twinning-calendar", a["date"])
        for a in api
        if a["date"]
    }

    results = engines.run_all([client.get("/feeds/anniversaries.ics").content], start, end)

    assert expected
    for name, per_calendar in results.items():
        assert per_calendar[0].instances == expected, name
        assert not per_calendar[0].errors, (name, per_calendar[0].errors)


def test_relationship_and_agreement_over_the_api(coordinator_api_client, db):
    a = CityFactory(kind=City.Kind.REGION)
    b = CityFactory(kind=City.Kind.REGION)

    created = coordinator_api_client.post(
        "/api/partnerships/",
        {
            "city_a": a.pk,
            "city_b": b.pk,
            "relationship": "sister_region",
            "agreement_url": "https://example.org/agreement.pdf",
        },
        format="json",
    )
    bad = coordinator_api_client.patch(
        f"/api/partnerships/{created.json()['id']}/", {"relationship": "twins"}, format="json"
    )

    assert created.status_code == 201, created.json()
    assert created.json()["relationship"] == "sister_region"
    assert created.json()["agreement_url"] == "https://example.org/agreement.pdf"
    assert bad.status_code == 400
    assert "relationship" in bad.json()


def test_partnership_page_shows_relationship_and_links_its_anniversaries(client, pairs):
    dated, _ = pairs
    dated.agreement_url = "https://example.org/treaty"
    dated.save()

    html = client.get(f"/partnerships/{dated.pk}/").content.decode()

    assert "Sister cities" in html
    assert 'href="https://example.org/treaty"' in html
    assert f"/feeds/partnership/{dated.pk}/anniversaries.ics" in html
