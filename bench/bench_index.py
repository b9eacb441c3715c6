"""Benchmark: the occurrence index against expansion, at 1,000 and 10,000 events, in one run.

Runs on PostgreSQL by default (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:
5432/bench_index, see bench/benchdb.py; a throwaway ``test_...`` database is created and dropped
here). The data is
bench_api's (2-4 cities per event, every 10th yearly, spread over 2020-2030), loaded with
bulk_create, ANALYZEd, then indexed with the rebuild. Each request is timed in-process through
Django's test client, first with the index switched off (no horizon row: every read expands,
the previous code path) and then on, as a coordinator. Prints the median wall milliseconds (and
the indexed reads' CPU milliseconds) and the SQL query count of each; the indexed query counts
must not change with size (exit status 1).

Flat means the same page costs the same at every size, so every measured page is full already
at the smallest size: a fixed "page core" of events (counted in each size) fills the city's and
the partnership's 30 upcoming and 30 past entries, every day of the measured month beyond the
grid's cap and the API month's first page; the random events come on top. The rows each page
shows are printed per size ("shown"), and must be equal at every size (exit status 1).

On PostgreSQL the indexed reads of all sizes are timed interleaved: each size's data is kept
in a database of its own (a copy made with CREATE DATABASE ... TEMPLATE as the data grows), and
every round times each request once at each size, the sizes' order rotating per round. A noisy
phase of the machine (it swung the medians of sequential runs by 20 % and more) then falls on
every size alike; the printed ratios compare medians over the same rounds. Elsewhere (SQLite)
each size is timed in turn as it is loaded.

    .venv/bin/python bench/bench_index.py [--sizes 1000 10000] [--repeat 7]
"""

# ruff: noqa: E402  (the database is chosen before Django is imported)
from __future__ import annotations

import argparse
import calendar
import datetime as dt
import gc
import random
import sys
import time
import warnings
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdb

benchdb.use_database("bench_index")
import bench_api
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import (
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from django.utils import timezone

from events import services
from events.models import City, Event, OccurrenceHorizon, Participation
from events.occurrence_index.maintain import rebuild_index
from events.web import month_cells
from events.web.views.public import CITY_EVENTS

warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)


def requests(pair_id: int, city_slug: str, event_slug: str) -> dict[str, tuple[str, dict]]:
    return {
        "api occurrences, one month": (
            "/api/occurrences/",
            {"start": "2025-05-01", "end": "2025-05-31"},
        ),
        "api occurrences, one year": (
            "/api/occurrences/",
            {"start": "2025-01-01", "end": "2025-12-31"},
        ),
        "api occurrences, year, country=RU": (
            "/api/occurrences/",
            {"start": "2025-01-01", "end": "2025-12-31", "country": "RU"},
        ),
        "home page": ("/", {}),
        "events list": ("/events/", {}),
        "events list, past": ("/events/", {"period": "past"}),
        "month grid": ("/events/month/", {"month": "2027-05"}),
        "city page": (f"/cities/{city_slug}/", {}),
        "partnership page": (f"/partnerships/{pair_id}/", {}),
        "event page (yearly)": (f"/events/{event_slug}/", {}),
    }


GRID_MONTH = (2027, 5)
API_MONTH = (2025, 5)
API_PAGE = settings.REST_FRAMEWORK["PAGE_SIZE"]


