"""What the bench scripts share: PostgreSQL by default, and CPU beside wall time.

Every script runs on PostgreSQL unless told otherwise: ``BENCH_DATABASE_URL`` names the
server and database (``sqlite:///...`` works too), and without it each script uses its own
database on the local server, ``postgresql://postgres@127.0.0.1:5432/<script's name>``. The
scripts (api, index, feeds, load) create a throwaway ``test_<name>`` database from it and drop
it at the end, so the named database need not exist (bench_reminders keeps its own scheme).

Import this module, call ``use_database(name)``, then set Django up.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432"

_chosen: list[str] = []


def use_database(name: str) -> str:
    """Point DATABASE_URL at BENCH_DATABASE_URL or the local server's ``name``; first call wins
    (bench_index imports bench_api, and keeps its own database)."""
    if not _chosen:
        _chosen.append(os.environ.get("BENCH_DATABASE_URL") or f"{LOCAL_SERVER}/{name}")
        os.environ["DATABASE_URL"] = _chosen[0]
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    return _chosen[0]


class Timing:
    """Median wall and process-CPU milliseconds of repeated runs.

    CPU is this process's only (Django, the ORM, rendering): PostgreSQL's own work runs in the
    server process and shows in wall time only, which a busy machine also disturbs more.
    """

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def run(self, fn: Callable[[], object]) -> object:
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        self.cpu.append((time.process_time() - cpu) * 1000)
        self.wall.append((time.perf_counter() - wall) * 1000)
        return result

    @property
    def wall_ms(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_ms(self) -> float:
        return statistics.median(self.cpu)
