"""Migration 0015 on an index built by the previous release: the country lists come from the
city lists already there."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.migrating import migrate

BEFORE = [("events", "0014_admin_labels")]
AFTER = [("events", "0015_listed_country")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest")
def test_country_lists_are_made_from_the_city_lists():
    old = migrate(BEFORE)
    City = old.get_model("events", "City")
    Event = old.get_model("events", "Event")
    Indexed = old.get_model("events", "IndexedOccurrence")
    Listed = old.get_model("events", "ListedOccurrence")
    cities = [
        City.objects.create(slug=slug, name_en=slug, country=country, timezone="UTC")
        for slug, country in [("tula", "RU"), ("tver", "RU"), ("albany", "US")]
    ]
    start = dt.datetime(2030, 6, 10, 10, tzinfo=dt.UTC)
    event = Event.objects.create(
        slug="fair", title_en="Fair", kind="festival", timezone="UTC", start=start
    )
    rows = []
    for week in range(2):
        at = start + dt.timedelta(weeks=week)
        window = {"key": at, "sort_start": at, "touch_lo": at, "touch_hi": at, "over_at": at}
        row = Indexed.objects.create(event=event, start=at, start_date=at.date(), **window)
        rows.append(row)
        for city in cities:
            Listed.objects.create(row=row, event=event, city=city, **window)

    new = migrate(AFTER)
    Listed = new.get_model("events", "ListedOccurrence")

    found = sorted(
        Listed.objects.filter(country__isnull=False).values_list("row_id", "country", "sort_start")
    )
    assert found == sorted(
        (row.pk, country, row.sort_start) for row in rows for country in ("RU", "US")
    )
    assert Listed.objects.filter(city__isnull=False).count() == 6
