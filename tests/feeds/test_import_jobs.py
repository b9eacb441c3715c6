"""Import jobs: 202 at once, state/progress/errors visible, all or nothing, idempotent, a broker
outage survived, redelivery safe, only the owner sees a job."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from events.feeds import jobs
from events.feeds.ics_parsing import ImportOptions
from events.feeds.models import ImportedEvent, ImportJob
from events.models import Event

SAMPLES = Path(__file__).parent / "samples"


def _post(client, name: str, source: str = "partner", **extra):
    upload = SimpleUploadedFile(name, (SAMPLES / name).read_bytes())
    return client.post(
        "/api/feeds/imports/", {"file": upload, "source": source, **extra}, format="multipart"
    )


def test_import_job_answers_202_and_shows_the_outcome(
    coordinator_api_client, db, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(coordinator_api_client, "google_export.ics", timezone="Asia/Magadan")

    assert response.status_code == 202
    assert response.data["state"] == "queued"  # the reply is written before the worker runs
    job = coordinator_api_client.get(response["Location"]).data
    assert (job["state"], job["total"], job["parsed"], job["written"]) == ("succeeded", 3, 3, 3)
    assert job["run"]["created"] == 3
    listed = coordinator_api_client.get("/api/feeds/imports/").data
    assert [j["id"] for j in listed] == [job["id"]]


def test_import_job_with_a_bad_event_fails_names_lines_and_stores_nothing(
    coordinator_api_client, db, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(coordinator_api_client, "partly_bad.ics")

    job = ImportJob.objects.get(pk=response.data["id"])
    assert job.state == ImportJob.State.FAILED
    assert [(e["uid"], e["line"]) for e in job.errors if e["uid"]] == [
        ("every-second@partner", 10),
        ("no-start@partner", 17),
    ]
    assert "SECONDLY" in job.errors[1]["error"]
    assert job.run is None
    assert Event.objects.count() == 0
    assert ImportedEvent.objects.count() == 0


def test_import_job_twice_reports_unchanged(
    coordinator_api_client, db, eager_celery, django_capture_on_commit_callbacks
):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = _post(coordinator_api_client, "outlook_export.ics", source="tula")

    second = ImportJob.objects.get(pk=response.data["id"])
    assert second.state == ImportJob.State.SUCCEEDED
    assert (second.run.created, second.run.updated, second.run.unchanged) == (0, 0, 2)
    assert Event.objects.count() == 2


def test_import_form_fields_are_checked_at_once(coordinator_api_client, db):
    assert list(_post(coordinator_api_client, "outlook_export.ics", cities=[999]).data) == [
        "cities"
    ]
    assert list(_post(coordinator_api_client, "outlook_export.ics", timezone="Mars/X").data) == [
        "timezone"
    ]
    assert ImportJob.objects.count() == 0


def test_import_job_of_another_coordinator_is_404(coordinator_api_client, django_user_model):
    job = jobs.submit_import(
        owner=None, data=(SAMPLES / "outlook_export.ics").read_bytes(), options=ImportOptions("x")
    )
    other = django_user_model.objects.create_user("other-coordinator")
    other.groups.add(Group.objects.get_or_create(name=settings.COORDINATORS_GROUP)[0])
    client = APIClient()
    client.force_authenticate(other)

    assert client.get(f"/api/feeds/imports/{job.pk}/").status_code == 404
    assert client.get("/api/feeds/imports/").data == []
    assert coordinator_api_client.get(f"/api/feeds/imports/{job.pk}/").status_code == 404


def test_broker_down_at_enqueue_still_202_and_the_sweeper_publishes_later(
    coordinator_api_client, db, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(coordinator_api_client, "outlook_export.ics", source="tula")

    assert response.status_code == 202
    job = ImportJob.objects.get(pk=response.data["id"])
    assert job.state == ImportJob.State.QUEUED
    assert jobs.sweep_import_jobs() == 0  # published less than a minute ago

    ImportJob.objects.filter(pk=job.pk).update(
        published_at=timezone.now() - dt.timedelta(minutes=2)
    )
    assert jobs.sweep_import_jobs() == 0  # still down: left for the next sweep
    broker_down.conf.task_always_eager = True  # the broker and a worker are back
    assert jobs.sweep_import_jobs() == 1

    job.refresh_from_db()
    assert job.state == ImportJob.State.SUCCEEDED
    assert job.run.created == 2


def test_redelivered_job_runs_once_and_an_abandoned_one_is_taken_over(db):
    data = (SAMPLES / "outlook_export.ics").read_bytes()
    job = jobs.submit_import(owner=None, data=data, options=ImportOptions("tula"))

    assert jobs.run_import_job(job_id=job.pk) == "succeeded"
    assert jobs.run_import_job(job_id=job.pk) == "skipped"

    stuck = jobs.submit_import(owner=None, data=data, options=ImportOptions("tula-2"))
    ImportJob.objects.filter(pk=stuck.pk).update(state="running", heartbeat_at=timezone.now())
    assert jobs.run_import_job(job_id=stuck.pk) == "skipped"  # its worker is alive
    ImportJob.objects.filter(pk=stuck.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert jobs.run_import_job(job_id=stuck.pk) == "succeeded"
    assert Event.objects.count() == 4


def test_import_command_queue_prints_the_job(db, tmp_path):
    path = tmp_path / "o.ics"
    path.write_bytes((SAMPLES / "outlook_export.ics").read_bytes())
    out = StringIO()

    call_command("import_ics", str(path), "--source", "tula", "--queue", stdout=out)

    job = ImportJob.objects.get()
    assert out.getvalue().startswith(f"queued import job {job.pk}")
    assert Event.objects.count() == 0


def test_progress_is_visible_while_the_import_transaction_is_open(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: progress moves outside the transaction")
    job = jobs.submit_import(
        owner=None, data=(SAMPLES / "outlook_export.ics").read_bytes(), options=ImportOptions("t")
    )
    ImportJob.objects.filter(pk=job.pk).update(state="running")
    writer = jobs.ProgressWriter(job.pk)
    reader = connections.create_connection("default")
    try:
        with transaction.atomic():
            Event.objects.filter(pk=-1).update(title_en="x")  # the import's transaction
            writer("written", 1500, 2000)
            with reader.cursor() as cursor:
                cursor.execute("SELECT written, total FROM feeds_importjob WHERE id = %s", [job.pk])
                seen = cursor.fetchone()
    finally:
        writer.close()
        reader.close()

    assert seen == (1500, 2000)


def test_import_job_list_query_count_does_not_grow(coordinator_api_client, coordinator):
    data = (SAMPLES / "outlook_export.ics").read_bytes()

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert coordinator_api_client.get("/api/feeds/imports/").status_code == 200
        return len(queries)

    jobs.submit_import(owner=coordinator, data=data, options=ImportOptions("a"))
    one = count_queries()
    for n in range(5):
        jobs.submit_import(owner=coordinator, data=data, options=ImportOptions(f"b{n}"))

    assert count_queries() == one


def test_desk_recent_imports_query_count_does_not_grow(client, coordinator):
    client.force_login(coordinator)
    data = (SAMPLES / "outlook_export.ics").read_bytes()

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/desk/").status_code == 200
        return len(queries)

    jobs.submit_import(owner=coordinator, data=data, options=ImportOptions("a"))
    jobs.run_import_job(job_id=ImportJob.objects.get().pk)
    one = count_queries()
    for n in range(5):
        job = jobs.submit_import(owner=coordinator, data=data, options=ImportOptions(f"b{n}"))
        jobs.run_import_job(job_id=job.pk)

    assert count_queries() == one


def test_desk_upload_queues_a_job_and_lists_it(client, coordinator):
    client.force_login(coordinator)
    upload = SimpleUploadedFile("o.ics", (SAMPLES / "outlook_export.ics").read_bytes())

    bad = client.post(
        "/desk/imports/new/",
        {"import-file": upload, "import-source": "tula", "import-timezone": "Mars/X"},
    )
    assert bad.status_code == 400
    assert bad.context["import_form"].errors["timezone"]
    upload.seek(0)
    response = client.post(
        "/desk/imports/new/",
        {"import-file": upload, "import-source": "tula", "import-timezone": "Europe/Moscow"},
    )

    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert (job.owner, job.source, job.options["timezone"]) == (
        coordinator,
        "tula",
        "Europe/Moscow",
    )
    assert "tula" in client.get("/desk/").content.decode()
