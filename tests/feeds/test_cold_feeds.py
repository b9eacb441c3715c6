"""A cold feed (no stored fragments): a fixed number of queries whatever the number of events,
the same bytes as a warm one, and only missing or stale fragments rendered."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from events import services
from events.feeds import fragments
from events.feeds import services as feed_services
from events.feeds.models import FeedFragment
from events.models import Event
from tests.factories import PartnershipFactory
from tests.feeds.conftest import fetch

# feed version row + zones + the streamed fragment query, then the render: cities, itinerary
# legs, programme items, events, participations, occurrence changes
WARM = 3
RENDER_READS = 6


def stores(n: int, batch: int) -> int:
    """Statements that store n rendered fragments: one upsert up to a batch; past it, on
    PostgreSQL, a transaction (BEGIN/COMMIT, or a savepoint in a test) around CREATE TEMPORARY
    TABLE, COPY and one INSERT … SELECT; on SQLite one upsert per batch."""
    if n <= batch:
        return 1
    return 5 if connection.vendor == "postgresql" else -(-n // batch)


def _make_events(n: int, egvekinot, fairbanks) -> None:
    """Instant and same-local-time events, some recurring with a moved instance, one with no
    participating city: every shape the render walks through."""
    for i in range(n):
        event = services.create_event(
            title_en=f"Event {i}",
            kind="forum",
            status="confirmed",
            time_mode=Event.TimeMode.LOCAL if i % 3 == 0 else Event.TimeMode.INSTANT,
            timezone="Asia/Anadyr",
            start=dt.datetime(2030, 1, 1 + i, 10, 0),
            end=dt.datetime(2030, 1, 1 + i, 11, 0),
            rrule="FREQ=YEARLY" if i % 2 else "",
            participations=[]
            if i == 1
            else [
                services.ParticipationInput(city_id=fairbanks.pk, role="host"),
                *([services.ParticipationInput(city_id=egvekinot.pk)] if i % 4 else []),
            ],
        )
        if i % 4 == 1:
            services.change_occurrence(
                event=event,
                original_start=dt.datetime(2031, 1, 1 + i, 10, 0),
                start=dt.datetime(2031, 1, 2 + i, 12, 0),
                end=dt.datetime(2031, 1, 2 + i, 13, 0),
            )
    pair = PartnershipFactory(city_a=egvekinot, city_b=fairbanks)
    Event.objects.update(partnership=pair)


def _urls(n: int) -> list[tuple[str, int, int]]:
    """(url, object lookups, VEVENT sets in it)"""
    pair = Event.objects.first().partnership
    secret = feed_services.create_feed_token(label="all").secret
    in_fairbanks = n - 1  # event 1 has no participating city
    return [
        ("/feeds/all.ics", 0, n),
        ("/feeds/city/fairbanks.ics", 1, in_fairbanks),
        ("/feeds/kind/forum.ics", 0, n),
        (f"/feeds/partnership/{pair.pk}.ics", 1, n),
        (f"/feeds/private/{secret}.ics", 1, n),
    ]


@pytest.mark.parametrize("n", [4, 16])
def test_cold_feed_query_count_does_not_grow_with_events(
    client, egvekinot, fairbanks, n, django_assert_num_queries
):
    _make_events(n, egvekinot, fairbanks)
    for url, lookup, _count in _urls(n):
        FeedFragment.objects.all().delete()

        # ... and one upsert of every rendered fragment (n is below RENDER_BATCH)
        with django_assert_num_queries(lookup + WARM + RENDER_READS + 1):
            status, cold, _r = fetch(client, url)

        assert status == 200
        assert fetch(client, url)[1] == cold  # stored fragments are byte-identical


@pytest.mark.parametrize(("n", "batch"), [(6, 4), (16, 4)])
def test_cold_feed_reads_do_not_grow_past_a_batch(
    client, egvekinot, fairbanks, monkeypatch, n, batch, django_assert_num_queries
):
    _make_events(n, egvekinot, fairbanks)
    urls = _urls(n)
    warm = {url: fetch(client, url)[1] for url, _l, _c in urls}
    monkeypatch.setattr(fragments, "RENDER_BATCH", batch)
    for url, lookup, count in urls:
        FeedFragment.objects.all().delete()

        # More misses than a batch: the feed's own query is read again, not a list of ids;
        # the reads stay six, and on PostgreSQL the store too stays the same five statements
        # (only SQLite's upserts, one per batch, follow the number of events).
        with django_assert_num_queries(lookup + WARM + RENDER_READS + stores(count, batch)):
            status, body, _r = fetch(client, url)

        assert status == 200
        assert body == warm[url]
        assert body.count(b"BEGIN:VEVENT") >= count


def test_cold_feed_renders_only_the_stale_fragments(client, egvekinot, fairbanks, monkeypatch):
    _make_events(12, egvekinot, fairbanks)
    warm = fetch(client, "/feeds/all.ics")[1]
    monkeypatch.setattr(fragments, "RENDER_BATCH", 4)
    stale = list(Event.objects.order_by("pk").values_list("pk", flat=True)[::2])
    FeedFragment.objects.filter(event_id__in=stale).update(version="stale", body="BROKEN")
    kept = dict(FeedFragment.objects.exclude(event_id__in=stale).values_list("pk", "rendered_at"))

    status, body, _r = fetch(client, "/feeds/all.ics")

    assert status == 200
    assert sorted(body.splitlines()) == sorted(warm.splitlines())  # stored ones come first
    assert b"BROKEN" not in body
    assert FeedFragment.objects.filter(version="stale").count() == 0
    assert dict(FeedFragment.objects.filter(pk__in=kept).values_list("pk", "rendered_at")) == kept
