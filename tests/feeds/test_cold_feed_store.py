"""Storing a cold feed's fragments: on PostgreSQL a fixed number of statements past a batch
(COPY into a temporary table, one INSERT … SELECT), the stored bytes the served ones, kept
when the client hangs up mid-feed, and two requests for the same feed at once both served."""

from __future__ import annotations

import logging
import threading

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from events import ical
from events.feeds import fragment_store, fragments, views
from events.feeds.models import FeedFragment
from events.models import Event
from tests.feeds.conftest import fetch
from tests.feeds.test_cold_feeds import RENDER_READS, WARM, _make_events

BATCH = 3


@pytest.fixture
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's; SQLite upserts per batch (test_cold_feeds.py)")


def _stored(variant: str = "") -> bytes:
    rows = FeedFragment.objects.filter(variant=variant, language="en").order_by("event_id")
    return b"".join(body.encode() for body in rows.values_list("body", flat=True))


@pytest.mark.parametrize("n", [7, 20])
def test_cold_feed_statements_do_not_grow_past_a_batch(
    postgresql_only, client, egvekinot, fairbanks, monkeypatch, n, django_assert_num_queries
):
    _make_events(n, egvekinot, fairbanks)
    monkeypatch.setattr(fragments, "RENDER_BATCH", BATCH)

    # 7 events are three batches, 20 are seven: the store is the same five statements.
    with django_assert_num_queries(WARM + RENDER_READS + 5) as ctx:
        status, cold, _r = fetch(client, "/feeds/all.ics")

    assert status == 200
    assert cold.count(b"BEGIN:VEVENT") >= n
    statements = [q["sql"].split()[0].upper() for q in ctx.captured_queries[-5:]]
    assert statements == ["SAVEPOINT", "CREATE", "COPY", "INSERT", "RELEASE"]
    assert FeedFragment.objects.count() == n
    assert cold.endswith(_stored() + ical.CALENDAR_END)  # stored bytes = served bytes

    with django_assert_num_queries(WARM):  # warm: every fragment read from the store
        status, warm, _r = fetch(client, "/feeds/all.ics")
    assert status == 200
    assert warm == cold


@pytest.mark.parametrize(("n", "statements"), [(2, ["INSERT"]), (5, ["CREATE", "COPY", "INSERT"])])
def test_below_a_batch_many_fragments_are_copied_and_a_few_inserted(
    postgresql_only, client, egvekinot, fairbanks, monkeypatch, n, statements
):
    """Below a full batch, COPY_FROM rows or more go by COPY too (one multi-row INSERT built a
    model instance and six parameters per row); fewer stay one INSERT."""
    _make_events(n, egvekinot, fairbanks)
    monkeypatch.setattr(fragment_store, "COPY_FROM", 4)

    with CaptureQueriesContext(connection) as ctx:
        status, cold, _r = fetch(client, "/feeds/all.ics")

    assert status == 200
    written = [
        q["sql"].split()[0].upper()
        for q in ctx.captured_queries
        if q["sql"].split()[0].upper() in ("CREATE", "COPY", "INSERT")
    ]
    assert written == statements
    assert FeedFragment.objects.count() == n
    assert cold.endswith(_stored() + ical.CALENDAR_END)


def test_city_feed_stores_its_own_variant(
    postgresql_only, client, egvekinot, fairbanks, monkeypatch
):
    _make_events(8, egvekinot, fairbanks)
    monkeypatch.setattr(fragments, "RENDER_BATCH", BATCH)
    body = fetch(client, "/feeds/city/fairbanks.ics")[1]

    assert FeedFragment.objects.filter(variant=f"city:{fairbanks.pk}").count() == 7
    assert body.endswith(_stored(f"city:{fairbanks.pk}") + ical.CALENDAR_END)


