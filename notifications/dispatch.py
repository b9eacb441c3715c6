"""Enqueueing the app's Celery tasks by name, so the writing modules never import tasks.py
(which imports them): no cycle, and the task is looked up in the app's registry at run time."""

from __future__ import annotations

import logging

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError as KombuOperationalError

log = logging.getLogger(__name__)


def enqueue(task_name: str, *args: object) -> None:
    """Publish now; the registered task (eager in tests) or the broker's worker runs it."""
    current_app.signature(task_name, args=args).delay()


def enqueue_after_commit(task_name: str, *args: object) -> None:
    """Enqueue after commit; a broker outage must not turn a committed write into an error
    (the data is saved and the periodic planner will catch up), so it is only logged."""

    def send() -> None:
        try:
            enqueue(task_name, *args)
        except (KombuOperationalError, OSError):
            log.warning("Could not enqueue %s%r; the periodic planner will", task_name, args)

    transaction.on_commit(send)
