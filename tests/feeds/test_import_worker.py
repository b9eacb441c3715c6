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