def test_client_hanging_up_mid_feed_keeps_what_was_rendered(
    client, egvekinot, fairbanks, monkeypatch, caplog
):
    """Runs on both databases: COPY past a batch on PostgreSQL, per-batch upserts on SQLite."""
    _make_events(10, egvekinot, fairbanks)
    warm = fetch(client, "/feeds/all.ics")[1]
    by_event = dict(FeedFragment.objects.values_list("event_id", "body"))
    FeedFragment.objects.all().delete()
    monkeypatch.setattr(fragments, "RENDER_BATCH", BATCH)

    # The view's own response, as a WSGI server gets it (the test client wraps its content).
    response = views.all_feed(RequestFactory().get("/feeds/all.ics"))
    chunks = response.streaming_content
    for _ in range(2 + 4):  # head, zones, four events' VEVENTs
        next(chunks)
    # What a WSGI server does when the client has gone; without request_finished's
    # close_old_connections, as in the test client: it would end the test's transaction.
    request_finished.disconnect(close_old_connections)
    try:
        with caplog.at_level(logging.WARNING):
            response.close()
    finally:
        request_finished.connect(close_old_connections)

    # Two batches of three were rendered when the fourth event went out: the first bytes
    # left long before the last event was rendered, and all six are stored.
    stored = dict(FeedFragment.objects.values_list("event_id", "body"))
    assert len(stored) == 2 * BATCH
    assert all(body == by_event[pk] for pk, body in stored.items())
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert fetch(client, "/feeds/all.ics")[1] == warm  # the rest rendered next time


def test_event_deleted_before_the_store_does_not_lose_the_others(
    postgresql_only, egvekinot, fairbanks, monkeypatch, caplog
):
    _make_events(9, egvekinot, fairbanks)
    monkeypatch.setattr(fragments, "RENDER_BATCH", BATCH)
    response = views.all_feed(RequestFactory().get("/feeds/all.ics"))
    chunks = response.streaming_content
    for _ in range(2 + 4):
        next(chunks)
    gone = Event.objects.order_by("pk")[0]  # rendered and sent, deleted before the store
    gone.delete()
    with caplog.at_level(logging.WARNING):
        rest = b"".join(chunks)  # the feed goes on to the end, then stores

    assert rest.endswith(ical.CALENDAR_END)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert FeedFragment.objects.count() == 8
    assert not FeedFragment.objects.filter(event_id=gone.pk).exists()


def test_failed_store_is_logged_and_the_feed_still_served(
    postgresql_only, client, egvekinot, fairbanks, monkeypatch, caplog
):
    _make_events(7, egvekinot, fairbanks)
    warm = fetch(client, "/feeds/all.ics")[1]
    FeedFragment.objects.all().delete()
    monkeypatch.setattr(fragments, "RENDER_BATCH", BATCH)
    # A real failure inside the store's transaction: a NOT NULL language the table refuses.
    original = fragment_store.FragmentSink.__init__

    def refused(self, **kwargs):
        original(self, **kwargs)
        self.language = None

    monkeypatch.setattr(fragment_store.FragmentSink, "__init__", refused)
    with caplog.at_level(logging.ERROR, logger="events.feeds.fragment_store"):
        status, body, _r = fetch(client, "/feeds/all.ics")

    assert status == 200
    assert body == warm
    assert FeedFragment.objects.count() == 0
    assert "rendered again next time" in caplog.text
    assert Event.objects.count() == 7  # the connection (and the test's transaction) still works


def test_two_cold_requests_for_the_same_feed_at_once(
    postgresql_only, transactional_db, egvekinot, fairbanks, monkeypatch
):
    """One request streams half the feed, a second renders and stores all of it, then the
    first finishes and stores over it (ON CONFLICT DO UPDATE): both served, no error."""
    _make_events(9, egvekinot, fairbanks)
    monkeypatch.setattr(fragments, "RENDER_BATCH", BATCH)
    first = Client().get("/feeds/all.ics")
    chunks = first.streaming_content
    head = [next(chunks) for _ in range(4)]  # head, zones, two VEVENTs
    second: list[bytes] = []
    errors: list[BaseException] = []

    def other_request() -> None:
        try:
            second.append(fetch(Client(), "/feeds/all.ics")[1])
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=other_request)
    thread.start()
    thread.join(timeout=60)
    body = b"".join(head) + b"".join(chunks)

    assert not errors
    assert second == [body]
    assert FeedFragment.objects.count() == 9
    assert body.endswith(_stored() + ical.CALENDAR_END)