def add_page_core(cities: list[City], now: dt.datetime) -> int:
    """Events that fill every measured page at the smallest size (see the module's doc): hosted
    by the measured city (cities[5]) with the pair's two cities taking part, upcoming and past
    around ``now``, every other one yearly; and events of other cities on every day of the grid month and the API
    month, three cities each (the random events have two to four). Returns how many were
    made."""
    starts = [now + dt.timedelta(days=day, hours=1) for day in range(1, CITY_EVENTS + 6)]
    starts += [now - dt.timedelta(days=day, hours=1) for day in range(1, CITY_EVENTS + 6)]
    listed = len(starts)
    for year, month in (GRID_MONTH, API_MONTH):
        per_day = month_cells.CAP + 1 if (year, month) == GRID_MONTH else API_PAGE // 28 + 1
        days = calendar.monthrange(year, month)[1]
        starts += [
            dt.datetime(year, month, day, 9 + n, tzinfo=dt.UTC)
            for day in range(1, days + 1)
            for n in range(per_day)
        ]
    # The grid also draws occurrences running overnight into the month's first day and out of
    # its last day on the days beside the month: CAP of each, in the event's zone.
    zone = ZoneInfo(cities[5].timezone)
    year, month = GRID_MONTH
    last = calendar.monthrange(year, month)[1]
    for day in (dt.date(year, month, 1) - dt.timedelta(days=1), dt.date(year, month, last)):
        night = dt.datetime.combine(day, dt.time(22), tzinfo=zone)
        starts += [night + dt.timedelta(minutes=n) for n in range(month_cells.CAP)]
    events = Event.objects.bulk_create(
        Event(
            slug=f"bench-core-{n}",
            title_en=f"Core {n}",
            title_ru=f"Ядро {n}",
            kind=Event.Kind.FESTIVAL,
            status=Event.Status.CONFIRMED,
            # Like the random events: every fourth at the same local time in each city.
            time_mode=Event.TimeMode.LOCAL if n % 4 == 0 else Event.TimeMode.INSTANT,
            timezone=cities[5].timezone,
            start=start,
            end=start + dt.timedelta(hours=4 if start.tzinfo is zone else 0, minutes=50),
            # At 10,000 events and more the city's and pair's lists are about half yearly
            # events (each is listed every year): so are the core's, or the smallest size's
            # lists would be cheaper rows (no series line) than the larger sizes' (profiled:
            # 10-15 % of the page's CPU).
            rrule="FREQ=YEARLY" if n < listed and n % 2 == 0 else "",
        )
        for n, start in enumerate(starts)
    )
    Participation.objects.bulk_create(
        Participation(event=event, city=city, role=role)
        for n, event in enumerate(events)
        for city, role in (
            [(cities[5], "host"), (cities[0], "participant"), (cities[1], "participant")]
            if n < listed
            else [(cities[10 + n % 40], "host")]
            + [(cities[11 + n % 40 + k], "participant") for k in range(2)]
        )
    )
    return len(events)


def shown(response: HttpResponse) -> int:
    """How many occurrences a page or an API answer shows."""
    if response["Content-Type"].startswith("application/json"):
        return len(response.json()["results"])
    body = response.content.decode()
    if "<table" in body:  # the month grid: entries drawn in its day cells
        return body[body.index("<table") : body.index("</table>")].count("<li")
    return body.count('class="occ-title"')


def measure(client: Client, url: str, params: dict, repeat: int) -> tuple[benchdb.Timing, int, int]:
    """Wall/CPU timings, query count and rows shown of ``repeat`` identical requests (after a
    warm-up)."""
    rows = shown(client.get(url, params))
    timing, counts = benchdb.Timing(), set()
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            response = timing.run(lambda: client.get(url, params))
        if response.status_code != 200:
            raise SystemExit(f"{url} {params} -> {response.status_code}")
        counts.add(len(queries))
    if len(counts) != 1:
        raise SystemExit(f"{url}: query count varies between identical requests: {counts}")
    return timing, counts.pop(), rows


class Snapshots:
    """One database per size on PostgreSQL, for interleaved timing: ``keep(size)`` copies the
    bench database as it stands, ``use(size)`` points the connection at a copy, ``drop()``
    removes them all."""

    def __init__(self) -> None:
        self.main = connection.settings_dict["NAME"]
        self.names: dict[int, str] = {}

    def _admin(self, sql: str) -> None:
        connection.close()  # a template must have no other sessions
        with connection._nodb_cursor() as cursor:
            cursor.execute(sql)

    def keep(self, size: int) -> None:
        name = f"{self.main}_{size}"
        self._admin(f'DROP DATABASE IF EXISTS "{name}"')
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.main}"')
        self.names[size] = name

    def use(self, size: int | None) -> None:
        connection.close()
        connection.settings_dict["NAME"] = self.main if size is None else self.names[size]
        connection.ensure_connection()

    def drop(self) -> None:
        self.use(None)
        for name in self.names.values():
            self._admin(f'DROP DATABASE IF EXISTS "{name}"')


