"""Benchmark (not a test) for the reminder pipeline, on PostgreSQL by default.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_reminders \
        .venv/bin/python bench/bench_reminders.py [--emails 10000] [--sizes 1000,10000,100000]

1. Scan: the beat's due-reminder scan (ledger.enqueue_due) with a fixed number of due rows
   while the calendar grows (``--sizes``; empty to skip). It should stay flat: it reads the
   (status, next_attempt_at) index.
2. Throughput, one run: N reminder emails (two languages, two zones, an event with two
   participating cities) through the whole pipeline -- the scan, Redis, a real ``celery
   worker`` process (``--concurrency``) and PostgreSQL -- into an aiosmtpd sink running in its
   own process; and, before and after it in the same run, plain smtplib sending the same
   messages (built beforehand) over one connection to the same sink. The ratio of the rates
   is the figure. Wall time and CPU time (this process, the worker and its pool children, the
   sink, the worker's PostgreSQL backends) are printed for each.
3. In process: SQL statements per message and the time spent building messages, for one
   batch of rows sent by ``sending.send_deliveries`` (the same code the task runs).

The database named by BENCH_DATABASE_URL is dropped and recreated (through the server's
``postgres`` database); redis-server runs on a free port.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import shutil
import smtplib
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TICK = os.sysconf("SC_CLK_TCK")
ZONES = {"en": "America/Anchorage", "ru": "Asia/Magadan"}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="scan sizes; '' skips")
    parser.add_argument("--due", type=int, default=200, help="due rows in every scan")
    parser.add_argument("--emails", type=int, default=10000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--batch", type=int, default=0, help="rows per send task (0: default)")
    parser.add_argument("--timeout", type=float, default=1800)
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pids: list[int], descendants: bool = True) -> float:
    """utime + stime of these processes (and their live descendants) from /proc."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    wanted, frontier = set(pids), list(pids)
    while descendants and frontier:
        parent = frontier.pop()
        children = [pid for pid, (ppid, _t) in stats.items() if ppid == parent]
        wanted.update(children)
        frontier.extend(children)
    return sum(stats[pid][1] for pid in wanted if pid in stats) / TICK


def _sink(port: int, counter, ready, stop) -> None:
    """The SMTP sink, in its own process: accepts and counts every message."""
    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            with counter.get_lock():
                counter.value += 1
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


class Sink:
    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.port = free_port()
        self.counter = ctx.Value("q", 0)
        ready, self.stop_event = ctx.Event(), ctx.Event()
        self.proc = ctx.Process(
            target=_sink, args=(self.port, self.counter, ready, self.stop_event)
        )
        self.proc.start()
        if not ready.wait(30):
            sys.exit("the SMTP sink did not start")

    @property
    def count(self) -> int:
        return self.counter.value

    def cpu(self) -> float:
        return cpu_seconds([self.proc.pid])

    def stop(self) -> None:
        self.stop_event.set()
        self.proc.join(10)


def prepare_database() -> str:
    import dj_database_url
    import psycopg

    url = os.environ.get(
        "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench_reminders"
    )
    if not url.startswith("postgres"):
        sys.exit("BENCH_DATABASE_URL must point at PostgreSQL")
    cfg = dj_database_url.parse(url)
    password = f" password={cfg['PASSWORD']}" if cfg.get("PASSWORD") else ""
    conninfo = (
        f"host={cfg['HOST'] or '127.0.0.1'} port={cfg['PORT'] or 5432} "
        f"user={cfg['USER'] or 'postgres'}{password} dbname=postgres"
    )
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
    return url


