"""The Celery app. Settings come from Django settings (CELERY_ namespace); no domain code here."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Created before anything from ``config`` is imported: config/__init__.py imports this ``app``
# (the standard Django wiring), so ``celery -A worker`` must not reach it half-initialised.
app = Celery("twinning")

from config.env import env_int, env_str  # noqa: E402 - see above

app.config_from_object("django.conf:settings", namespace="CELERY")
# tasks.py of every installed app (lazily, once Django is ready).
app.autodiscover_tasks()

# The beat only wakes the scan up; what is due lives in the database (notifications/README.md),
# so several beats by mistake cost a few empty scans, never a duplicate email.
app.conf.beat_schedule = {
    "notifications-scan": {
        "task": "notifications.scan",
        "schedule": float(env_int("NOTIFICATIONS_SCAN_SECONDS", 30, minimum=1)),
        "options": {"expires": float(env_int("NOTIFICATIONS_SCAN_SECONDS", 30, minimum=1)) * 4},
    },
    # Extends the occurrence index's horizon (idempotent; writes wait while it runs).
    "events-occurrence-index": {
        "task": "events.extend_occurrence_index",
        "schedule": float(env_int("OCCURRENCE_INDEX_EXTEND_SECONDS", 86400, minimum=60)),
        "options": {"expires": 3600.0},
    },
    # Publishes again import jobs a broker outage left queued, and abandoned ones.
    "events-import-sweep": {
        "task": "events.sweep_import_jobs",
        "schedule": float(env_int("FEEDS_IMPORT_SWEEP_SECONDS", 30, minimum=1)),
        "options": {"expires": 60.0},
    },
    "notifications-plan": {
        "task": "notifications.plan",
        "schedule": float(env_int("NOTIFICATIONS_PLAN_SECONDS", 600, minimum=1)),
        "options": {"expires": 300.0},
    },
}
app.conf.broker_connection_retry_on_startup = True
# Separate deployments (or test runs) sharing one Redis use their own queue name.
app.conf.task_default_queue = env_str("CELERY_QUEUE", "celery")
# A worker that loses Redis keeps retrying instead of exiting.
app.conf.broker_connection_max_retries = None
app.conf.worker_send_task_events = False
app.conf.task_send_sent_event = False

# Celery's Django fixup closes the database connection before and after every task unless
# CELERY_DB_REUSE_MAX is set: a new PostgreSQL backend (a fork and a login) per task. Django's
# own rule decides instead, as in a web request: a connection is kept up to DB_CONN_MAX_AGE
# and dropped once it broke or is left in a transaction.
app.conf.CELERY_DB_REUSE_MAX = 1_000_000


@task_prerun.connect
@task_postrun.connect
def _close_old_connections(sender: Any = None, **kwargs: Any) -> None:
    request = getattr(sender, "request", None)
    if not getattr(request, "is_eager", False):  # never inside a caller's (test's) transaction
        close_old_connections()
