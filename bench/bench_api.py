"""Benchmark: the occurrences endpoint and the events list at 1,000 and 10,000 events.

Runs on PostgreSQL by default (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:
5432/bench_api; see bench/benchdb.py), in a throwaway ``test_...`` database created and dropped
here, as a coordinator through Django's test client. Prints the median wall and CPU time and
the number of SQL queries of each request per size; the query counts must not grow with the
number of events (exit status 1 if they do).

    .venv/bin/python bench/bench_api.py [--sizes 1000 10000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
import warnings
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdb

benchdb.use_database("bench_api")
import config.testing  # noqa: E402, F401  (a throw-away key; plain HTTP: the settings are production-safe)

# WhiteNoise warns when collectstatic has not run; irrelevant to an API benchmark.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)

from events.models import City, Event, OccurrenceChange, Participation  # noqa: E402

ZONES = [
    ("RU", "Asia/Anadyr"),
    ("RU", "Asia/Magadan"),
    ("RU", "Asia/Yakutsk"),
    ("RU", "Europe/Moscow"),
    ("RU", "Asia/Yekaterinburg"),
    ("US", "America/Anchorage"),
    ("US", "America/New_York"),
    ("US", "America/Chicago"),
    ("US", "America/Los_Angeles"),
    ("US", "America/Juneau"),
]
REQUESTS = {
    "occurrences (May 2025)": ("/api/occurrences/", {"start": "2025-05-01", "end": "2025-05-31"}),
    "occurrences (year 2025, country=RU)": (
        "/api/occurrences/",
        {"start": "2025-01-01", "end": "2025-12-31", "country": "RU"},
    ),
    "events list (page 1)": ("/api/events/", {}),
    "events list (search + filter)": ("/api/events/", {"search": "Festival", "country": "US"}),
}


def make_cities(count: int) -> list[City]:
    cities = [
        City(
            slug=f"bench-city-{n}",
            name_en=f"Bench City {n}",
            name_native=f"Город {n}",
            country=ZONES[n % len(ZONES)][0],
            timezone=ZONES[n % len(ZONES)][1],
        )
        for n in range(count)
    ]
    return City.objects.bulk_create(cities)


def add_events(first: int, last: int, cities: list[City], rng: random.Random) -> None:
    """Events ``first``..``last-1``: 2-4 cities each, every 10th recurring yearly (some with a
    moved instance), all confirmed and public, spread over 2020-2030."""
    base = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    batch: list[Event] = []
    for n in range(first, last):
        zone = ZONES[n % len(ZONES)][1]
        start = base + dt.timedelta(minutes=rng.randrange(0, 11 * 365 * 24 * 60, 30))
        batch.append(
            Event(
                slug=f"bench-event-{n}",
                title_en=f"{'Festival' if n % 3 else 'Forum'} {n}",
                title_ru=f"Событие {n}",
                kind=Event.Kind.FESTIVAL if n % 3 else Event.Kind.FORUM,
                status=Event.Status.CONFIRMED,
                time_mode=Event.TimeMode.LOCAL if n % 4 == 0 else Event.TimeMode.INSTANT,
                timezone=zone,
                start=start,
                end=start + dt.timedelta(hours=2),
                rrule="FREQ=YEARLY" if n % 10 == 0 else "",
            )
        )
    events = Event.objects.bulk_create(batch, batch_size=500)
    participations = []
    changes = []
    for event in events:
        for city in rng.sample(cities, rng.randint(2, 4)):
            participations.append(Participation(event=event, city=city, role="participant"))
        if event.rrule and event.pk % 20 == 0:
            original = event.start.replace(year=event.start.year + 1)
            changes.append(
                OccurrenceChange(
                    event=event,
                    original_start=original,
                    start=original + dt.timedelta(days=1),
                    end=original + dt.timedelta(days=1, hours=2),
                )
            )
    Participation.objects.bulk_create(participations, batch_size=1000)
    OccurrenceChange.objects.bulk_create(changes, batch_size=500)


def measure(client: Client, url: str, params: dict, repeat: int) -> tuple[benchdb.Timing, int, int]:
    """Wall/CPU timings, query count and result count of ``repeat`` identical requests."""
    timing, counts = benchdb.Timing(), set()
    result_count = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            response = timing.run(lambda: client.get(url, params))
        if response.status_code != 200:
            raise SystemExit(
                f"{url} {params} -> {response.status_code}: {response.content[:300]!r}"
            )
        result_count = response.json()["count"]
        counts.add(len(queries))
    if len(counts) != 1:
        raise SystemExit(f"{url}: query count varies between identical requests: {counts}")
    return timing, counts.pop(), result_count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        rng = random.Random(20200509)  # reproducible data
        user = User.objects.create_user("bench-coordinator")
        user.groups.add(Group.objects.get_or_create(name=settings.COORDINATORS_GROUP)[0])
        client = Client()
        client.force_login(user)
        cities = make_cities(60)
        engine = connection.vendor
        print(f"Database: {engine} (throwaway test database), {len(cities)} cities")
        print(
            f"{'events':>7}  {'request':38} {'wall ms':>8} {'cpu ms':>7} {'queries':>8} "
            f"{'results':>8}"
        )
        queries_by_request: dict[str, set[int]] = {name: set() for name in REQUESTS}
        have = 0
        for size in sorted(args.sizes):
            started = time.perf_counter()
            add_events(have, size, cities, rng)
            have = size
            load = time.perf_counter() - started
            print(
                f"-- {size} events loaded in {load:.1f} s "
                f"({Participation.objects.count()} participations)"
            )
            for name, (url, params) in REQUESTS.items():
                timing, queries, results = measure(client, url, params, args.repeat)
                queries_by_request[name].add(queries)
                print(
                    f"{size:>7}  {name:38} {timing.wall_ms:>8.1f} {timing.cpu_ms:>7.1f} "
                    f"{queries:>8} {results:>8}"
                )
        grew = {name: counts for name, counts in queries_by_request.items() if len(counts) > 1}
        if grew:
            print(f"FAIL: query counts differ between sizes: {grew}")
            return 1
        print("OK: every request makes the same number of queries at every size.")
        return 0
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    sys.exit(main())
