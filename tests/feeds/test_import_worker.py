"""An import job end to end: the API stores it while the broker is unreachable, the beat's
sweeper publishes it, a real ``celery worker`` process imports it on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from events.feeds.models import ImportJob
from events.models import Event
from tests.notifications.procs import wait_for

SAMPLES = Path(__file__).parent / "samples"

pytestmark = pytest.mark.integration


def test_import_job_through_a_real_worker_after_a_broker_outage(
    make_pipeline, private_redis, broker_down, coordinator_api_client
):
    upload = SimpleUploadedFile("g.ics", (SAMPLES / "google_export.ics").read_bytes())
    response = coordinator_api_client.post(
        "/api/feeds/imports/",
        {"file": upload, "source": "magadan", "timezone": "Asia/Magadan"},
        format="multipart",
    )
    assert response.status_code == 202
    job_id = response.data["id"]
    assert ImportJob.objects.get(pk=job_id).state == ImportJob.State.QUEUED
    ImportJob.objects.filter(pk=job_id).update(
        published_at=timezone.now() - dt.timedelta(minutes=5)
    )

    pipeline = make_pipeline(private_redis.url, smtp_port=1)
    pipeline.env["FEEDS_IMPORT_SWEEP_SECONDS"] = "1"
    pipeline.start_worker(concurrency=1)
    pipeline.start_beat()

    def finished():
        job = ImportJob.objects.get(pk=job_id)
        return job if job.state in (ImportJob.State.SUCCEEDED, ImportJob.State.FAILED) else None

    job = wait_for(finished, 90, "the worker to finish the import job")
    assert job.state == ImportJob.State.SUCCEEDED, job.errors
    assert (job.run.created, job.written, job.total) == (3, 3, 3)
    assert Event.objects.count() == 3
    body = coordinator_api_client.get(f"/api/feeds/imports/{job_id}/").data
    assert body["state"] == "succeeded"


def _many_events(n: int) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//twinning//EN"]
    for i in range(n):
        day = dt.date(2031, 1, 1) + dt.timedelta(days=i % 700)
        lines += [
            "BEGIN:VEVENT",
            f"UID:many-{i}@partner",
            "DTSTAMP:20300101T000000Z",
            f"SUMMARY:Exchange meeting {i}",
            f"DTSTART;TZID=Europe/Moscow:{day:%Y%m%d}T100000",
            f"DTEND;TZID=Europe/Moscow:{day:%Y%m%d}T110000",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.mark.fault
def test_import_job_whose_worker_is_killed_is_finished_by_another_once(
    make_pipeline, private_redis, broker_down, coordinator_api_client
):
    upload = SimpleUploadedFile("many.ics", _many_events(2000))
    response = coordinator_api_client.post(
        "/api/feeds/imports/", {"file": upload, "source": "many"}, format="multipart"
    )
    job_id = response.data["id"]
    ImportJob.objects.filter(pk=job_id).update(
        published_at=timezone.now() - dt.timedelta(minutes=5)
    )
    pipeline = make_pipeline(private_redis.url, smtp_port=1)
    pipeline.env.update(FEEDS_IMPORT_SWEEP_SECONDS="1", FEEDS_IMPORT_STALE_SECONDS="5")
    first = pipeline.start_worker(concurrency=1)
    pipeline.start_beat()

    # Progress is visible from here while the worker's import transaction is open.
    wait_for(
        lambda: ImportJob.objects.filter(pk=job_id, state="running", written__gt=0).exists(),
        90,
        "the first worker to report written events",
    )
    pipeline.kill(first)
    assert Event.objects.count() == 0  # its transaction died with it
    pipeline.start_worker(concurrency=1)

    def finished():
        job = ImportJob.objects.get(pk=job_id)
        return job if job.state in ("succeeded", "failed") else None

    job = wait_for(finished, 120, "another worker to take the job over and finish it")
    assert (job.state, job.attempts, job.run.created) == ("succeeded", 2, 2000), job.errors
    assert Event.objects.count() == 2000
