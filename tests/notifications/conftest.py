"""Fixtures for the notifications tests: the app clock, Celery kept in-process for unit tests."""

from __future__ import annotations

import datetime as dt

import pytest

from common import clock
from notifications import transport


@pytest.fixture
def app_clock(tmp_path, monkeypatch):
    """The app's notion of now, movable with ``app_clock.move_to(instant)``."""
    monkeypatch.setenv("NOTIFICATIONS_CLOCK_FILE", str(tmp_path / "clock"))
    clock.set_offset(0)
    return clock


@pytest.fixture(autouse=True)
def _celery_in_process(request):
    """The test process never touches a broker: tasks it enqueues (planning a new rule) run
    eagerly after commit. Pipeline tests get their sends from real worker subprocesses."""
    from worker.celery import app

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    transport.drop_connection()
    yield
    transport.drop_connection()
    app.conf.task_always_eager = old


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.fixture
def pg(transactional_db):
    """Committed data in the PostgreSQL test database, visible to worker subprocesses."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the pipeline tests need PostgreSQL (CI runs them there)")


@pytest.fixture
def smtp():
    from tests.notifications.procs import SmtpServer

    with SmtpServer() as server:
        yield server


@pytest.fixture
def shared_redis_url():
    """The running Redis (REDIS_URL, else 127.0.0.1:6379); a failure under CI=true if absent."""
    import os

    from tests.conftest import require_service
    from tests.notifications.procs import redis_answers

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    if not redis_answers(url):
        require_service("redis", f"no answer at {url}")
    return url


@pytest.fixture
def private_redis(tmp_path):
    import shutil

    from tests.conftest import require_service
    from tests.notifications.procs import RedisServer

    if not shutil.which("redis-server"):
        require_service("redis-server", "binary not installed")
    (tmp_path / "redis").mkdir()
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def make_pipeline(pg, app_clock, tmp_path, monkeypatch):
    """Build Pipeline(redis_url, smtp_port); every process it started is killed at teardown."""
    import os

    from tests.notifications.procs import Pipeline

    started = []

    def build(redis_url: str, smtp_port: int, plan_seconds: int = 3600) -> Pipeline:
        pipeline = Pipeline(
            tmp=tmp_path,
            redis_url=redis_url,
            smtp_port=smtp_port,
            clock_file=os.environ["NOTIFICATIONS_CLOCK_FILE"],
            plan_seconds=plan_seconds,
        )
        for name, value in pipeline.env.items():
            if name.startswith("NOTIFICATIONS_"):
                monkeypatch.setenv(name, value)  # the test process plans with the same tunables
        started.append(pipeline)
        return pipeline

    yield build
    for pipeline in started:
        pipeline.stop()
        print(pipeline.logs())  # shown by pytest when the test failed
