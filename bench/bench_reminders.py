"""Benchmark (not a test) for the reminder pipeline. Needs PostgreSQL and redis-server.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/bench_reminders.py [--emails 10000] [--sizes 1000,10000,100000]

1. Scan: the beat's due-reminder scan (ledger.enqueue_due) with a fixed number of due rows
   while the calendar grows to 1,000 / 10,000 / 100,000 events, each with pending future
   reminder rows. It should stay nearly flat: it reads the (status, next_attempt_at) index.
2. Throughput: N reminder emails through Redis + a celery worker subprocess + a local SMTP
   server (aiosmtpd), beside plain smtplib sending the same already-built messages over one
   connection in the same run. The ratio is the figure. ``--batch`` sets the rows per send
   task (NOTIFICATIONS_SEND_BATCH; 1 gives the old one-task-per-email behaviour).

Uses its own scratch database (BENCH_DB_NAME, default bench_reminders), dropped and recreated.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import smtplib
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import config.testing  # noqa: E402, F401  (a throw-away key; plain HTTP: the settings are production-safe)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--due", type=int, default=200, help="due rows in every scan")
    parser.add_argument("--emails", type=int, default=10000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--batch", type=int, default=20, help="rows per send task")
    parser.add_argument("--timeout", type=float, default=1800)
    return parser.parse_args()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database() -> str:
    import dj_database_url
    import psycopg

    base = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    if not base.startswith("postgres"):
        sys.exit("DATABASE_URL must point at PostgreSQL")
    name = os.environ.get("BENCH_DB_NAME", "bench_reminders")
    cfg = dj_database_url.parse(base)
    conninfo = (
        f"host={cfg['HOST'] or '127.0.0.1'} port={cfg['PORT'] or 5432} "
        f"user={cfg['USER'] or 'postgres'} dbname={cfg['NAME']}"
    )
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return base.rsplit("/", 1)[0] + "/" + name


def start_redis() -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(  # noqa: S603 - fixed argv
        [shutil.which("redis-server") or "redis-server", "--port", str(port), "--save", "",
         "--appendonly", "no", "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    for _ in range(100):
        try:
            if redis.Redis.from_url(url).ping():
                return proc, url
        except redis.RedisError:
            time.sleep(0.05)
    sys.exit("redis-server did not start")


class Sink:
    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
        return "250 OK"


def main() -> None:
    args = parse_args()
    db_url = prepare_database()
    redis_proc, redis_url = start_redis()
    from aiosmtpd.controller import Controller

    sink = Sink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    os.environ.update(
        {
            "DATABASE_URL": db_url,
            "REDIS_URL": redis_url,
            "CELERY_QUEUE": "bench",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "NOTIFICATIONS_SCAN_SECONDS": "1",
            "NOTIFICATIONS_PLAN_SECONDS": "86400",
            "NOTIFICATIONS_SEND_BATCH": str(args.batch),
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    worker = None
    try:
        bench_scan(args)
        worker = bench_throughput(args, smtp_port, sink)
    finally:
        if worker is not None:
            worker.kill()
            worker.wait(10)
        controller.stop()
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
        batch = []
        for i in range(created, size):
            start = now + dt.timedelta(days=30 + i % 300, hours=i % 24)
            batch.append(
                Event(
                    slug=f"bench-{i}",
                    title_en=f"Bench {i}",
                    kind="forum",
                    status="confirmed",
                    timezone="UTC",
                    start=start,
                )
            )
        events = Event.objects.bulk_create(batch, batch_size=5000)
        # Each new event gets two pending reminder rows, due in the future (not due now).
        rows = []
        for n, event in enumerate(events):
            rule = rules[n % len(rules)]
            for lead in (14, 1):
                due = event.start - dt.timedelta(days=lead)
                rows.append(
                    Delivery(rule=rule, event=event, kind="reminder", lead_days=lead,
                             due_at=due, next_attempt_at=due, occurrence_start=event.start)
                )  # fmt: skip
        Delivery.objects.bulk_create(rows, batch_size=5000)
        created = size
        if not due_ids:
            first = events[0]
            due = now - dt.timedelta(minutes=5)
            due_rows = Delivery.objects.bulk_create(
                Delivery(rule=rules[i % len(rules)], event=first, kind="reminder",
                         occurrence_key=f"due{i}", lead_days=1, due_at=due,
                         next_attempt_at=due, occurrence_start=first.start)
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
    Delivery.objects.filter(pk__in=due_ids).update(status="sent")
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN SELECT id FROM notifications_delivery WHERE status = 'pending' "
            "AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT 500"
        )
        plan = " / ".join(row[0].strip() for row in cursor.fetchall())
    print("plan:", plan)
    # Leave only what the throughput run needs.
    Delivery.objects.all().delete()
    Event.objects.all().delete()


def bench_throughput(args: argparse.Namespace, smtp_port: int, sink: Sink):
    from django.utils import timezone

    from events.models import Contact, Event
    from notifications import emails, ledger, recipients, transport
    from notifications.models import Delivery, ReminderRule

    n = args.emails
    now = timezone.now()
    event = Event.objects.create(
        slug="bench-forum", title_en="Bench forum", title_ru="Форум", kind="forum",
        status="confirmed", timezone="UTC", start=now + dt.timedelta(days=1),
    )  # fmt: skip
    contacts = Contact.objects.bulk_create(
        Contact(name=f"Office {i}", email=f"office{i}@tp.example", timezone="UTC",
                language="ru" if i % 2 else "en")
        for i in range(n)
    )  # fmt: skip
    rules = ReminderRule.objects.bulk_create(
        ReminderRule(contact=c, target="event", event=event, lead_days=[1], hour=0)
        for c in contacts
    )
    due = recipients.Recipient.of_rule(rules[0]).due(event.start.date(), 1)
    rows = Delivery.objects.bulk_create(
        Delivery(rule=r, event=event, kind="reminder", lead_days=1, due_at=due,
                 next_attempt_at=due, occurrence_start=event.start)
        for r in rules
    )  # fmt: skip

    # Plain smtplib: the same messages, built beforehand, over one connection.
    built = []
    build_started = time.perf_counter()
    for row in Delivery.objects.filter(pk__in=[r.pk for r in rows]).select_related(
        "rule__contact", "rule__city", "event"
    ):
        message = emails.build_email(
            delivery=row, occurrence=None, recipient=row.rule.contact.email,
            language=row.rule.contact.language, zone_name="UTC", instant=event.start, day=None,
        )  # fmt: skip
        built.append((message.from_email, message.to, message.message().as_bytes(linesep="\r\n")))
    build = time.perf_counter() - build_started
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=20) as client:
        for sender, recipients, data in built:
            client.sendmail(sender, recipients, data)
    plain = time.perf_counter() - started
    assert sink.count == n
    sink.count = 0

    worker = subprocess.Popen(  # noqa: S603 - fixed argv
        [str(Path(sys.executable).with_name("celery")), "-A", "worker", "worker", "-l",
         "WARNING", "-c", str(args.concurrency), "--without-gossip", "--without-mingle",
         "--without-heartbeat"],
        cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    from worker.celery import app

    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=0.5):  # time the sends, not the worker's start-up
        if time.monotonic() > deadline:
            sys.exit("worker did not start")
    started = time.perf_counter()
    queued = 0
    while queued < n:
        queued += ledger.enqueue_due()
    deadline = time.monotonic() + args.timeout
    while Delivery.objects.filter(status="sent").count() < n:
        if time.monotonic() > deadline:
            sys.exit("throughput run timed out")
        time.sleep(0.2)
    pipeline = time.perf_counter() - started
    assert sink.count == n, sink.count
    transport.drop_connection()
    print(
        f"== Throughput, {n} reminder emails (worker concurrency {args.concurrency}, "
        f"{args.batch} rows per send task)"
    )
    print(
        f"pipeline (scan + Redis + celery worker + SMTP): {pipeline:8.1f} s  {n / pipeline:8.1f} msg/s"
    )
    print(f"plain smtplib, prebuilt messages, one conn:    {plain:8.1f} s  {n / plain:8.1f} msg/s")
    print(f"ratio pipeline / plain: {pipeline / plain:.1f}x slower")
    print(f"(building the messages alone, one process: {build:.1f} s, {n / build:.1f} msg/s)")
    return worker


if __name__ == "__main__":
    main()
