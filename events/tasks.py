"""Celery tasks of the events app: take ids, call one service."""

from __future__ import annotations

from celery import shared_task

from events.occurrence_index.maintain import extend_horizon


@shared_task(name="events.extend_occurrence_index", acks_late=True)
def extend_occurrence_index() -> int:
    """Beat: keep the occurrence index OCCURRENCE_INDEX_FUTURE_DAYS ahead (builds it the first
    time). Idempotent: a second run in the same instant writes nothing. Returns rows written."""
    return extend_horizon()
