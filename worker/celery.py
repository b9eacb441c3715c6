"""The Celery app. Settings come from Django settings (CELERY_ namespace); no domain code here."""

from __future__ import annotations

import os

from celery import Celery

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
