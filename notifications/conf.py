"""Tunables of the reminder pipeline: a Django setting of the same name wins, else the
environment (so a worker subprocess can be tuned for tests), else the default."""

from __future__ import annotations

from django.conf import settings

from config.env import env_int

DEFAULTS = {
    # Change notices wait this long after the last edit of a burst.
    "NOTIFICATIONS_DEBOUNCE_SECONDS": 300,
    "NOTIFICATIONS_RETRY_BASE_SECONDS": 60,
    "NOTIFICATIONS_RETRY_MAX_SECONDS": 6 * 3600,
    "NOTIFICATIONS_MAX_ATTEMPTS": 10,
    "NOTIFICATIONS_SCAN_SECONDS": 30,
    "NOTIFICATIONS_PLAN_SECONDS": 600,
    # Rows per send task (each still claimed on its own). 50 rather than 20: the batch's own
    # queries (claim, rows, events with their relations) then cost a fifth of the worker's time
    # per message instead of a third (bench/bench_reminders.py: 1.43 -> 1.22 ms CPU a message);
    # a slow SMTP server is still bounded by the task's deadline (sending.send_task_batch).
    "NOTIFICATIONS_SEND_BATCH": 50,
}


def _derived(name: str) -> int:
    """Sweeper thresholds follow from the limits they must outlast, so production defaults
    recover a stranded row in about two minutes, not five."""
    if name == "NOTIFICATIONS_SENDING_STALE_SECONDS":
        # A live send never outlasts the task's hard limit (plus one SMTP timeout, margin).
        return settings.CELERY_TASK_TIME_LIMIT + settings.EMAIL_TIMEOUT + 5
    if name == "NOTIFICATIONS_QUEUED_STALE_SECONDS":
        # A queued row's message is presumed lost after four scans (re-queueing a live one
        # costs a no-op task: the claim decides).
        return max(60, 4 * get("NOTIFICATIONS_SCAN_SECONDS"))
    return DEFAULTS[name]


def get(name: str) -> int:
    if hasattr(settings, name):
        return int(getattr(settings, name))
    return env_int(name, _derived(name), minimum=0)