def start_redis() -> tuple[subprocess.Popen, str]:
    import redis

    port = free_port()
    proc = subprocess.Popen(  # noqa: S603 - fixed argv
        [shutil.which("redis-server") or "redis-server", "--port", str(port), "--save", "",
         "--appendonly", "no", "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):
        try:
            if redis.Redis.from_url(url).ping():
                return proc, url
        except redis.RedisError:
            time.sleep(0.05)
    sys.exit("redis-server did not start")


def main() -> None:
    args = parse_args()
    db_url = prepare_database()
    redis_proc, redis_url = start_redis()
    sink = Sink()
    # Before anything imports config: the Celery app reads its queue name at import.
    os.environ.update(
        {
            "DATABASE_URL": db_url,
            "REDIS_URL": redis_url,
            "CELERY_QUEUE": "bench",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(sink.port),
            "NOTIFICATIONS_SCAN_SECONDS": "1",
            "NOTIFICATIONS_PLAN_SECONDS": "86400",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    if args.batch:
        os.environ["NOTIFICATIONS_SEND_BATCH"] = str(args.batch)
    import django

    import config.testing  # noqa: F401  (a throw-away key; plain HTTP: production-safe settings)

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    worker = None
    try:
        if args.sizes:
            bench_scan(args)
        worker, ids = bench_throughput(args, sink)
        bench_in_process(ids[: min(len(ids), 400)])
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
        sink.stop()
        redis_proc.kill()


def bench_scan(args: argparse.Namespace) -> None:
    from django.db import connection
    from django.utils import timezone

    from events.models import Contact, Event
    from notifications import ledger
    from notifications.models import Delivery, ReminderRule

    now = timezone.now()
    contacts = Contact.objects.bulk_create(
        Contact(name=f"Office {i}", email=f"o{i}@bench.example", timezone="UTC") for i in range(50)
    )
    rules = ReminderRule.objects.bulk_create(
        ReminderRule(contact=c, target="event_kind", event_kind="forum") for c in contacts
    )
    print("== Due-reminder scan (ledger.enqueue_due), fixed due rows:", args.due)
    print(f"{'events':>8} {'ledger rows':>12} {'median ms':>10} {'max ms':>8}")
    created = 0
    due_ids: list[int] = []
    for size in [int(s) for s in args.sizes.split(",")]:
        events = Event.objects.bulk_create(
            (
                Event(slug=f"bench-{i}", title_en=f"Bench {i}", kind="forum", status="confirmed",
                      timezone="UTC", start=now + dt.timedelta(days=30 + i % 300, hours=i % 24))
                for i in range(created, size)
            ),
            batch_size=5000,
        )  # fmt: skip
        # Each new event gets two pending reminder rows, due in the future (not due now).
        Delivery.objects.bulk_create(
            (
                Delivery(rule=rules[n % len(rules)], event=event, kind="reminder", lead_days=lead,
                         due_at=event.start - dt.timedelta(days=lead),
                         next_attempt_at=event.start - dt.timedelta(days=lead),
                         occurrence_start=event.start)
                for n, event in enumerate(events)
                for lead in (14, 1)
            ),
            batch_size=5000,
        )  # fmt: skip
        created = size
        if not due_ids:
            due = now - dt.timedelta(minutes=5)
            due_rows = Delivery.objects.bulk_create(
                Delivery(rule=rules[i % len(rules)], event=events[0], kind="reminder",
                         occurrence_key=f"due{i}", lead_days=1, due_at=due,
                         next_attempt_at=due, occurrence_start=events[0].start)
                for i in range(args.due)
            )  # fmt: skip
            due_ids = [row.pk for row in due_rows]
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE notifications_delivery")
        timings = []
        for _ in range(7):
            Delivery.objects.filter(pk__in=due_ids).update(status="pending", queued_at=None)
            started = time.perf_counter()
            claimed = ledger.enqueue_due(enqueue=lambda pk: None)
            timings.append((time.perf_counter() - started) * 1000)
            assert claimed == args.due, claimed
        total = Delivery.objects.count()
        print(f"{size:>8} {total:>12} {statistics.median(timings):>10.1f} {max(timings):>8.1f}")
    Delivery.objects.all().delete()  # leave only what the throughput run needs
    Event.objects.all().delete()
    ReminderRule.objects.all().delete()
    Contact.objects.all().delete()


def make_rows(n: int) -> list[int]:
    """An event tomorrow in Magadan and Anchorage; n contacts (English in Anchorage, Russian in
    Magadan) with an event rule each and a 1-day reminder that is due now."""
    from django.utils import timezone

    from events.models import City, Contact, Event, Participation
    from notifications import recipients
    from notifications.models import Delivery, ReminderRule

    start = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=1)
    event = Event.objects.create(
        slug="bench-forum", title_en="Bench forum: Magadan and Anchorage",
        title_ru="Форум: Магадан и Анкоридж", description_en="Sister cities since 1991.",
        description_ru="Города-побратимы с 1991 года.", kind="forum", status="confirmed",
        timezone="Asia/Magadan", start=start, end=start + dt.timedelta(hours=2),
    )  # fmt: skip
    for slug, zone, en, native, country in (
        ("magadan", "Asia/Magadan", "Magadan", "Магадан", "RU"),
        ("anchorage", "America/Anchorage", "Anchorage", "Anchorage", "US"),
    ):
        city = City.objects.create(slug=slug, name_en=en, name_native=native, timezone=zone,
                                   country=country)  # fmt: skip
        Participation.objects.create(event=event, city=city, venue=f"{en} city hall")
    contacts = Contact.objects.bulk_create(
        Contact(name=f"Office {i}", email=f"office{i}@tp.example", language=language,
                timezone=ZONES[language])
        for i in range(n)
        for language in ["ru" if i % 2 else "en"]
    )  # fmt: skip
    rules = ReminderRule.objects.bulk_create(
        ReminderRule(contact=c, target="event", event=event, lead_days=[1], hour=0)
        for c in contacts
    )
    rows = []
    for rule in rules:
        recipient = recipients.Recipient.of_rule(rule)
        due = recipient.due(start.astimezone(ZoneInfo(recipient.zone_name)).date(), 1)
        rows.append(
            Delivery(rule=rule, address_key=recipient.key, event=event, kind="reminder",
                     occurrence_key=f"@{start:%Y%m%dT%H%M%SZ}", lead_days=1, due_at=due,
                     next_attempt_at=due, occurrence_start=start)
        )  # fmt: skip
    return [row.pk for row in Delivery.objects.bulk_create(rows, batch_size=2000)]


def prebuilt(ids: list[int]) -> tuple[list[tuple[str, list[str], bytes]], float]:
    """The same messages the pipeline sends, each built in full the ordinary way."""
    from notifications import emails, recipients
    from notifications.models import Delivery

    built = []
    started = time.process_time()
    rows = Delivery.objects.filter(pk__in=ids).select_related(
        "rule__contact", "rule__city", "event"
    )
    for row in rows:
        recipient = recipients.Recipient.of_rule(row.rule)
        message = emails.build_email(
            delivery=row, occurrence=None, recipient=recipient.address,
            language=recipient.language, zone_name=recipient.zone_name,
            instant=row.event.start, day=None, days_ahead=1,
        )  # fmt: skip
        built.append((message.from_email, message.to, message.message().as_bytes(linesep="\r\n")))
    return built, time.process_time() - started


def plain_smtplib(built, sink: Sink) -> dict[str, float]:
    first, sink_cpu, cpu = sink.count, sink.cpu(), time.process_time()
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", sink.port, timeout=20) as client:
        for sender, to, data in built:
            client.sendmail(sender, to, data)
    while sink.count < first + len(built):
        time.sleep(0.01)
    return {
        "wall": time.perf_counter() - started,
        "cpu client": time.process_time() - cpu,
        "cpu sink": sink.cpu() - sink_cpu,
    }


def start_worker(concurrency: int) -> subprocess.Popen:
    from worker.celery import app

    worker = subprocess.Popen(  # noqa: S603 - fixed argv
        [str(Path(sys.executable).with_name("celery")), "-A", "worker", "worker", "-l",
         "WARNING", "-c", str(concurrency), "--without-gossip", "--without-mingle",
         "--without-heartbeat"],
        cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=0.5):  # time the sends, not the worker's start-up
        if time.monotonic() > deadline:
            sys.exit("worker did not start")
    return worker


def pg_backends_cpu() -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        pids = [pid for (pid,) in cursor.fetchall()]
    return cpu_seconds(pids, descendants=False)


def pipeline(args: argparse.Namespace, n: int, sink: Sink, worker) -> dict[str, float]:
    from notifications import ledger
    from notifications.models import Delivery

    first, sink_cpu, cpu = sink.count, sink.cpu(), time.process_time()
    worker_cpu = cpu_seconds([worker.pid])
    started = time.perf_counter()
    queued = 0
    for _round in range(100):  # the beat's scan: claim due rows, publish send tasks
        queued += ledger.enqueue_due()
        if queued >= n:
            break
    deadline = time.monotonic() + args.timeout
    while sink.count < first + n or Delivery.objects.filter(status="sent").count() < n:
        if time.monotonic() > deadline:
            sys.exit("throughput run timed out")
        time.sleep(0.05)
    wall = time.perf_counter() - started
    assert sink.count == first + n, (sink.count, first, n)
    return {
        "wall": wall,
        "cpu scan+poll": time.process_time() - cpu,
        "cpu worker": cpu_seconds([worker.pid]) - worker_cpu,
        "cpu sink": sink.cpu() - sink_cpu,
        "cpu pg (worker backends)": pg_backends_cpu(),
    }


def bench_throughput(args: argparse.Namespace, sink: Sink):
    from notifications import conf

    n = args.emails
    ids = make_rows(n)
    built, build_cpu = prebuilt(ids)
    runs = {"plain smtplib (before)": plain_smtplib(built, sink)}
    worker = start_worker(args.concurrency)
    runs["pipeline"] = pipeline(args, n, sink, worker)
    worker.kill()
    worker.wait(10)
    runs["plain smtplib (after)"] = plain_smtplib(built, sink)
    print(
        f"== Throughput, {n} reminder emails: worker concurrency {args.concurrency}, "
        f"{conf.get('NOTIFICATIONS_SEND_BATCH')} rows per send task, sink in its own process"
    )
    for name, figures in runs.items():
        cpu = "  ".join(f"{k} {v:.1f} s" for k, v in figures.items() if k != "wall")
        print(f"{name:<24} {figures['wall']:7.1f} s wall {n / figures['wall']:8.1f} msg/s  {cpu}")
    plain = min(runs["plain smtplib (before)"]["wall"], runs["plain smtplib (after)"]["wall"])
    ratio = plain / runs["pipeline"]["wall"]
    print(f"ratio pipeline / plain smtplib (the faster plain run): {ratio:.2f}x throughput")
    print(f"(building the {n} messages in full beforehand: {build_cpu:.1f} s CPU, "
          f"{n / build_cpu:.0f} msg/s in one process)")  # fmt: skip
    return worker, ids


def bench_in_process(ids: list[int]) -> None:
    """One process, the task's code on batches of rows: SQL statements and build time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications import conf, emails, sending, transport
    from notifications.models import Delivery

    Delivery.objects.filter(pk__in=ids).update(status="queued", message_id="", sent_at=None)
    spent = {"build": 0.0, "smtp": 0.0}

    def timed(name, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started

        return wrapper

    build, deliver = sending.build_email, transport.deliver
    sending.build_email = timed("build", emails.build_email)
    transport.deliver = timed("smtp", deliver)
    size = conf.get("NOTIFICATIONS_SEND_BATCH")
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        for start in range(0, len(ids), size):
            sending.send_deliveries(delivery_ids=ids[start : start + size])
    total = time.perf_counter() - started
    sending.build_email, transport.deliver = build, deliver
    sent = Delivery.objects.filter(pk__in=ids, status="sent").count()
    writes = sum(q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT")) for q in queries)
    print(f"== In process, {len(ids)} rows in batches of {size} ({sent} sent)")
    print(f"SQL statements per message: {len(queries) / len(ids):.2f} "
          f"({writes / len(ids):.2f} writes); wall {total / len(ids) * 1000:.2f} ms per message: "
          f"building {spent['build'] / len(ids) * 1000:.2f} ms, "
          f"SMTP {spent['smtp'] / len(ids) * 1000:.2f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
