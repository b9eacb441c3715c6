"""Tunables of the reminder pipeline: a Django setting of the same name wins, else the
environment (so a worker subprocess can be tuned for tests), else the default."""

from __future__ import annotations

from django.conf import settings

from config.env import env_int

DEFAULTS = {
    # Change notices wait this long after the last edit of a burst.
    "NOTIFICATIONS_DEBOUNCE_SECONDS": 300,
    # Re-queue a row QUEUED this long (its broker message was probably lost).
    "NOTIFICATIONS_QUEUED_STALE_SECONDS": 300,
    # Re-queue a row SENDING this long: must exceed CELERY_TASK_TIME_LIMIT + EMAIL_TIMEOUT.
    "NOTIFICATIONS_SENDING_STALE_SECONDS": 300,
    "NOTIFICATIONS_RETRY_BASE_SECONDS": 60,
    "NOTIFICATIONS_RETRY_MAX_SECONDS": 6 * 3600,
    "NOTIFICATIONS_MAX_ATTEMPTS": 10,
    "NOTIFICATIONS_SCAN_SECONDS": 30,
    "NOTIFICATIONS_PLAN_SECONDS": 600,
    # Rows per send task (each still claimed on its own).
    "NOTIFICATIONS_SEND_BATCH": 20,
}


def get(name: str) -> int:
    if hasattr(settings, name):
        return int(getattr(settings, name))
    return env_int(name, DEFAULTS[name], minimum=0)
