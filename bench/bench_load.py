"""Benchmark: the site under load — gunicorn (2 sync workers) and ``wrk`` over loopback.

    .venv/bin/python bench/bench_load.py [--events 10000] [--duration 10] [--budget 900]

Installs ``wrk`` from Debian when it is missing (apt-get, waiting for the apt lock; as root, or
through ``sudo -n``). Seeds a throwaway PostgreSQL database (``test_<name>`` from
BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/bench_load; bench/benchdb.py)
with bench_api's data (the data bench_index uses: 60 cities, 2-4 per event, every 10th yearly,
2020-2030) and builds the occurrence index. Starts gunicorn with the shipped
config/gunicorn.conf.py on a free 127.0.0.1 port, as production runs it (DEBUG=0, a private
SECRET_KEY, ALLOWED_HOSTS; PLAIN_HTTP=1 because wrk speaks plain HTTP; the anonymous API throttle
raised so it does not answer 429 to the benchmark; no Redis unless --redis-url), then runs wrk
for --duration seconds per URL: /healthz (the trivial view, the baseline), the home page, an
event page, one month of /api/occurrences/, a warm city feed, the same feed's 304
(If-None-Match: its current ETag) and the whole public feed. Prints req/s, p50 and p99, both as
ratios to /healthz, and the gunicorn workers' CPU milliseconds per request (PostgreSQL's own CPU
is not in it), and the wall time of one request sent alone before the load (service time
without queueing). Everything is bounded: --budget seconds for the whole run after wrk is installed.
"""

# ruff: noqa: E402  (the database is chosen before Django is imported)
from __future__ import annotations

import argparse
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdb

benchdb.use_database("bench_load")
import bench_api
from django.db import connection
from django.test.utils import setup_test_environment, teardown_test_environment

from events import services
from events.models import City, Event
from events.occurrence_index.maintain import rebuild_index

APT_WAIT = ["-o", "DPkg::Lock::Timeout=600"]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    name: str
    path: str
    status: int
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: str
    worker_cpu_ms: float
    alone_ms: float


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def left(self, what: str) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise SystemExit(f"out of time budget before {what}")
        return left


