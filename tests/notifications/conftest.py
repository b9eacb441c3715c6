"""Fixtures for the notifications tests: the app clock, Celery kept in-process for unit tests."""

from __future__ import annotations

import datetime as dt

import pytest

from notifications import clock, sending


@pytest.fixture
def app_clock(tmp_path, monkeypatch):
    """The app's notion of now, movable with ``app_clock.move_to(instant)``."""
    monkeypatch.setenv("NOTIFICATIONS_CLOCK_FILE", str(tmp_path / "clock"))
    clock.set_offset(0)
    return clock


@pytest.fixture(autouse=True)
def _celery_in_process(request):
    """Unit tests never touch a broker: tasks run eagerly (and only after commit)."""
    if request.node.get_closest_marker("integration") or request.node.get_closest_marker("fault"):
        yield
        return
    from worker.celery import app

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    sending._drop_connection()
    yield
    sending._drop_connection()
    app.conf.task_always_eager = old


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)
