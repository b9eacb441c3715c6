"""Token and import endpoints (coordinators only) and the admin screens."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from events.feeds.models import FeedToken, ImportJob, ImportRun, hash_token
from events.models import Event

SAMPLES = Path(__file__).parent / "samples"


def test_token_api_requires_coordinator(api_client, db):
    assert api_client.get("/api/feeds/tokens/").status_code in (401, 403)
    assert api_client.post("/api/feeds/tokens/", {"label": "x"}).status_code in (401, 403)


def test_token_api_issue_revoke_regenerate(coordinator_api_client, client, fairbanks):
    created = coordinator_api_client.post(
        "/api/feeds/tokens/",
        {"label": "Fairbanks office", "cities": [fairbanks.pk], "kinds": ["forum"]},
        format="json",
    )
    assert created.status_code == 201
    secret = created.data["token"]
    assert created.data["links"]["webcal"].startswith("webcal://")
    assert secret in created.data["links"]["https"]
    token = FeedToken.objects.get(pk=created.data["id"])
    assert token.token_hash == hash_token(secret)
    listed = coordinator_api_client.get("/api/feeds/tokens/")
    assert secret not in str(listed.content)
    assert client.get(f"/feeds/private/{secret}.ics").status_code == 200

    revoked = coordinator_api_client.post(f"/api/feeds/tokens/{token.pk}/revoke/")
    assert revoked.status_code == 200
    assert revoked.data["revoked_at"] is not None
    assert client.get(f"/feeds/private/{secret}.ics").status_code == 404

    regenerated = coordinator_api_client.post(f"/api/feeds/tokens/{token.pk}/regenerate/")
    assert regenerated.status_code == 200
    assert regenerated.data["token"] != secret
    assert client.get(f"/feeds/private/{regenerated.data['token']}.ics").status_code == 200


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"label": "x", "kinds": ["party"]}, "kinds"),
        ({"label": "x", "cities": [999]}, "cities"),
        ({"label": "x", "language": "de"}, "language"),
        ({}, "label"),
    ],
)
def test_token_api_bad_input_names_the_field(coordinator_api_client, db, payload, field):
    response = coordinator_api_client.post("/api/feeds/tokens/", payload, format="json")

    assert response.status_code == 400
    assert field in response.data
    assert FeedToken.objects.count() == 0


def test_import_api_upload_and_refusal(
    coordinator_api_client, db, eager_celery, django_capture_on_commit_callbacks
):
    good = SimpleUploadedFile("g.ics", (SAMPLES / "google_export.ics").read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_api_client.post(
            "/api/feeds/imports/",
            {"file": good, "source": "magadan", "timezone": "Asia/Magadan"},
            format="multipart",
        )
    assert response.status_code == 202, response.data
    assert response["Location"] == response.data["url"]
    job = coordinator_api_client.get(response.data["url"]).data
    assert (job["state"], job["run"]["created"], job["written"]) == ("succeeded", 3, 3)

    bad = SimpleUploadedFile("b.ics", (SAMPLES / "partly_bad.ics").read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_api_client.post(
            "/api/feeds/imports/", {"file": bad, "source": "partner"}, format="multipart"
        )
    assert response.status_code == 202
    job = coordinator_api_client.get(response.data["url"]).data
    assert job["state"] == "failed"
    assert [(e["uid"], e["line"]) for e in job["errors"] if e["uid"]] == [
        ("every-second@partner", 10),
        ("no-start@partner", 17),
    ]
    assert Event.objects.count() == 3

    response = coordinator_api_client.post(
        "/api/feeds/imports/", {"source": "partner"}, format="multipart"
    )
    assert response.status_code == 400
    assert "file" in response.data


def test_links_api(api_client, db):
    response = api_client.get("/api/feeds/links/", {"feed": "city", "key": "fairbanks"})
    assert response.status_code == 200
    assert response.data["https"].endswith("/feeds/city/fairbanks.ics")
    assert api_client.get("/api/feeds/links/", {"feed": "nope"}).status_code == 400


@pytest.mark.parametrize("feed", ["city", "event", "kind", "partnership"])
@pytest.mark.parametrize("key", ["not a slug", "a/b", "ü", "x\n", "²", "7\n"])
def test_links_api_refuses_a_key_no_feed_url_can_hold(api_client, db, feed, key):
    response = api_client.get("/api/feeds/links/", {"feed": feed, "key": key})

    assert response.status_code == 400
    assert list(response.data) == ["key"]


def test_admin_token_add_shows_url_once_and_stores_hash(admin_client, db):
    response = admin_client.post(
        "/admin/feeds/feedtoken/add/",
        {"label": "Embassy", "kinds": "[]", "include_tentative": "on", "language": ""},
        follow=True,
    )

    assert response.status_code == 200
    token = FeedToken.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    [message] = [m for m in shown if "/feeds/private/" in m]
    secret = message.rsplit("/feeds/private/", 1)[1].removesuffix(".ics")
    assert token.token_hash == hash_token(secret)


def test_admin_token_actions(admin_client, db):
    from events.feeds import services

    issued = services.create_feed_token(label="x")
    response = admin_client.post(
        "/admin/feeds/feedtoken/",
        {"action": "revoke", "_selected_action": [issued.token.pk]},
        follow=True,
    )
    assert response.status_code == 200
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is not None
    admin_client.post(
        "/admin/feeds/feedtoken/",
        {"action": "regenerate", "_selected_action": [issued.token.pk]},
    )
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None
    assert issued.token.token_hash != hash_token(issued.secret)


def test_admin_import_upload(admin_client, db, eager_celery, django_capture_on_commit_callbacks):
    page = admin_client.get("/admin/feeds/importrun/upload/")
    assert page.status_code == 200

    bad = SimpleUploadedFile("b.ics", b"\x00binary")
    form = {"source": "x", "kind": "other", "visibility": "public", "timezone": "Mars/Base"}
    response = admin_client.post("/admin/feeds/importrun/upload/", {"file": bad, **form})
    assert response.status_code == 200
    assert "timezone" in response.content.decode()
    assert ImportJob.objects.count() == 0

    good = SimpleUploadedFile("g.ics", (SAMPLES / "outlook_export.ics").read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/feeds/importrun/upload/", {"file": good, **form, "timezone": "UTC"}
        )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response["Location"] == f"/admin/feeds/importjob/{job.pk}/change/"
    assert ImportRun.objects.get().created == 2
    page = admin_client.get(response["Location"])
    assert page.status_code == 200
    assert "Succeeded" in page.content.decode()


def test_import_api_bad_kind_names_the_field(coordinator_api_client, db):
    good = SimpleUploadedFile("g.ics", (SAMPLES / "outlook_export.ics").read_bytes())
    response = coordinator_api_client.post(
        "/api/feeds/imports/", {"file": good, "source": "x", "kind": "party"}, format="multipart"
    )

    assert response.status_code == 400
    assert "kind" in response.data


def test_admin_screens_open_to_staff_coordinators(client, coordinator):
    coordinator.is_staff = True
    coordinator.save()
    client.force_login(coordinator)

    assert client.get("/admin/feeds/feedtoken/").status_code == 200
    assert client.get("/admin/feeds/feedtoken/add/").status_code == 200
    assert client.get("/admin/feeds/importrun/").status_code == 200
    assert client.get("/admin/feeds/importrun/upload/").status_code == 200
    assert client.get("/admin/feeds/importjob/").status_code == 200


def test_a_coordinator_manages_only_their_own_tokens(coordinator_api_client, django_user_model):
    """Any coordinator could list and regenerate another's token, silently breaking that
    office's subscriptions; tokens now belong to who issued them (and administrators)."""
    from django.conf import settings
    from django.contrib.auth.models import Group
    from rest_framework.test import APIClient

    other = django_user_model.objects.create_user("other-coordinator", password="x" * 12)
    other.groups.add(Group.objects.get_or_create(name=settings.COORDINATORS_GROUP)[0])
    other_api = APIClient()
    other_api.force_authenticate(other)
    admin = django_user_model.objects.create_superuser("root", password="x" * 12)
    admin_api = APIClient()
    admin_api.force_authenticate(admin)
    mine = coordinator_api_client.post("/api/feeds/tokens/", {"label": "Mine"}, format="json")
    pk = mine.data["id"]

    assert [t["id"] for t in coordinator_api_client.get("/api/feeds/tokens/").data] == [pk]
    assert other_api.get("/api/feeds/tokens/").data == []
    assert other_api.post(f"/api/feeds/tokens/{pk}/regenerate/").status_code == 404
    assert other_api.post(f"/api/feeds/tokens/{pk}/revoke/").status_code == 404
    assert FeedToken.objects.get(pk=pk).token_hash == hash_token(mine.data["token"])
    assert FeedToken.objects.get(pk=pk).revoked_at is None
    assert [t["id"] for t in admin_api.get("/api/feeds/tokens/").data] == [pk]
    assert admin_api.post(f"/api/feeds/tokens/{pk}/revoke/").status_code == 200


def test_the_admin_lists_only_the_users_own_tokens(client, coordinator, django_user_model):
    from events.feeds.services import create_feed_token

    coordinator.is_staff = True
    coordinator.save()
    other = django_user_model.objects.create_user("other", password="x" * 12)
    create_feed_token(label="Someone else's", actor=other)
    create_feed_token(label="My own", actor=coordinator)
    client.force_login(coordinator)

    page = client.get("/admin/feeds/feedtoken/").content.decode()

    assert "My own" in page
    assert "Someone else" not in page


def test_token_label_with_line_break_is_400(coordinator_api_client):
    response = coordinator_api_client.post(
        "/api/feeds/tokens/", {"label": "Tula\r\nteam"}, format="json"
    )

    assert (response.status_code, list(response.data)) == (400, ["label"])
    assert FeedToken.objects.count() == 0
