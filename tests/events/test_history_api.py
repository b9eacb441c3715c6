"""History endpoints of partnerships, contacts and reminder rules; feed tokens' history;
the desk's writes are labelled "desk"; contact addresses hidden from who may not see them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common import audit, roles
from events import selectors
from events.feeds.models import FeedToken
from tests.factories import CityFactory, ContactFactory, EventFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def _results(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_partnership_history_lists_edits_and_status_changes_with_user_and_interface(
    coordinator_api_client,
):
    a, b = CityFactory(), CityFactory()
    created = coordinator_api_client.post(
        "/api/partnerships/", {"city_a": a.pk, "city_b": b.pk}, format="json"
    )
    pk = created.json()["id"]
    coordinator_api_client.patch(f"/api/partnerships/{pk}/", {"notes": "Signed"}, format="json")
    coordinator_api_client.post(
        f"/api/partnerships/{pk}/status-changes/",
        {"status": "suspended", "changed_on": "2025-03-01"},
        format="json",
    )

    entries = _results(coordinator_api_client, f"/api/partnerships/{pk}/history/")

    assert created.status_code == 201
    assert {(e["who"], e["interface"]) for e in entries} == {("coord", "api")}
    assert [(e["model"], e["type"]) for e in entries] == [
        ("status_change", "created"),
        ("partnership", "changed"),
        ("partnership", "changed"),
        ("partnership", "created"),
    ]
    assert entries[0]["changes"]["status"] == [None, "suspended"]
    assert entries[1]["changes"] == {
        "status": ["active", "suspended"],
        "status_changed_on": [None, "2025-03-01"],
    }
    assert entries[2]["changes"] == {"notes": ["", "Signed"]}


def test_partnership_history_filters_by_interface(coordinator_api_client):
    pair = PartnershipFactory()  # interface "other"
    coordinator_api_client.patch(
        f"/api/partnerships/{pair.pk}/", {"notes": "Renewed"}, format="json"
    )

    api_only = _results(
        coordinator_api_client, f"/api/partnerships/{pair.pk}/history/", interface="api"
    )

    assert [(e["type"], e["changes"]) for e in api_only] == [
        ("changed", {"notes": ["", "Renewed"]})
    ]


def test_contact_history_shows_old_and_new_address_to_a_coordinator(coordinator_api_client):
    contact = ContactFactory(email="old@example.org")

    coordinator_api_client.patch(
        f"/api/contacts/{contact.pk}/", {"email": "new@example.org"}, format="json"
    )
    entries = _results(coordinator_api_client, f"/api/contacts/{contact.pk}/history/")

    assert (entries[0]["who"], entries[0]["interface"]) == ("coord", "api")
    assert entries[0]["changes"]["email"] == ["old@example.org", "new@example.org"]
    assert entries[1]["changes"]["email"] == [None, "old@example.org"]


def test_contact_history_hides_addresses_from_who_may_not_see_the_contact(
    coordinator_api_client, monkeypatch
):
    contact = ContactFactory(email="old@example.org", name="Office")
    coordinator_api_client.patch(
        f"/api/contacts/{contact.pk}/",
        {"email": "new@example.org", "name": "Mayor's office"},
        format="json",
    )
    monkeypatch.setattr(selectors, "can_view_contact", lambda user, contact: False)

    response = coordinator_api_client.get(f"/api/contacts/{contact.pk}/history/")

    entries = response.json()["results"]
    assert entries[0]["changes"] == {
        "email": ["hidden", "hidden"],
        "name": ["Office", "Mayor's office"],
    }
    assert entries[1]["changes"]["email"] == [None, "hidden"]
    assert "example.org" not in response.content.decode()


def test_hide_contact_addresses_asks_the_predicate_with_the_contact_and_viewer(coordinator):
    shown, hidden = ContactFactory(email="a@example.org"), ContactFactory(email="b@example.org")
    entries = audit.merged_trail(
        [("contact", type(shown).history.filter(id__in=[shown.pk, hidden.pk]))]
    )
    asked = []

    def may_see(user, contact):
        asked.append((user, contact.pk))
        return contact.pk == shown.pk

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(selectors, "can_view_contact", may_see)
        redacted = selectors.hide_contact_addresses(entries, coordinator)

    emails = {e["object_id"]: e["changes"]["email"][1] for e in redacted}
    assert emails == {shown.pk: "a@example.org", hidden.pk: "hidden"}
    assert sorted(asked) == sorted([(coordinator, shown.pk), (coordinator, hidden.pk)])


def test_rule_history_records_api_changes_without_the_unsubscribe_token(coordinator_api_client):
    contact = ContactFactory()
    created = coordinator_api_client.post(
        "/api/reminder-rules/",
        {"contact": contact.pk, "target": "event_kind", "event_kind": "forum"},
        format="json",
    )
    pk = created.json()["id"]
    coordinator_api_client.patch(f"/api/reminder-rules/{pk}/", {"hour": 11}, format="json")

    entries = _results(coordinator_api_client, f"/api/reminder-rules/{pk}/history/")

    assert created.status_code == 201, created.json()
    assert [(e["model"], e["type"], e["who"], e["interface"]) for e in entries] == [
        ("reminder_rule", "changed", "coord", "api"),
        ("reminder_rule", "created", "coord", "api"),
    ]
    assert entries[0]["changes"] == {"hour": [9, 11]}
    assert "unsubscribe_token" not in entries[1]["changes"]


@pytest.mark.parametrize("url", ["/api/partnerships/{}/history/", "/api/contacts/{}/history/"])
def test_history_endpoints_refuse_non_coordinators_and_404_unknown_ids(
    api_client, coordinator_api_client, django_user_model, url
):
    pair, contact = PartnershipFactory(), ContactFactory()
    pk = pair.pk if "partnerships" in url else contact.pk
    reader = django_user_model.objects.create_user("reader")

    anonymous = api_client.get(url.format(pk))
    api_client.force_authenticate(reader)
    outsider = api_client.get(url.format(pk))
    missing = coordinator_api_client.get(url.format(pk + 1000))
    bad = coordinator_api_client.get(url.format(pk), {"interface": "fax"})

    assert anonymous.status_code in (401, 403)
    assert outsider.status_code == 403
    assert missing.status_code == 404
    assert (bad.status_code, list(bad.json())) == (400, ["interface"])


def test_rule_history_refuses_non_coordinators(api_client, coordinator_api_client):
    contact = ContactFactory()
    pk = coordinator_api_client.post(
        "/api/reminder-rules/",
        {"contact": contact.pk, "target": "event_kind", "event_kind": "forum"},
        format="json",
    ).json()["id"]

    assert api_client.get(f"/api/reminder-rules/{pk}/history/").status_code in (401, 403)


def test_feed_token_issue_revoke_regenerate_are_recorded_without_the_hash(
    coordinator, coordinator_api_client
):
    created = coordinator_api_client.post(
        "/api/feeds/tokens/", {"label": "Magadan office"}, format="json"
    )
    pk = created.json()["id"]
    coordinator_api_client.post(f"/api/feeds/tokens/{pk}/revoke/")
    coordinator_api_client.post(f"/api/feeds/tokens/{pk}/regenerate/")

    rows = list(FeedToken.history.filter(id=pk).order_by("history_id"))
    entries = audit.trail(rows, model="feed_token")

    assert [(r.history_type, r.interface, r.history_user) for r in rows] == [
        ("+", "api", coordinator),
        ("~", "api", coordinator),
        ("~", "api", coordinator),
    ]
    assert entries[1]["changes"]["revoked_at"][0] is None
    assert entries[2]["changes"]["revoked_at"][1] is None
    assert not hasattr(rows[0], "token_hash")


def test_desk_confirm_is_recorded_as_desk_with_the_coordinator(coordinator, coordinator_client):
    event = EventFactory(status="tentative")

    response = coordinator_client.post(
        f"/desk/events/{event.pk}/confirm/", {"version": event.updated_at.isoformat()}
    )

    row = event.history.latest()
    assert response.status_code == 302
    assert (row.interface, row.history_user, row.status) == ("desk", coordinator, "confirmed")


def test_api_change_appears_in_the_admin_history_with_its_interface(
    admin_client, coordinator_api_client
):
    contact = ContactFactory(name="Office")
    coordinator_api_client.patch(
        f"/api/contacts/{contact.pk}/", {"name": "Mayor's office"}, format="json"
    )

    page = admin_client.get(f"/admin/events/contact/{contact.pk}/history/")

    body = page.content.decode()
    assert page.status_code == 200
    assert "doesn’t have a change history" not in body
    assert "coord" in body
    assert "<td>API</td>" in body


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_partnership_and_contact_history_query_counts_do_not_grow(coordinator_api_client):
    short_pair, long_pair = PartnershipFactory(), PartnershipFactory()
    short_contact, long_contact = ContactFactory(), ContactFactory()
    for n in range(6):
        coordinator_api_client.patch(
            f"/api/partnerships/{long_pair.pk}/", {"notes": f"v{n}"}, format="json"
        )
        coordinator_api_client.post(
            f"/api/partnerships/{long_pair.pk}/status-changes/",
            {"status": "dormant" if n % 2 else "active", "changed_on": f"2025-0{n + 1}-01"},
            format="json",
        )
        coordinator_api_client.patch(
            f"/api/contacts/{long_contact.pk}/", {"email": f"v{n}@example.org"}, format="json"
        )

    assert _queries(coordinator_api_client, f"/api/partnerships/{short_pair.pk}/history/") == (
        _queries(coordinator_api_client, f"/api/partnerships/{long_pair.pk}/history/")
    )
    assert _queries(coordinator_api_client, f"/api/contacts/{short_contact.pk}/history/") == (
        _queries(coordinator_api_client, f"/api/contacts/{long_contact.pk}/history/")
    )


def test_feed_token_cities_changed_in_the_admin_are_recorded(admin_client, admin_user):
    a, b = CityFactory(), CityFactory()
    token = FeedToken.objects.create(token_hash="x" * 64, label="Office")
    token.cities.set([a])

    response = admin_client.post(
        f"/admin/feeds/feedtoken/{token.pk}/change/",
        {
            "label": "Office",
            "cities": [b.pk],
            "kinds": "[]",
            "include_tentative": "on",
            "include_internal": "on",
            "language": "",
        },
    )

    latest = FeedToken.history.filter(id=token.pk).latest()
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [row.city_id for row in latest.cities.all()] == [b.pk]
    assert (latest.interface, latest.history_user) == ("admin", admin_user)


def test_admin_past_version_of_a_contact_is_404_to_who_may_not_see_it(admin_client, monkeypatch):
    contact = ContactFactory(email="office@example.org")
    record = contact.history.get()
    url = f"/admin/events/contact/{contact.pk}/history/{record.history_id}/"

    shown = admin_client.get(url)
    monkeypatch.setattr(roles, "can_view_contact", lambda user, contact: False)
    refused = admin_client.get(url)

    assert shown.status_code == 200
    assert "office@example.org" in shown.content.decode()
    assert refused.status_code == 404
