"""The access log of the shipped gunicorn configuration masks private-feed secrets, checked
with a real gunicorn serving the app on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.notifications.procs import free_port

ROOT = Path(__file__).resolve().parent.parent
SECRET = "S3cretT0kenValue_abcdefghijklmnopqrstuvwxyz012"


@pytest.mark.integration
def test_the_access_log_never_shows_a_private_feed_secret(tmp_path):
    port = free_port()
    log = tmp_path / "access.log"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "ALLOWED_HOSTS": "127.0.0.1",
        # The log format is what is tested, not the production redirects.
        "DEBUG": "1",
        "SECRET_KEY": "a-test-key-that-is-long-enough-for-django-checks-0123456789",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_ACCESS_LOG": str(log),
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        cwd=ROOT, env=env, check=True, timeout=120,
    )  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/feeds/private/{SECRET}.ics?lang=ru"
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline and status is None:
            try:
                urllib.request.urlopen(url, timeout=2)
            except urllib.error.HTTPError as exc:
                status = exc.code
            except OSError:
                time.sleep(0.2)
        assert status == 404
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and "/feeds/private/" not in log.read_text():
            time.sleep(0.1)
        text = log.read_text()
    finally:
        server.terminate()
        server.wait(timeout=10)

    assert "/feeds/private/<redacted>.ics?lang=ru" in text
    assert SECRET not in text
