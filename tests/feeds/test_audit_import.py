"""Imports are recorded with interface "import", by command and by worker job."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from events.models import Event, Participation
from tests.factories import CityFactory

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "samples"


def test_import_command_history_says_import_for_events_and_cities(tmp_path):
    CityFactory(slug="magadan", timezone="Asia/Magadan")
    path = tmp_path / "magadan.ics"
    path.write_bytes((SAMPLES / "google_export.ics").read_bytes())

    call_command(
        "import_ics", str(path), "--source", "magadan", "--city", "magadan", stdout=StringIO()
    )

    rows = list(Event.history.all()) + list(Participation.history.all())
    assert len(rows) == 6
    assert {(row.interface, row.history_user) for row in rows} == {("import", None)}


def test_import_job_history_names_its_owner(
    coordinator, coordinator_api_client, eager_celery, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("g.ics", (SAMPLES / "google_export.ics").read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_api_client.post(
            "/api/feeds/imports/",
            {"file": upload, "source": "partner", "timezone": "Asia/Magadan"},
            format="multipart",
        )

    assert response.status_code == 202
    rows = list(Event.history.all())
    assert len(rows) == 3
    assert {(row.interface, row.history_user) for row in rows} == {("import", coordinator)}
