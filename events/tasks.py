"""Celery tasks of the events app: take ids, call one service."""

from __future__ import annotations

from celery import shared_task

from events.feeds import jobs
from events.occurrence_index.maintain import extend_horizon


@shared_task(name="events.extend_occurrence_index", acks_late=True)
def extend_occurrence_index() -> int:
    """Beat: keep the occurrence index OCCURRENCE_INDEX_FUTURE_DAYS ahead (builds it the first
    time). Idempotent: a second run in the same instant writes nothing. Returns rows written."""
    return extend_horizon()


@shared_task(
    name="events.run_import_job",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=900,
    soft_time_limit=840,
)
def run_import_job(job_id: int) -> str:
    """Run one queued import (events.feeds.jobs). Safe to redeliver: the claim is a
    conditional UPDATE; a finished job, or one a live worker holds, is left alone."""
    return jobs.run_import_job(job_id=int(job_id))


@shared_task(name="events.sweep_import_jobs", acks_late=True)
def sweep_import_jobs() -> int:
    """Beat: publish again queued jobs nobody took (broker was down) and abandoned ones."""
    return jobs.sweep_import_jobs()
