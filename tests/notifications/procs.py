"""Real processes for the integration and fault tests: a private redis-server, an aiosmtpd
server on loopback, and Celery worker / beat subprocesses pointed at the test database."""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from email.message import Message
from pathlib import Path

from aiosmtpd.controller import Controller
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(
    condition: Callable[[], object], timeout: float, what: str, interval: float = 0.1
) -> object:
    """Poll ``condition`` until it is truthy; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except redis.RedisError:
        return False


class RedisServer:
    """A throw-away redis-server without persistence (a restart loses every queued message)."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.dir = tmp
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server not installed"
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(lambda: redis_answers(self.url), 10, "redis-server to start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None


class SmtpHandler:
    """Records every accepted message. ``refuse`` maps an address to a 5xx RCPT answer;
    while ``busy`` is true every DATA gets 451 (a temporary failure)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[Message] = []
        self.refuse: dict[str, str] = {}
        self.busy = False
        self.busy_answers = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.busy:
            with self.lock:
                self.busy_answers += 1
            return "451 4.3.0 Try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted"

    def snapshot(self) -> list[Message]:
        with self.lock:
            return list(self.messages)

    def count(self) -> int:
        with self.lock:
            return len(self.messages)


class SmtpServer:
    def __init__(self) -> None:
        self.handler = SmtpHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def test_database_url() -> str:
    """The test database, as the worker subprocess must see it."""
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgresql://{user}{password}@{host}:{port}/{s['NAME']}"


class Pipeline:
    """Celery worker(s) and beat(s) as subprocesses, each in its own process group."""

    def __init__(
        self, *, tmp: Path, redis_url: str, smtp_port: int, clock_file: str, plan_seconds: int
    ) -> None:
        self.tmp = tmp
        self.procs: list[subprocess.Popen] = []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": test_database_url(),
            "TEST_DB_NAME": "",
            "REDIS_URL": redis_url,
            "CELERY_QUEUE": f"h4-test-{uuid.uuid4().hex[:8]}",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_TIMEOUT": "5",
            "CELERY_TASK_TIME_LIMIT": "10",
            "CELERY_TASK_SOFT_TIME_LIMIT": "8",
            "NOTIFICATIONS_CLOCK_FILE": clock_file,
            "NOTIFICATIONS_SCAN_SECONDS": "1",
            "NOTIFICATIONS_PLAN_SECONDS": str(plan_seconds),
            "NOTIFICATIONS_DEBOUNCE_SECONDS": "60",
            "NOTIFICATIONS_RETRY_BASE_SECONDS": "1",
            "NOTIFICATIONS_RETRY_MAX_SECONDS": "2",
            "NOTIFICATIONS_MAX_ATTEMPTS": "50",
            "NOTIFICATIONS_QUEUED_STALE_SECONDS": "15",
            "NOTIFICATIONS_SENDING_STALE_SECONDS": "20",
            "TWINNING_VAR_DIR": str(tmp / "var"),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }

    def _spawn(self, args: list[str], name: str) -> subprocess.Popen:
        log = (self.tmp / f"{name}-{len(self.procs)}.log").open("wb")
        proc = subprocess.Popen(
            [CELERY, "-A", "worker", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append(proc)
        return proc

    def start_worker(self, concurrency: int = 2) -> subprocess.Popen:
        return self._spawn(
            ["worker", "-l", os.environ.get("H4_WORKER_LOG", "WARNING"), "-P", "prefork", "-c", str(concurrency),
             "--without-gossip", "--without-mingle", "--without-heartbeat",
             "-n", f"h4-{uuid.uuid4().hex[:6]}@%h"],
            "worker",
        )  # fmt: skip

    def start_beat(self) -> subprocess.Popen:
        schedule = self.tmp / f"beat-{uuid.uuid4().hex[:6]}"
        return self._spawn(["beat", "-l", "WARNING", "-s", str(schedule)], "beat")

    @staticmethod
    def kill(proc: subprocess.Popen) -> None:
        """kill -9 the whole process group (the worker and its pool children)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def stop(self) -> None:
        for proc in self.procs:
            self.kill(proc)
        self.procs.clear()

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.tmp.glob("*.log"))
        )