def interleaved(
    snapshots: Snapshots,
    targets: dict[int, dict[str, tuple[str, dict]]],
    client: Client,
    rounds: int,
) -> dict[tuple[int, str], benchdb.Timing]:
    """Each request timed once per size per round, the sizes' order rotating per round. A
    switch of database is a new server session with cold catalog caches: every request runs
    once untimed after it."""
    sizes = sorted(targets)
    timings = {(size, name): benchdb.Timing() for size in sizes for name in targets[size]}
    # What loading the data left alive must not make the requests' collections slower (a
    # full collection walks every tracked object): only the requests' own objects are walked.
    gc.collect()
    gc.freeze()
    for round_ in range(rounds):
        for size in sizes[round_ % len(sizes) :] + sizes[: round_ % len(sizes)]:
            snapshots.use(size)
            for url, params in targets[size].values():
                client.get(url, params)
            for name, (url, params) in targets[size].items():
                response = timings[size, name].run(lambda u=url, p=params: client.get(u, p))
                if response.status_code != 200:
                    raise SystemExit(f"{url} {params} -> {response.status_code}")
    snapshots.use(None)
    return timings


def print_flatness(timings: dict[tuple[int, str], benchdb.Timing], rounds: int) -> None:
    """Per request and size: median wall ms (CPU ms) and the fastest round's wall ms; then
    each size against the smallest, by median and by fastest round (interference only adds
    time, so the fastest rounds are the steadiest comparison on a shared machine)."""
    sizes = sorted({size for size, _ in timings})
    names = list(dict.fromkeys(name for _, name in timings))
    print(
        f"\nInterleaved indexed reads ({rounds} rounds): median wall ms (CPU ms) / fastest "
        f"round's wall ms; each size against the smallest ({sizes[0]}): median, fastest"
    )
    head = "".join(f"{size:>22}" for size in sizes)
    ratios = "".join(f"{f'{size}/{sizes[0]}':>16}" for size in sizes[1:])
    print(f"  {'request':36}{head}{ratios}")
    for name in names:
        row = "".join(
            f"{timings[size, name].wall_ms:>8.1f} ({timings[size, name].cpu_ms:>5.1f})"
            f" /{min(timings[size, name].wall):>5.1f}"
            for size in sizes
        )
        base, fastest = timings[sizes[0], name].wall_ms, min(timings[sizes[0], name].wall)
        ratio = "".join(
            f"{timings[size, name].wall_ms / base:>10.2f} {min(timings[size, name].wall) / fastest:>4.2f}"
            for size in sizes[1:]
        )
        print(f"  {name:36}{row}{ratio}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--expanded-up-to",
        type=int,
        default=10000,
        help="Time the expansion only up to this size (it takes seconds per request beyond).",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="Leave the per-size databases (PostgreSQL) in place, for profiling; names printed.",
    )
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    snapshots = Snapshots() if connection.vendor == "postgresql" else None
    try:
        rng = random.Random(20200509)
        user = User.objects.create_user("bench-coordinator")
        user.groups.add(Group.objects.get_or_create(name=settings.COORDINATORS_GROUP)[0])
        client = Client()
        client.force_login(user)
        cities = bench_api.make_cities(60)
        pair = services.create_partnership(city_a_id=cities[0].pk, city_b_id=cities[1].pk)
        core = add_page_core(cities, timezone.now().replace(microsecond=0))
        print(
            f"Database: {connection.vendor} (throwaway test database), {len(cities)} cities, "
            f"{core} page-core events in every size"
        )
        print(
            f"{'events':>7}  {'request':36} {'expanded ms':>11} {'indexed ms':>10} "
            f"{'ratio':>6} {'queries exp/idx':>15} {'idx cpu ms':>10} {'shown':>5}"
        )
        indexed_queries: dict[str, set[int]] = {}
        shown_rows: dict[str, set[int]] = {}
        targets: dict[int, dict[str, tuple[str, dict]]] = {}
        have = 0  # random events so far (beside the core)
        for size in sorted(args.sizes):
            started = time.perf_counter()
            bench_api.add_events(have, size - core, cities, rng)
            random_ids = Event.objects.filter(slug__startswith="bench-event-").order_by("pk")
            new_ids = random_ids.values_list("pk", flat=True)[have : size - core]
            Event.objects.filter(pk__in=list(new_ids)[::25]).update(partnership=pair)
            have = size - core
            if connection.vendor == "postgresql":
                # A steady state has statistics (autovacuum); bulk-loaded tables have none.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            load = time.perf_counter() - started
            started = time.perf_counter()
            rows = rebuild_index()
            build = time.perf_counter() - started
            print(
                f"-- {size} events loaded in {load:.1f} s ({Participation.objects.count()} "
                f"participations); index rebuilt in {build:.1f} s ({rows} rows)"
            )
            city = City.objects.get(pk=cities[5].pk)
            yearly = Event.objects.exclude(rrule="").order_by("pk").first()
            assert yearly is not None
            horizon = OccurrenceHorizon.objects.get(pk=1)
            targets[size] = requests(pair.pk, city.slug, yearly.slug)
            for name, (url, params) in targets[size].items():
                if size <= args.expanded_up_to:
                    OccurrenceHorizon.objects.filter(pk=1).delete()  # reads expand, as before
                    expanded_timing, expanded_queries, _ = measure(client, url, params, args.repeat)
                    expanded = expanded_timing.wall_ms
                    horizon.save(force_insert=True)
                # Timed here beside the expansion, or when not interleaved later (else one run:
                # its queries and rows).
                timed = size <= args.expanded_up_to or not snapshots
                indexed_timing, queries, rows = measure(
                    client, url, params, args.repeat if timed else 1
                )
                indexed = indexed_timing.wall_ms
                indexed_queries.setdefault(name, set()).add(queries)
                shown_rows.setdefault(name, set()).add(rows)
                if size <= args.expanded_up_to:
                    expanded_text = (
                        f"{expanded:>11.1f} {indexed:>10.1f} {expanded / indexed:>5.1f}x "
                        f"{expanded_queries:>7}"
                    )
                elif timed:
                    expanded_text = f"{'-':>11} {indexed:>10.1f} {'-':>6} {'-':>7}"
                else:
                    expanded_text = f"{'-':>11} {'-':>10} {'-':>6} {'-':>7}"
                cpu = f"{indexed_timing.cpu_ms:>10.1f}" if timed else f"{'-':>10}"
                print(f"{size:>7}  {name:36} {expanded_text}/{queries:<7} {cpu} {rows:>5}")
            if snapshots:
                snapshots.keep(size)
        if snapshots:
            print_flatness(interleaved(snapshots, targets, client, args.repeat), args.repeat)
        grew = {name: counts for name, counts in indexed_queries.items() if len(counts) > 1}
        if grew:
            print(f"FAIL: indexed query counts differ between sizes: {grew}")
        unlike = {name: rows for name, rows in shown_rows.items() if len(rows) > 1}
        if unlike:
            print(f"FAIL: pages show different numbers of rows between sizes: {unlike}")
        if grew or unlike:
            return 1
        print("OK: every indexed request makes the same number of queries at every size.")
        print("OK: every page shows the same number of rows at every size.")
        return 0
    finally:
        if snapshots and args.keep:
            print(f"Kept: {', '.join(snapshots.names.values())}")
            snapshots.names.clear()
            snapshots.use(None)
        if snapshots:
            snapshots.drop()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    sys.exit(main())
