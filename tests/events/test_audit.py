"""The audit trail: one history row per write, labelled with its interface and user."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from common import audit
from events import services
from events.models import Event
from tests.factories import CityFactory, EventFactory

pytestmark = pytest.mark.django_db


def _history(client, event_id, **params):
    return client.get(f"/api/events/{event_id}/history/", params)


def test_api_patch_of_time_is_recorded_with_api_user_and_old_new(coordinator_api_client):
    event = EventFactory(timezone="UTC")

    response = coordinator_api_client.patch(
        f"/api/events/{event.pk}/", {"start": "2030-06-01T11:00"}, format="json"
    )
    history = _history(coordinator_api_client, event.pk, interface="api")

    assert response.status_code == 200, response.json()
    row = event.history.latest()
    assert (row.interface, row.history_user.username, row.history_type) == ("api", "coord", "~")
    entry = history.json()["results"][0]
    assert history.status_code == 200
    assert (entry["model"], entry["who"], entry["interface"], entry["type"]) == (
        "event",
        "coord",
        "api",
        "changed",
    )
    assert entry["changes"]["start"] == ["2030-06-01T10:00:00Z", "2030-06-01T11:00:00Z"]
    assert entry["changes"]["sequence"] == [0, 1]


def test_history_filters_by_interface_and_since(coordinator_api_client):
    event = EventFactory()  # interface "other": no request, no acting block
    coordinator_api_client.patch(f"/api/events/{event.pk}/", {"location": "Hall"}, format="json")
    patched = event.history.latest().history_date

    everything = _history(coordinator_api_client, event.pk).json()["results"]
    api_only = _history(coordinator_api_client, event.pk, interface="api").json()["results"]
    later = _history(coordinator_api_client, event.pk, since=patched.isoformat()).json()

    assert [(e["type"], e["interface"]) for e in everything] == [
        ("changed", "api"),
        ("created", "other"),
    ]
    assert [e["type"] for e in api_only] == ["changed"]
    assert [e["changes"] for e in later["results"]] == [
        {"location": ["", "Hall"], "sequence": [0, 1]}
    ]


@pytest.mark.parametrize(
    ("params", "field"), [({"since": "yesterday"}, "since"), ({"interface": "fax"}, "interface")]
)
def test_history_bad_filter_is_400_naming_it(coordinator_api_client, params, field):
    event = EventFactory()

    response = _history(coordinator_api_client, event.pk, **params)

    assert response.status_code == 400
    assert field in response.json()


def test_history_lists_participations_of_the_event(coordinator_api_client):
    city = CityFactory()
    event = EventFactory()

    coordinator_api_client.patch(
        f"/api/events/{event.pk}/", {"participations": [{"city": city.pk}]}, format="json"
    )
    entries = _history(coordinator_api_client, event.pk).json()["results"]

    created = [e for e in entries if e["model"] == "participation"]
    assert [(e["type"], e["interface"], e["changes"]["city"]) for e in created] == [
        ("created", "api", [None, city.pk])
    ]


def test_history_anonymous_is_refused_and_unknown_event_is_404(api_client, coordinator_api_client):
    event = EventFactory()

    anonymous = _history(api_client, event.pk)
    missing = _history(coordinator_api_client, event.pk + 1000)

    assert anonymous.status_code in (401, 403)
    assert missing.status_code == 404


def test_history_is_refused_to_a_user_outside_coordinators(api_client, django_user_model):
    event = EventFactory()
    api_client.force_authenticate(django_user_model.objects.create_user("reader"))

    assert _history(api_client, event.pk).status_code == 403


def test_admin_change_is_recorded_as_admin(admin_client, admin_user):
    city = CityFactory()
    event = services.create_event(
        title_en="Forum",
        kind=Event.Kind.FORUM,
        timezone="America/New_York",
        start=dt.datetime(2024, 6, 1, 10, 0),
        participations=[services.ParticipationInput(city_id=city.pk)],
    )
    participation = event.participations.get()
    data = {
        "title_en": "Forum",
        "title_ru": "",
        "slug": event.slug,
        "kind": "forum",
        "status": "tentative",
        "visibility": "public",
        "time_mode": "instant",
        "timezone": "America/New_York",
        "precision": "time",
        "local_start_0": "2024-06-01",
        "local_start_1": "11:00",
        "local_end_0": "",
        "local_end_1": "",
        "exdates": "[]",
        "rrule": "",
        "participations-TOTAL_FORMS": "1",
        "participations-INITIAL_FORMS": "1",
        "participations-MIN_NUM_FORMS": "0",
        "participations-MAX_NUM_FORMS": "1000",
        "participations-0-id": str(participation.pk),
        "participations-0-event": str(event.pk),
        "participations-0-city": str(city.pk),
        "participations-0-role": participation.role,
        "participations-0-venue": "",
        "changes-TOTAL_FORMS": "0",
        "changes-INITIAL_FORMS": "0",
        "changes-MIN_NUM_FORMS": "0",
        "changes-MAX_NUM_FORMS": "1000",
    }

    response = admin_client.post(reverse("admin:events_event_change", args=[event.pk]), data)
    page = admin_client.get(reverse("admin:events_event_history", args=[event.pk]))

    assert response.status_code == 302
    row = event.history.latest()
    assert (row.interface, row.history_user, row.start) == (
        "admin",
        admin_user,
        dt.datetime(2024, 6, 1, 15, 0, tzinfo=dt.UTC),
    )
    assert page.status_code == 200


def test_acting_block_labels_service_writes_and_restores_after():
    with audit.acting(audit.Interface.COMMAND):
        event = EventFactory()
    later = EventFactory()

    assert event.history.get().interface == "command"
    assert later.history.get().interface == "other"


def _write_then_fail(event, seen: list[int]) -> None:
    with transaction.atomic():
        services.update_event(event=event, location="Somewhere")
        seen.append(event.history.count())
        raise RuntimeError("roll back")


def test_rolled_back_write_leaves_no_history_row():
    event = EventFactory()
    seen: list[int] = []

    with pytest.raises(RuntimeError):
        _write_then_fail(event, seen)

    assert seen == [2]  # written inside the write's transaction ...
    assert [row.history_type for row in event.history.all()] == ["+"]  # ... and rolled back


def _history_queries(client, event_id) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert _history(client, event_id).status_code == 200
    return len(queries)


def test_history_query_count_does_not_grow_with_its_length(coordinator_api_client):
    city = CityFactory()
    short, long = EventFactory(), EventFactory()
    for n in range(5):
        coordinator_api_client.patch(
            f"/api/events/{long.pk}/",
            {"location": f"Hall {n}", "participations": [{"city": city.pk, "venue": str(n)}]},
            format="json",
        )

    assert _history_queries(coordinator_api_client, short.pk) == _history_queries(
        coordinator_api_client, long.pk
    )
