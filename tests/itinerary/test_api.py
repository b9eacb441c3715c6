"""The itinerary API: CRUD under the event, 400s naming the field, who may read and write."""

import pytest

from events.models import Event, ItineraryLeg

pytestmark = pytest.mark.django_db


def _legs(event):
    return f"/api/events/{event.pk}/itinerary/legs/"


def _leg_body(anchorage, magadan, **changes):
    body = {
        "mode": "flight",
        "departure_city": anchorage.pk,
        "departure_place": "Ted Stevens Anchorage International Airport",
        "departs_at": "2030-05-08T22:00",
        "arrival_city": magadan.pk,
        "arrival_place": "Sokol Airport",
        "arrives_at": "2030-05-09T21:30",
        "reference": "PC 123",
    }
    body.update(changes)
    return body


def test_post_leg_gives_both_ends_in_their_own_zones(
    coordinator_api_client, visit, anchorage, magadan
):
    response = coordinator_api_client.post(
        _legs(visit), _leg_body(anchorage, magadan), format="json"
    )

    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["departs_at"], data["arrives_at"]) == (
        "2030-05-09T06:00:00Z",
        "2030-05-09T10:30:00Z",
    )
    assert (data["departs_local"], data["arrives_local"]) == (
        "2030-05-08T22:00:00-08:00",
        "2030-05-09T21:30:00+11:00",
    )
    assert (data["day_shift"], data["crosses_date_line"]) == (1, True)
    assert data["departure_city"]["timezone"] == "America/Anchorage"
    assert response.headers["ETag"]


def test_get_itinerary_public_reads_legs_and_programme(api_client, flight, visit):
    response = api_client.get(f"/api/events/{visit.pk}/itinerary/")

    assert response.status_code == 200
    assert [leg["id"] for leg in response.json()["legs"]] == [flight.pk]
    assert response.json()["programme"] == []


def test_get_itinerary_of_internal_event_is_404_for_the_public(api_client, flight, visit):
    Event.objects.filter(pk=visit.pk).update(visibility=Event.Visibility.INTERNAL)

    assert api_client.get(f"/api/events/{visit.pk}/itinerary/").status_code == 404
    assert api_client.get(_legs(visit)).status_code == 404
    assert api_client.get(f"{_legs(visit)}{flight.pk}/").status_code == 404


def test_post_leg_anonymous_is_refused(api_client, visit, anchorage, magadan):
    response = api_client.post(_legs(visit), _leg_body(anchorage, magadan), format="json")

    assert response.status_code in (401, 403)
    assert ItineraryLeg.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"arrives_at": "2030-05-09T08:00"}, "arrives_at"),
        ({"departure_city": 987654}, "departure_city"),
        ({"departure_city": 2**53}, "departure_city"),
        ({"arrival_city": 987654}, "arrival_city"),
        ({"arrival_city": "Magadan"}, "arrival_city"),
        ({"departs_at": "2030-03-10T02:30"}, "departs_at"),
        ({"departs_at": "8 May"}, "departs_at"),
        ({"departs_at": "2030-06-08T10:00", "arrives_at": "2030-06-09T20:00"}, "departs_at"),
        ({"mode": "balloon"}, "mode"),
        ({"arrival_place": "A\nB"}, "arrival_place"),
        ({"reference": "x" * 81}, "reference"),
    ],
)
def test_post_leg_bad_input_is_400_naming_the_field(
    coordinator_api_client, visit, anchorage, magadan, changes, field
):
    response = coordinator_api_client.post(
        _legs(visit), _leg_body(anchorage, magadan, **changes), format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_post_overlapping_leg_is_400_naming_the_other_leg(
    coordinator_api_client, flight, visit, anchorage, magadan
):
    response = coordinator_api_client.post(
        _legs(visit), _leg_body(anchorage, magadan), format="json"
    )

    assert response.status_code == 400
    assert f"leg {flight.pk}" in response.json()["departs_at"][0]


def test_patch_leg_with_stale_etag_is_412_and_with_current_etag_applies(
    coordinator_api_client, flight, visit
):
    url = f"{_legs(visit)}{flight.pk}/"
    etag = coordinator_api_client.get(url).headers["ETag"]
    body = {"arrives_at": "2030-05-09T22:00"}

    assert (
        coordinator_api_client.patch(url, body, format="json", HTTP_IF_MATCH='"x"').status_code
        == 412
    )
    response = coordinator_api_client.patch(url, body, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 200
    assert (response.json()["arrives_local"], response.json()["sequence"]) == (
        "2030-05-09T22:00:00+11:00",
        1,
    )


def test_delete_leg(coordinator_api_client, flight, visit):
    response = coordinator_api_client.delete(f"{_legs(visit)}{flight.pk}/")

    assert response.status_code == 204
    assert ItineraryLeg.objects.count() == 0


def test_leg_of_another_event_is_404(coordinator_api_client, flight, anchorage, magadan):
    other = Event.objects.create(
        slug="other", title_en="Other", kind="delegation_visit", timezone="UTC", precision="unknown"
    )

    assert coordinator_api_client.get(f"{_legs(other)}{flight.pk}/").status_code == 404


def test_programme_item_crud(coordinator_api_client, visit, magadan):
    url = f"/api/events/{visit.pk}/itinerary/programme/"
    created = coordinator_api_client.post(
        url,
        {"kind": "ceremony", "title_en": "Wreaths", "starts_at": "2030-05-10T11:00"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    item = created.json()
    assert (item["city"]["id"], item["starts_local"]) == (magadan.pk, "2030-05-10T11:00:00+11:00")

    patched = coordinator_api_client.patch(
        f"{url}{item['id']}/", {"venue_en": "ALSIB monument"}, format="json"
    )
    assert (patched.status_code, patched.json()["venue_en"]) == (200, "ALSIB monument")
    assert coordinator_api_client.get(url).json()[0]["id"] == item["id"]
    assert coordinator_api_client.delete(f"{url}{item['id']}/").status_code == 204


def test_programme_item_without_title_is_400(coordinator_api_client, visit):
    response = coordinator_api_client.post(
        f"/api/events/{visit.pk}/itinerary/programme/",
        {"starts_at": "2030-05-10T11:00"},
        format="json",
    )

    assert (response.status_code, list(response.json())) == (400, ["title_en"])


def test_itinerary_on_a_festival_is_400(coordinator_api_client, anchorage, magadan):
    festival = Event.objects.create(
        slug="fest", title_en="Fest", kind="festival", timezone="UTC", precision="unknown"
    )

    response = coordinator_api_client.post(
        _legs(festival), _leg_body(anchorage, magadan), format="json"
    )

    assert (response.status_code, list(response.json())) == (400, ["event"])


def test_itinerary_of_missing_event_is_404(api_client):
    assert api_client.get("/api/events/999999/itinerary/").status_code == 404
