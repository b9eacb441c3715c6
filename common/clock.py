"""The app's notion of "now" for reminders.

Production: ``django.utils.timezone.now()``. When ``NOTIFICATIONS_CLOCK_FILE`` names a file
(tests and the benchmark only), its content is an offset in seconds added to the real time,
so a test can move the clock of a running worker subprocess without touching the system clock.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from django.utils import timezone


def _clock_file() -> str:
    return os.environ.get("NOTIFICATIONS_CLOCK_FILE", "")


def offset() -> dt.timedelta:
    path = _clock_file()
    if not path:
        return dt.timedelta()
    try:
        text = Path(path).read_text().strip()
    except FileNotFoundError:
        return dt.timedelta()
    return dt.timedelta(seconds=float(text or 0))


def now() -> dt.datetime:
    return timezone.now() + offset()


def set_offset(seconds: float) -> None:
    """Move the test clock (atomically, so a reader never sees a half-written file)."""
    path = _clock_file()
    if not path:
        raise RuntimeError("NOTIFICATIONS_CLOCK_FILE is not set")
    tmp = Path(path + ".tmp")
    tmp.write_text(repr(float(seconds)))
    os.replace(tmp, path)


def move_to(instant: dt.datetime) -> None:
    """Set the test clock so that ``now()`` is ``instant`` (plus the time that passes)."""
    set_offset((instant - timezone.now()).total_seconds())
