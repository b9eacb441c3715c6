"""Benchmark: feed of N events — bare icalendar vs our view cold/warm, 304, memory, queries.

    .venv/bin/python bench/bench_feeds.py                 # 1,000 / 10,000 / 50,000 events
    .venv/bin/python bench/bench_feeds.py --sizes 1000 10000

Runs on PostgreSQL by default (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:
5432/bench_feeds, see bench/benchdb.py), in a throwaway ``test_...`` database created and
dropped here. Times are wall-clock medians of --repeat runs without tracemalloc, each also as
process CPU time (printed on the second line; a busy machine disturbs it less); peak memory
(tracemalloc) is measured in a separate traced run. "q" is the number of SQL queries of one
request.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import statistics
import sys
import time
import tracemalloc
import uuid
import warnings
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdb

benchdb.use_database("bench_feeds")
import config.testing  # noqa: E402, F401  (a throw-away key; plain HTTP: the settings are production-safe)

os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

# WhiteNoise warns when collectstatic has not run; irrelevant to feeds.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

django.setup()

import icalendar  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from events import ical  # noqa: E402
from events.feeds.models import FeedFragment  # noqa: E402
from events.feeds.selectors import feed_state  # noqa: E402
from events.models import City, Event, Participation  # noqa: E402

ZONES = [
    "Asia/Anadyr",
    "America/Anchorage",
    "Asia/Magadan",
    "America/New_York",
    "Europe/Moscow",
    "America/Chicago",
    "Asia/Yekaterinburg",
    "America/Los_Angeles",
]
KINDS = [k for k, _ in Event.Kind.choices]


def make_cities() -> list[City]:
    City.objects.all().delete()
    return [
        City.objects.create(
            slug=f"city-{i}",
            name_en=f"City {i}",
            name_native=f"Город {i}",
            country="RU" if i % 2 else "US",
            timezone=zone,
        )
        for i, zone in enumerate(ZONES)
    ]


def add_events(start_index: int, count: int, cities: list[City]) -> None:
    base = dt.datetime(2030, 1, 1, 9, 0, tzinfo=dt.UTC)
    events = []
    for i in range(start_index, start_index + count):
        all_day = i % 10 == 0
        start = base + dt.timedelta(hours=7 * i)
        events.append(
            Event(
                uid=uuid.uuid4(),
                slug=f"event-{i}",
                title_en=f"Sister-city event {i}, with a comma; and a semicolon",
                title_ru=f"Событие {i}, города-побратимы",
                description_en="Delegations meet, exchange gifts and plan the next year. " * 3,
                kind=KINDS[i % len(KINDS)],
                status=Event.Status.CONFIRMED,
                time_mode=Event.TimeMode.LOCAL if i % 7 == 0 else Event.TimeMode.INSTANT,
                timezone=ZONES[i % len(ZONES)],
                precision=Event.Precision.DAY if all_day else Event.Precision.TIME,
                start=None if all_day else start,
                end=None if all_day else start + dt.timedelta(hours=2),
                start_date=start.date() if all_day else None,
                end_date=(start + dt.timedelta(days=2)).date() if all_day else None,
                rrule="FREQ=YEARLY" if i % 5 == 0 else "",
                location=f"Town hall {i}",
            )
        )
    Event.objects.bulk_create(events, batch_size=2000)
    created = Event.objects.filter(slug__in=[e.slug for e in events]).values_list("pk", flat=True)
    parts = []
    for n, pk in enumerate(created.iterator()):
        a = cities[n % len(cities)]
        b = cities[(n + 3) % len(cities)]
        parts.append(Participation(event_id=pk, city=a, role="host"))
        parts.append(Participation(event_id=pk, city=b, role="guest_delegation"))
    Participation.objects.bulk_create(parts, batch_size=4000)


def plain_data(n: int) -> list[dict]:
    """The same events as plain Python data (what a naive feed builds from)."""
    base = dt.datetime(2030, 1, 1, 9, 0, tzinfo=dt.UTC)
    rows = []
    for i in range(n):
        start = base + dt.timedelta(hours=7 * i)
        zone = ZoneInfo(ZONES[i % len(ZONES)])
        rows.append(
            {
                "uid": f"{uuid.uuid4()}@twinning-calendar",
                "summary": f"Sister-city event {i}, with a comma; and a semicolon",
                "description": "Delegations meet, exchange gifts and plan the next year. " * 3
                + f"\nCity {i % 8} (Host): {start:%Y-%m-%d %H:%M}",
                "all_day": i % 10 == 0,
                "start": start.astimezone(zone),
                "end": (start + dt.timedelta(hours=2)).astimezone(zone),
                "rrule": "FREQ=YEARLY" if i % 5 == 0 else "",
                "location": f"Town hall {i}",
                "kind": KINDS[i % len(KINDS)],
                "stamp": base,
            }
        )
    return rows


def baseline(rows: list[dict]) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("PRODID", "-//bench//EN")
    calendar.add("VERSION", "2.0")
    for row in rows:
        event = icalendar.Event()
        event.add("UID", row["uid"])
        event.add("DTSTAMP", row["stamp"])
        event.add("LAST-MODIFIED", row["stamp"])
        event.add("SEQUENCE", 0)
        event.add("SUMMARY", row["summary"])
        event.add("DESCRIPTION", row["description"])
        event.add("LOCATION", row["location"])
        event.add("CATEGORIES", [row["kind"]])
        event.add("STATUS", "CONFIRMED")
        if row["all_day"]:
            event.add("DTSTART", row["start"].date())
            event.add("DTEND", row["start"].date() + dt.timedelta(days=3))
        else:
            event.add("DTSTART", row["start"])
            event.add("DTEND", row["end"])
        if row["rrule"]:
            event.add("RRULE", icalendar.vRecur.from_ical(row["rrule"]))
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def fetch(client: Client, url: str, **headers) -> tuple[int, int]:
    response = client.get(url, **headers)
    if response.streaming:
        size = sum(len(chunk) for chunk in response.streaming_content)
    else:
        size = len(response.content)
    response.close()
    return response.status_code, size


CPU: dict[str, float] = {}


def timed(fn, repeat: int, label: str = "", *, collect: bool = True) -> float:
    """Median wall-clock seconds; the median process CPU seconds go to CPU[label].
    ``collect``: a full garbage collection before each run (long runs); a millisecond run
    right after one pays for the caches it emptied (a 304 measured 2 ms against 0.7)."""
    values, cpu = [], []
    for _ in range(repeat):
        if collect:
            gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        values.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    CPU[label] = statistics.median(cpu)
    return statistics.median(values)


def peak_mib(fn) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


# The validators query before the version row (kept here as the same-run baseline): COUNT(*)
# and MAX(updated_at) over every table feeds show, sequential scans on PostgreSQL.
LEGACY_STATE_SQL = (
    "SELECT (SELECT COUNT(*) FROM events_event), (SELECT MAX(updated_at) FROM events_event),"
    " (SELECT MAX(updated_at) FROM events_city), (SELECT MAX(updated_at) FROM"
    " events_occurrencechange), (SELECT COUNT(*) FROM events_occurrencechange)"
)


def legacy_state() -> None:
    with connection.cursor() as cursor:
        cursor.execute(LEGACY_STATE_SQL)
        cursor.fetchone()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", nargs="+", type=int, default=[1000, 10000, 50000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        print(f"Database: {connection.vendor} (throwaway test database)")
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(args: argparse.Namespace) -> None:
    cities = make_cities()
    client = Client()
    url = "/feeds/all.ics"
    # A serving process is warm: URLconf imported, VTIMEZONEs generated (per-process cache).
    fetch(client, url)
    for zone in ZONES:
        ical.vtimezone(zone)
    have = 0
    header = (
        f"{'events':>7} | {'baseline s':>10} {'MiB':>6} | {'cold s':>7} {'x base':>6} "
        f"{'MiB':>6} {'q':>3} | {'warm s':>7} {'x base':>6} {'MiB':>6} {'q':>3} | "
        f"{'304 ms':>7} {'cpu':>5} {'q':>2} | {'bytes':>10}"
    )
    print(header)
    print("-" * len(header))
    for n in sorted(args.sizes):
        add_events(have, n - have, cities)
        have = n
        rows = plain_data(n)
        base_s = timed(lambda rows=rows: baseline(rows), 1 if n > 10000 else args.repeat, "base")
        base_mib = peak_mib(lambda rows=rows: baseline(rows))

        def cold() -> None:
            FeedFragment.objects.all().delete()
            fetch(client, url)

        def cold_timed() -> tuple[float, float]:
            FeedFragment.objects.all().delete()
            t0, c0 = time.perf_counter(), time.process_time()
            fetch(client, url)
            return time.perf_counter() - t0, time.process_time() - c0

        if n <= 10000:
            # A discarded first run: the process's first feed pays one-time costs (imports,
            # templates, zone data) that the baseline's median leaves out too.
            cold()
        cold_runs = [cold_timed() for _ in range(1 if n > 10000 else 3)]
        cold_s = statistics.median(r[0] for r in cold_runs)
        CPU["cold"] = statistics.median(r[1] for r in cold_runs)
        cold_mib = peak_mib(cold)
        FeedFragment.objects.all().delete()  # (not counted: a delete is several queries)
        cold_q = queries(lambda: fetch(client, url))
        warm_s = timed(lambda: fetch(client, url), args.repeat, "warm")
        warm_mib = peak_mib(lambda: fetch(client, url))
        warm_q = queries(lambda: fetch(client, url))
        response = client.get(url)
        etag = response["ETag"]
        response.close()
        status, size = fetch(client, url)
        assert status == 200
        assert fetch(client, url, HTTP_IF_NONE_MATCH=etag)[0] == 304
        nm_s = timed(
            lambda etag=etag: fetch(client, url, HTTP_IF_NONE_MATCH=etag), 50, collect=False
        )
        cpu0 = time.process_time()
        for _ in range(50):
            fetch(client, url, HTTP_IF_NONE_MATCH=etag)
        nm_cpu = (time.process_time() - cpu0) / 50
        nm_q = queries(lambda etag=etag: fetch(client, url, HTTP_IF_NONE_MATCH=etag))
        state_new = timed(feed_state, 200, "state", collect=False)
        state_old = timed(legacy_state, 20, "legacy state", collect=False)
        print(
            f"{n:>7} | {base_s:>10.2f} {base_mib:>6.0f} | {cold_s:>7.2f} {cold_s / base_s:>6.2f} "
            f"{cold_mib:>6.0f} {cold_q:>3} | {warm_s:>7.3f} {warm_s / base_s:>6.2f} "
            f"{warm_mib:>6.0f} {warm_q:>3} | {nm_s * 1000:>7.2f} {nm_cpu * 1000:>5.2f} {nm_q:>2} "
            f"| {size:>10}",
            flush=True,
        )
        print(
            f"{'':>7}   CPU s: baseline {CPU['base']:.2f}, cold {CPU['cold']:.2f} "
            f"({CPU['cold'] / CPU['base']:.2f}x), warm {CPU['warm']:.3f} "
            f"({CPU['warm'] / CPU['base']:.2f}x)",
            flush=True,
        )
        print(
            f"{'':>7}   validators: version row {state_new * 1000:.3f} ms "
            f"(cpu {CPU['state'] * 1000:.3f}), old COUNT/MAX query {state_old * 1000:.3f} ms "
            f"(cpu {CPU['legacy state'] * 1000:.3f}) "
            f"({state_old / state_new:.1f}x slower)",
            flush=True,
        )


if __name__ == "__main__":
    main()
