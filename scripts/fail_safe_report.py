"""Replays the fail-safe review's scenarios against the real stack and prints what each answers.

    .venv/bin/python scripts/fail_safe_report.py

Starts its own redis-server and gunicorn (the shipped config/gunicorn.conf.py, production
settings on plain HTTP) on free loopback ports, over a fresh PostgreSQL database loaded with the
demo programme (REPORT_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/fail_safe).
Prints one line per scenario: status codes, timings, counts. Bounded: every wait has a timeout.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
DB_URL = os.environ.get("REPORT_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/fail_safe")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise SystemExit(f"timed out waiting for {what}")


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def request(url: str, method: str = "GET", body: Any = None, headers: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})  # noqa: S310
    if data is not None:
        req.add_header("Content-Type", "application/json")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 - loopback
            status, head, text = resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        status, head, text = exc.code, dict(exc.headers), exc.read()
    return status, head, text, (time.perf_counter() - started) * 1000


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own manage.py
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DATABASE_URL=DB_URL, **extra)
    return env


def settings_checks() -> None:
    print("## 2–3. Secret key and production defaults")
    env = base_env(DEBUG="0")
    env.pop("SECRET_KEY_FILE", None)
    out = manage(env, "check", "--deploy")
    first = (out.stderr.strip().splitlines() or [""])[-1]
    print(f"DEBUG=0, no SECRET_KEY: exit {out.returncode}: {first[:140]}")
    env = base_env(DEBUG="0", SECRET_KEY="a" * 10, ALLOWED_HOSTS="calendar.example.org")
    out = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    print(f"DEBUG=0, weak key: exit {out.returncode}")
    key = secrets.token_urlsafe(50)
    env = base_env(DEBUG="0", SECRET_KEY=key, ALLOWED_HOSTS="calendar.example.org")
    out = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    print(
        f"DEBUG=0 + SECRET_KEY + ALLOWED_HOSTS: check --deploy --fail-level WARNING exit "
        f"{out.returncode}"
    )


def setup_database(env: dict[str, str]) -> tuple[str, str]:
    name = DB_URL.rsplit("/", 1)[1]
    admin_url = DB_URL.rsplit("/", 1)[0] + "/postgres"
    for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
        subprocess.run(["psql", admin_url, "-qc", sql], check=True)  # noqa: S603, S607
    for args in (["migrate", "-v0"], ["load_demo"], ["rebuild_occurrence_index"]):
        out = manage(env, *args)
        if out.returncode:
            raise SystemExit(out.stderr)
    script = (
        "from django.contrib.auth.models import Group, User\n"
        "from rest_framework.authtoken.models import Token\n"
        "g = Group.objects.get(name='coordinators')\n"
        "for n in ('alice', 'bob'):\n"
        "    u = User.objects.create_user(n, password='pass-' + n + '-123', is_staff=True)\n"
        "    u.groups.add(g)\n"
        "    print('TOKEN=' + Token.objects.create(user=u).key)\n"
    )
    out = manage(env, "shell", "-c", script)
    alice, bob = re.findall(r"^TOKEN=(\w+)$", out.stdout, re.M)
    return alice, bob


class Stack:
    """redis-server and gunicorn on free ports; redis can be stopped and started again."""

    def __init__(self, env: dict[str, str], tmp: Path) -> None:
        self.tmp = tmp
        self.redis_port = free_port()
        self.web_port = free_port()
        self.base = f"http://127.0.0.1:{self.web_port}"
        self.access_log = tmp / "access.log"
        self.env = dict(env, REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0")
        self.redis: subprocess.Popen[bytes] | None = None
        self.start_redis()
        self.web = subprocess.Popen(  # noqa: S603
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "-c",
                "config/gunicorn.conf.py",
                "-b",
                f"127.0.0.1:{self.web_port}",
                "--access-logfile",
                str(self.access_log),
                "config.wsgi",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: listening(self.web_port), 60, "gunicorn")

    def start_redis(self) -> None:
        self.redis = subprocess.Popen(  # noqa: S603
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.redis_port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for(lambda: listening(self.redis_port), 20, "redis-server")

    def stop_redis(self) -> None:
        assert self.redis is not None
        self.redis.terminate()
        self.redis.wait(timeout=20)
        wait_for(lambda: not listening(self.redis_port), 20, "redis-server to stop")

    def close(self) -> None:
        self.web.terminate()
        self.web.wait(timeout=20)
        if self.redis and self.redis.poll() is None:
            self.stop_redis()


def redis_down(stack: Stack, alice: str) -> None:
    print("## 1. Redis down")
    auth = {"Authorization": f"Token {alice}"}
    urls = [
        "/",
        "/events/",
        "/events/month/",
        "/api/events/",
        "/api/cities/",
        "/api/occurrences/?start=2026-01-01&end=2026-02-01",
        "/feeds/all.ics",
        "/api/docs/",
    ]
    for label in ("Redis up (baseline)", "Redis down"):
        if label == "Redis down":
            stack.stop_redis()
        answers = []
        for url in urls:
            request(stack.base + url)  # both workers warm
            request(stack.base + url)
            status, _, _, ms = request(stack.base + url)
            answers.append(f"{url} {status} ({ms:.0f} ms)")
        print(f"reads, {label}: " + "; ".join(answers))
    status, _, _, ms = request(
        stack.base + "/api/events/",
        "POST",
        {
            "title_en": "Written while Redis is down",
            "kind": "other",
            "timezone": "UTC",
            "start": "2027-06-01T10:00",
            "end": "2027-06-01T11:00",
        },
        auth,
    )
    print(f"write while down: POST /api/events/ {status} ({ms:.0f} ms)")
    stack.start_redis()
    status, _, _, ms = request(stack.base + "/api/events/")
    print(f"first read after Redis returned: {status} ({ms:.0f} ms)")


def input_checks(stack: Stack, alice: str) -> None:
    print("## 4–5. Public 500 and input gaps")
    for feed in ("event", "city", "kind"):
        status, *_ = request(stack.base + f"/api/feeds/links/?feed={feed}&key=not%20a%20slug")
        print(f"/api/feeds/links/?feed={feed}&key=<not a slug>: {status}")
    auth = {"Authorization": f"Token {alice}"}
    good = {
        "title_en": "Check",
        "kind": "other",
        "timezone": "Asia/Magadan",
        "start": "2027-05-09T11:00",
        "end": "2027-05-09T12:00",
    }
    cases = {
        "title with CR/LF": {"title_en": "A\r\nB"},
        "zone localtime": {"timezone": "localtime"},
        "zone Factory": {"timezone": "Factory"},
        "zone posix/Europe/Moscow": {"timezone": "posix/Europe/Moscow"},
        "zone right/UTC": {"timezone": "right/UTC"},
        "zone EST5EDT": {"timezone": "EST5EDT"},
        "zero-length event": {"end": "2027-05-09T11:00"},
        "100-year event": {"end": "2127-05-09T11:00"},
        "RRULE BYMONTH=2;BYMONTHDAY=30": {"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"},
    }
    for name, override in cases.items():
        status, _, text, ms = request(stack.base + "/api/events/", "POST", good | override, auth)
        fields = ",".join(json.loads(text)) if status == 400 else ""
        print(f"{name}: {status} [{fields}] ({ms:.0f} ms)")
    status, _, text, _ = request(
        stack.base + "/api/events/", "POST", good | {"timezone": "Europe/Kiev"}, auth
    )
    print(f"zone Europe/Kiev: {status}, stored as {json.loads(text).get('timezone')}")


def private_feeds(stack: Stack, alice: str, bob: str) -> None:
    print("## 6. Private feeds")
    auth = {"Authorization": f"Token {alice}"}
    status, _, text, _ = request(
        stack.base + "/api/feeds/tokens/", "POST", {"label": "mayor's office"}, auth
    )
    issued = json.loads(text)
    token = issued["token"]
    status, head, _, _ = request(stack.base + "/feeds/private/" + token + ".ics")
    print(f"valid private feed: {status}, X-Robots-Tag: {head.get('X-Robots-Tag')}")
    counts: dict[int, int] = {}
    started = time.perf_counter()
    for _ in range(500):
        status, *_ = request(stack.base + f"/feeds/private/{secrets.token_urlsafe(24)}.ics")
        counts[status] = counts.get(status, 0) + 1
    print(f"500 random tokens in {time.perf_counter() - started:.1f} s: {counts}")
    status, _, _, ms = request(stack.base + "/feeds/private/" + token + ".ics")
    print(f"valid feed from the same address afterwards: {status} ({ms:.0f} ms)")
    time.sleep(0.5)  # gunicorn writes its access log line after the response
    logged = stack.access_log.read_text()
    masked = logged.count("/feeds/private/<redacted>")
    print(f"token in the gunicorn access log: {token in logged} (masked lines: {masked})")
    bob_auth = {"Authorization": f"Token {bob}"}
    _, _, text, _ = request(stack.base + "/api/feeds/tokens/", headers=bob_auth)
    print(f"bob lists tokens: sees {len(json.loads(text))} (alice's is not among them)")
    status, *_ = request(
        stack.base + f"/api/feeds/tokens/{issued['id']}/regenerate/", "POST", {}, bob_auth
    )
    print(f"bob regenerates alice's token: {status}")


def lost_updates(stack: Stack, alice: str, bob: str) -> None:
    print("## 7. Lost updates")
    auth = {"Authorization": f"Token {alice}"}
    _, _, text, _ = request(stack.base + "/api/events/?page_size=1", headers=auth)
    event_id = json.loads(text)["results"][0]["id"]
    _, head, _, _ = request(stack.base + f"/api/events/{event_id}/", headers=auth)
    etag = head["ETag"]
    status, *_ = request(
        stack.base + f"/api/events/{event_id}/",
        "PATCH",
        {"notes_en": "alice's change"},
        auth | {"If-Match": etag},
    )
    print(f"alice PATCH with If-Match: {status}")
    status, _, text, _ = request(
        stack.base + f"/api/events/{event_id}/",
        "PATCH",
        {"notes_en": "bob's change"},
        {"Authorization": f"Token {bob}", "If-Match": etag},
    )
    print(f"bob PATCH with the ETag he loaded before alice's save: {status}")
    status, *_ = request(stack.base + f"/api/events/{event_id}/", "PUT", {}, auth)
    print(f"PUT: {status}")


def main() -> None:
    settings_checks()
    key = secrets.token_urlsafe(50)
    env = base_env(
        DEBUG="0",
        SECRET_KEY=key,
        ALLOWED_HOSTS="127.0.0.1",
        PLAIN_HTTP="1",
        ANON_THROTTLE_RATE="100000/minute",
    )
    alice, bob = setup_database(env)
    with tempfile.TemporaryDirectory() as tmp:
        stack = Stack(env, Path(tmp))
        try:
            input_checks(stack, alice)
            private_feeds(stack, alice, bob)
            lost_updates(stack, alice, bob)
            redis_down(stack, alice)
        finally:
            stack.close()
    print("## 8. Recovery thresholds with production defaults")
    out = manage(
        env,
        "shell",
        "-c",
        "from notifications import conf; print('LIMITS',"
        "conf.get('NOTIFICATIONS_SENDING_STALE_SECONDS'), "
        "conf.get('NOTIFICATIONS_QUEUED_STALE_SECONDS'), "
        "conf.get('NOTIFICATIONS_SCAN_SECONDS'))",
    )
    sending, queued, scan = re.findall(r"^LIMITS (\d+) (\d+) (\d+)$", out.stdout, re.M)[0]
    print(
        f"stranded 'sending' row resent after {sending} s; lost publish re-queued after "
        f"{queued} s; scan every {scan} s plans what is due before its next run"
    )


if __name__ == "__main__":
    sys.exit(main())