def ensure_wrk() -> str:
    """The wrk binary; installed from Debian when missing (bounded: apt waits 600 s for its lock)."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0:
        prefix: list[str] = []
    elif shutil.which("sudo"):
        prefix = ["sudo", "-n"]
    else:
        raise SystemExit("wrk is not installed and this user cannot run apt-get: apt install wrk")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print("Installing wrk from Debian (apt-get)...", flush=True)
    for attempt in (1, 2, 3):
        try:
            subprocess.run(  # noqa: S603 - fixed argv
                [*prefix, "apt-get", *APT_WAIT, "update", "-qq"], check=True, timeout=900
            )
            subprocess.run(  # noqa: S603 - fixed argv
                [*prefix, "apt-get", *APT_WAIT, "install", "-y", "-qq", "wrk"],
                check=True,
                env=env,
                timeout=900,
                stdout=subprocess.DEVNULL,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            print(f"apt attempt {attempt} failed ({exc}); retrying in 30 s", file=sys.stderr)
            time.sleep(30)
            continue
        found = shutil.which("wrk")
        if found:
            return found
    raise SystemExit("could not install wrk (apt-get failed three times)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(events: int) -> tuple[str, str]:
    """bench_api's events, one pair linked to every 25th, ANALYZEd and indexed. Returns the
    slugs of a city and of a yearly event."""
    rng = random.Random(20200509)
    cities = bench_api.make_cities(60)
    pair = services.create_partnership(city_a_id=cities[0].pk, city_b_id=cities[1].pk)
    started = time.perf_counter()
    bench_api.add_events(0, events, cities, rng)
    ids = list(Event.objects.order_by("pk").values_list("pk", flat=True))
    Event.objects.filter(pk__in=ids[::25]).update(partnership=pair)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    rows = rebuild_index()
    print(
        f"Seeded {events} events and {rows} index rows in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    yearly = Event.objects.exclude(rrule="").order_by("pk").first()
    assert yearly is not None
    return City.objects.get(pk=cities[5].pk).slug, yearly.slug


def database_url() -> str:
    """The URL of the test database the parent created, for gunicorn's workers."""
    db = connection.settings_dict
    user = quote(db["USER"] or "postgres")
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return f"postgresql://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_gunicorn(port: int, args: argparse.Namespace, deadline: Deadline) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "PLAIN_HTTP": "1",
        "DATABASE_URL": database_url(),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(args.workers),
        # The shipped access log format, written where it costs what it costs but is not kept.
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "ANON_THROTTLE_RATE": "100000000/second",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_CMD_ARGS": "--log-level warning",
        # Static files are not what is measured: no collectstatic, and no warning about it.
        "PYTHONWARNINGS": "ignore:No directory at:UserWarning",
    }
    env.pop("REDIS_URL", None)
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    command = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"]
    proc = subprocess.Popen(  # noqa: S603 - fixed argv
        command, cwd=benchdb.ROOT, env=env, start_new_session=True
    )
    # Until both workers answer: each worker imports Django on its first request.
    wait_until = time.monotonic() + min(60.0, deadline.left("gunicorn start"))
    answered = 0
    while time.monotonic() < wait_until:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                answered += r.status == 200
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
            continue
        if answered >= 4 * args.workers and len(worker_pids(proc.pid)) == args.workers:
            return proc
    stop_gunicorn(proc)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def stop_gunicorn(proc: subprocess.Popen) -> None:
    """SIGTERM to the master (graceful: workers finish their request), SIGKILL after 30 s."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the session started for this gunicorn only
            proc.wait(timeout=10)


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                pids.append(int(entry.name))
    return pids


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / CLOCK_TICKS


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback http
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            response.read()
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def to_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


def run_wrk(
    wrk: str, base: str, name: str, path: str, args, master: int, deadline: Deadline, headers=()
) -> Result:
    request_headers = dict(h.split(": ", 1) for h in headers)
    status, _headers = fetch(base + path, request_headers)  # warm-up
    started = time.perf_counter()
    fetch(base + path, request_headers)
    alone_ms = (time.perf_counter() - started) * 1000
    deadline.left(name)
    command = [wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s"]
    command += ["--latency", "--timeout", "30s"]
    for header in headers:
        command += ["-H", header]
    pids = worker_pids(master)
    cpu_before = cpu_seconds(pids)
    out = subprocess.run(  # noqa: S603 - fixed argv
        [*command, base + path],
        capture_output=True,
        text=True,
        check=True,
        timeout=args.duration + 60,
    ).stdout
    cpu = cpu_seconds(pids) - cpu_before
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    # No request finished within the run: wrk prints no distribution.
    p50 = to_ms(m.group(1)) if (m := re.search(r"^\s+50%\s+(\S+)", out, re.M)) else math.nan
    p99 = to_ms(m.group(1)) if (m := re.search(r"^\s+99%\s+(\S+)", out, re.M)) else math.nan
    errors = [] if requests else ["no request finished"]
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors.append(f"{match.group(1)} non-2xx/3xx")
    if match := re.search(r"Socket errors: (.*)", out):
        errors.append(f"socket errors: {match.group(1)}")
    return Result(
        name,
        path,
        status,
        requests,
        rps,
        p50,
        p99,
        "; ".join(errors),
        cpu * 1000 / max(requests, 1),
        alone_ms,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10000)
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per URL")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections")
    parser.add_argument("--budget", type=float, default=900, help="seconds for the whole run")
    parser.add_argument("--redis-url", default="", help="REDIS_URL for gunicorn (default none)")
    args = parser.parse_args()
    wrk = ensure_wrk()
    deadline = Deadline(args.budget)
    if connection.vendor != "postgresql":
        raise SystemExit("bench_load needs PostgreSQL (gunicorn's workers share the database)")

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    proc = None
    try:
        city_slug, event_slug = seed(args.events)
        connection.close()  # gunicorn's workers are the only clients from here on
        port = free_port()
        proc = start_gunicorn(port, args, deadline)
        base = f"http://127.0.0.1:{port}"
        feed = f"/feeds/city/{city_slug}.ics"
        status, headers = fetch(base + feed)  # renders and stores the fragments: warm from now
        etag = headers.get("ETag", "")
        if status != 200 or not etag:
            raise SystemExit(f"{feed} -> {status}, ETag {etag!r}")
        fetch(base + "/feeds/all.ics")
        plan = [
            ("trivial view (/healthz)", "/healthz", ()),
            ("home page", "/", ()),
            ("event page (yearly)", f"/events/{event_slug}/", ()),
            ("api occurrences, one month", "/api/occurrences/?start=2025-05-01&end=2025-05-31", ()),
            ("city feed, warm", feed, ()),
            ("city feed, 304", feed, (f"If-None-Match: {etag}",)),
            ("all feed, warm", "/feeds/all.ics", ()),
        ]
        print(
            f"gunicorn: {args.workers} sync workers on {base}; wrk -t{args.threads} "
            f"-c{args.connections} -d{args.duration}s; {args.events} events",
            flush=True,
        )
        results: list[Result] = []
        print(HEADER, flush=True)
        for name, path, headers in plan:
            results.append(run_wrk(wrk, base, name, path, args, proc.pid, deadline, headers))
            print(row(results[-1], results[0]), flush=True)
    finally:
        if proc is not None:
            stop_gunicorn(proc)
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    return 1 if any(r.errors or r.status not in (200, 304) for r in results) else 0


HEADER = (
    f"{'request':28} {'status':>6} {'req/s':>9} {'x trivial':>9} {'p50 ms':>8} "
    f"{'p99 ms':>8} {'p99 x':>7} {'cpu ms/req':>10} {'alone ms':>8}  errors"
)


def row(r: Result, trivial: Result) -> str:
    return (
        f"{r.name:28} {r.status:>6} {r.rps:>9.1f} {r.rps / trivial.rps:>9.3f} "
        f"{r.p50_ms:>8.2f} {r.p99_ms:>8.2f} {r.p99_ms / trivial.p99_ms:>7.1f} "
        f"{r.worker_cpu_ms:>10.2f} {r.alone_ms:>8.1f}  {r.errors or '-'}"
    )


if __name__ == "__main__":
    sys.exit(main())
