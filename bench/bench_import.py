"""Benchmark: importing a 500- and a 2,000-event .ics, with a baseline from the same run.

Runs on PostgreSQL by default (BENCH_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/
bench_import, see bench/benchdb.py; a throwaway ``test_...`` database is created and dropped
here). The files mix one-off timed events in five zones, all-day events and yearly series with
an EXDATE and a moved instance (every RECURRENCE-ID counts as a VEVENT), Cyrillic titles for a
third; two participating cities; the occurrence index is built. For each size it prints wall
and CPU seconds and events/s of: the plain icalendar parse of the same bytes (the baseline),
the import as it runs in a worker (first import: every event created), a re-import of the
same file (every event unchanged) and of the file with every description edited (every event
updated), plus the peak Python memory of the first import. Exit
status 1 if a 2,000-VEVENT first import takes more than 10 s of wall time.

    .venv/bin/python bench/bench_import.py [--sizes 500 2000]
"""

# ruff: noqa: E402  (the database is chosen before Django is imported)
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import random
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdb

benchdb.use_database("bench_import")  # before bench_api, which would pick its own database
import bench_api  # noqa: F401 - Django set up with the testing settings
import icalendar
from django.db import connection, transaction
from django.test.utils import setup_test_environment, teardown_test_environment

from events import services
from events.feeds import importer
from events.feeds.ics_parsing import decode_calendar, parse_events, vevent_lines
from events.occurrence_index.maintain import rebuild_index
from events.services.batch import _one_by_one

warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
ZONES = ["Europe/Moscow", "Asia/Magadan", "America/Anchorage", "America/New_York", "Asia/Anadyr"]


def make_calendar(n: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//twinning//EN"]
    count = 0
    i = -1
    while count < n:
        i += 1
        uid = f"bench-{i}@partner.example"
        zone = rng.choice(ZONES)
        day = dt.date(2027, 1, 1) + dt.timedelta(days=rng.randrange(0, 1500))
        title = f"Встреча делегаций {i}" if i % 3 == 0 else f"Delegation meeting {i}"
        ev = [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            "DTSTAMP:20260101T000000Z",
            f"SUMMARY:{title}",
            f"DESCRIPTION:Programme item {i} of the exchange\\, with a long description line that folds",
            f"LOCATION:City hall {i % 17}",
        ]
        kind = i % 10
        if kind < 7:
            hour = rng.randrange(9, 18)
            ev += [
                f"DTSTART;TZID={zone}:{day:%Y%m%d}T{hour:02d}0000",
                f"DTEND;TZID={zone}:{day:%Y%m%d}T{hour + 1:02d}0000",
            ]
        elif kind < 9:
            ev += [
                f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                f"DTEND;VALUE=DATE:{day + dt.timedelta(days=2):%Y%m%d}",
            ]
        else:
            ev += [
                f"DTSTART;TZID={zone}:{day:%Y%m%d}T100000",
                f"DTEND;TZID={zone}:{day:%Y%m%d}T110000",
                "RRULE:FREQ=YEARLY;COUNT=10",
                f"EXDATE;TZID={zone}:{day.replace(year=day.year + 2):%Y%m%d}T100000",
            ]
        ev.append("END:VEVENT")
        lines += ev
        count += 1
        if kind == 9 and count < n:
            count += 1
            nxt = day.replace(year=day.year + 1)
            lines += [
                "BEGIN:VEVENT",
                f"UID:{uid}",
                "DTSTAMP:20260101T000000Z",
                f"RECURRENCE-ID;TZID={zone}:{nxt:%Y%m%d}T100000",
                f"SUMMARY:{title} (moved)",
                f"DTSTART;TZID={zone}:{nxt:%Y%m%d}T140000",
                f"DTEND;TZID={zone}:{nxt:%Y%m%d}T150000",
                "END:VEVENT",
            ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


class _Undo(Exception):
    pass


def per_event(data: bytes, options: importer.ImportOptions) -> None:
    """The previous importer's writes: create_event and change_occurrence per event (what
    events.services.batch falls back to), in a transaction rolled back afterwards."""
    items, problems = parse_events(decode_calendar(data), options, vevent_lines(data))
    assert not problems
    participations = [services.ParticipationInput(city_id=pk) for pk in options.city_ids]
    new = [services.NewEvent(fields=i.fields, occurrence_changes=i.overrides) for i in items]
    try:
        with transaction.atomic():
            _one_by_one(new, participations, None)
            raise _Undo
    except _Undo:
        pass


def timed(function):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000])
    parser.add_argument(
        "--per-event-up-to",
        type=int,
        default=500,
        help="Time the old one-event-at-a-time writes only up to this size (35 ms per event).",
    )
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    slow = False
    try:
        tula = services.create_city(
            name_en="Tula", name_native="Тула", country="RU", timezone="Europe/Moscow"
        )
        albany = services.create_city(
            name_en="Albany", name_native="Albany", country="US", timezone="America/New_York"
        )
        rebuild_index()
        print(f"Database: {connection.vendor} (throwaway test database)")
        print(
            f"{'VEVENTs':>7}  {'step':34} {'wall s':>7} {'cpu s':>7} {'events/s':>9} {'x parse':>8}"
        )
        for size in args.sizes:
            data = make_calendar(size, seed=size)
            options = importer.ImportOptions(source=f"bench-{size}", city_ids=(tula.pk, albany.pk))
            _cal, parse_wall, parse_cpu = timed(
                lambda data=data: icalendar.Calendar.from_ical(data)
            )
            run, wall, cpu = timed(
                lambda d=data, o=options: importer.import_calendar(data=d, options=o)
            )
            again, re_wall, re_cpu = timed(
                lambda d=data, o=options: importer.import_calendar(data=d, options=o)
            )
            assert run.created > 0
            assert again.unchanged == run.created
            edited = data.replace(b"DESCRIPTION:Programme item", b"DESCRIPTION:Revised item")
            changed, ch_wall, ch_cpu = timed(
                lambda d=edited, o=options: importer.import_calendar(data=d, options=o)
            )
            rows = [
                ("icalendar parse only (baseline)", parse_wall, parse_cpu),
                (f"first import ({run.created} created)", wall, cpu),
                (f"re-import ({again.unchanged} unchanged)", re_wall, re_cpu),
                (f"edited re-import ({changed.updated} updated)", ch_wall, ch_cpu),
            ]
            if size <= args.per_event_up_to:
                _r, old_wall, old_cpu = timed(lambda d=data, o=options: per_event(d, o))
                rows.append(("per-event create_event (old path)", old_wall, old_cpu))
            for name, w, c in rows:
                print(
                    f"{size:>7}  {name:34} {w:>7.2f} {c:>7.2f} {size / w:>9.0f} {w / parse_wall:>7.1f}x"
                )
            # Memory on its own run (tracemalloc slows Python down): the same file as a new
            # source, so every event is created again.
            tracemalloc.start()
            importer.import_calendar(
                data=data, options=dataclasses.replace(options, source=f"memory-{size}")
            )
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(
                f"{size:>7}  peak Python memory of the first import: {peak / 2**20:.1f} MiB "
                f"(file {len(data) / 2**20:.2f} MiB)"
            )
            slow = slow or (size >= 2000 and wall > 10)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    if slow:
        print("FAIL: a 2,000-VEVENT import took more than 10 s")
        return 1
    print("OK: a 2,000-VEVENT import takes at most 10 s (>= 200 events/s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
