"""City teams' rights: roles x resources x actions, over the API and the admin.

The world: Magadan hosts an internal tentative event in which Anchorage takes part; Anchorage
hosts a public confirmed one in which Magadan takes part; Tula hosts an internal one neither
team takes part in. Each city has a contact with a reminder rule and a digest, and each team
member a feed token. Every row of a table below is one request by each of the four roles,
asserting the exact status each gets (each row runs on a fresh database).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from events import services
from events.feeds.services import create_feed_token
from events.models import Contact, Event, Participation, Partnership, TeamMembership
from notifications import subscriptions
from notifications.models import DigestSubscription, ReminderRule
from tests.factories import CityFactory, ContactFactory

ROLES = ("anonymous", "magadan", "anchorage", "admin")
ADMIN_ROLES = ROLES[1:]  # the admin's login page answers anonymous users
HOST, CO_HOST, GUEST = "host", "co_host", "guest_delegation"


@dataclass
class World:
    users: dict[str, Any]
    ids: dict[str, int]


def _event(title: str, hosts: list[tuple[Any, str]], **fields: Any) -> Event:
    fields.setdefault("status", Event.Status.CONFIRMED)
    return services.create_event(
        title_en=title,
        kind=Event.Kind.FESTIVAL,
        timezone="UTC",
        start=dt.datetime(2031, 5, 9, 10, 0),
        rrule="FREQ=YEARLY",
        participations=[services.ParticipationInput(city_id=c.pk, role=r) for c, r in hosts],
        **fields,
    )


@pytest.fixture
def world(db, django_user_model) -> World:
    magadan = CityFactory(slug="magadan", name_en="Magadan", country="RU", timezone="Asia/Magadan")
    anchorage = CityFactory(
        slug="anchorage", name_en="Anchorage", country="US", timezone="America/Anchorage"
    )
    tula = CityFactory(slug="tula", name_en="Tula", country="RU", timezone="Europe/Moscow")
    users: dict[str, Any] = {"anonymous": None}
    for name, city in (("magadan", magadan), ("anchorage", anchorage)):
        user = django_user_model.objects.create_user(name, password="x" * 12, is_staff=True)
        TeamMembership.objects.create(user=user, city=city)
        users[name] = user
    admin = django_user_model.objects.create_user("programme", password="x" * 12, is_staff=True)
    admin.groups.add(Group.objects.get_or_create(name=settings.PROGRAMME_ADMINS_GROUP)[0])
    users["admin"] = admin

    ev_mag = _event(
        "Magadan internal",
        [(magadan, HOST), (anchorage, GUEST)],
        status=Event.Status.TENTATIVE,
        visibility=Event.Visibility.INTERNAL,
    )
    ev_anc = _event("Anchorage public", [(anchorage, HOST), (magadan, GUEST)])
    ev_tula = _event("Tula internal", [(tula, HOST)], visibility=Event.Visibility.INTERNAL)
    c_mag = ContactFactory(city=magadan, timezone="Asia/Magadan")
    c_anc = ContactFactory(city=anchorage)
    ids = {
        "magadan": magadan.pk,
        "anchorage": anchorage.pk,
        "tula": tula.pk,
        "ev_mag": ev_mag.pk,
        "ev_anc": ev_anc.pk,
        "ev_tula": ev_tula.pk,
        "c_mag": c_mag.pk,
        "c_anc": c_anc.pk,
        "pair": services.create_partnership(city_a_id=magadan.pk, city_b_id=anchorage.pk).pk,
    }
    for key, contact in (("mag", c_mag), ("anc", c_anc)):
        rule = subscriptions.create_rule(
            contact_id=contact.pk, target="city", city_id=contact.city_id
        )
        ids[f"r_{key}"] = rule.pk
        ids[f"d_{key}"] = subscriptions.create_digest(contact_id=contact.pk).pk
    ids["t_mag"] = create_feed_token(label="Magadan", actor=users["magadan"]).token.pk
    ids["t_anc"] = create_feed_token(label="Anchorage", actor=users["anchorage"]).token.pk
    return World(users=users, ids=ids)


def _api(world: World, role: str) -> APIClient:
    client = APIClient()
    if world.users[role] is not None:
        client.force_authenticate(world.users[role])
    return client


def _table(rows: list[tuple], roles: tuple[str, ...]) -> list[Any]:
    """Rows ending in one column per role -> params (leading columns..., {role: value})."""
    params = []
    for row in rows:
        lead, values = row[: -len(roles)], row[-len(roles) :]
        params.append(pytest.param(*lead, dict(zip(roles, values, strict=True)), id=str(lead[0])))
    return params


def _participations(world: World, *rows: tuple[str, str, str]) -> list[dict[str, Any]]:
    return [{"city": world.ids[city], "role": role, "venue": venue} for city, role, venue in rows]


# --- Reads: what each list shows ------------------------------------------------------------

LISTS = [
    # url, key of each visible object, anonymous, magadan, anchorage, admin
    ("/api/events/", ("ev_anc",), ("ev_mag", "ev_anc"), ("ev_mag", "ev_anc"), ("ev_mag", "ev_anc", "ev_tula")),
    ("/api/contacts/", 403, ("c_mag",), ("c_anc",), ("c_mag", "c_anc")),
    ("/api/reminder-rules/", 403, ("r_mag",), ("r_anc",), ("r_mag", "r_anc")),
    ("/api/digests/", 403, ("d_mag",), ("d_anc",), ("d_mag", "d_anc")),
    ("/api/feeds/tokens/", 403, ("t_mag",), ("t_anc",), ("t_mag", "t_anc")),
]  # fmt: skip


def _ids_of(response) -> set[int]:
    data = response.json()
    rows = data["results"] if isinstance(data, dict) else data
    return {row["id"] for row in rows}


@pytest.mark.parametrize(("url", "expected"), _table(LISTS, ROLES))
@pytest.mark.parametrize("role", ROLES)
def test_list_shows_only_what_the_role_may_see(world, role, url, expected):
    wanted = expected[role]
    response = _api(world, role).get(url)

    if isinstance(wanted, int):
        assert response.status_code == wanted
    else:
        assert (response.status_code, _ids_of(response)) == (
            200,
            {world.ids[key] for key in wanted},
        )


# --- Actions: the exact status each role gets ----------------------------------------------
# method, url (formatted with the world's ids), body, then the status for each role.

ACTIONS = [
    # events: read
    ("read hosted event", "get", "/api/events/{ev_mag}/", None, 404, 200, 200, 200),
    ("read partner's public event", "get", "/api/events/{ev_anc}/", None, 200, 200, 200, 200),
    ("read other pair's internal event", "get", "/api/events/{ev_tula}/", None, 404, 404, 404, 200),
    # events: create (a team must host what it creates)
    ("create hosted by Magadan", "post", "/api/events/", "new_magadan", 403, 201, 403, 201),
    ("create hosted by Tula", "post", "/api/events/", "new_tula", 403, 403, 403, 201),
    # events: update
    ("retitle Magadan's event", "patch", "/api/events/{ev_mag}/", {"title_en": "X"}, 403, 200, 403, 200),
    ("retitle Anchorage's event", "patch", "/api/events/{ev_anc}/", {"title_en": "X"}, 403, 403, 200, 200),
    ("retitle Tula's event", "patch", "/api/events/{ev_tula}/", {"title_en": "X"}, 403, 404, 404, 200),
    # events: cancel and one occurrence (there is no delete: events are cancelled)
    ("cancel Magadan's event", "post", "/api/events/{ev_mag}/cancel/", None, 403, 200, 403, 200),
    ("cancel Tula's event", "post", "/api/events/{ev_tula}/cancel/", None, 403, 404, 404, 200),
    ("move one date", "post", "/api/events/{ev_mag}/occurrence-changes/", "move", 403, 201, 403, 201),
    ("delete an event", "delete", "/api/events/{ev_mag}/", None, 403, 405, 405, 405),
    # participations: a team's own city's venue in a partner's event; not the partner's row
    ("own venue in partner's event", "patch", "/api/events/{ev_anc}/", "own_venue", 403, 200, 200, 200),
    ("partner's venue in its event", "patch", "/api/events/{ev_anc}/", "host_venue", 403, 403, 200, 200),
    # an itinerary is the host's, like the event (the festival has none: 400 once allowed)
    ("programme item on Anchorage's event", "post", "/api/events/{ev_anc}/itinerary/programme/", {"kind": "ceremony", "title_en": "W", "starts_at": "2031-05-09T11:00"}, 403, 403, 400, 400),
    # contacts
    ("read Magadan contact", "get", "/api/contacts/{c_mag}/", None, 403, 200, 404, 200),
    ("update Magadan contact", "patch", "/api/contacts/{c_mag}/", {"name": "New"}, 403, 200, 404, 200),
    ("move Magadan contact away", "patch", "/api/contacts/{c_mag}/", "to_anchorage", 403, 403, 404, 200),
    ("delete Anchorage contact", "delete", "/api/contacts/{c_anc}/", None, 403, 404, 204, 204),
    ("create Magadan contact", "post", "/api/contacts/", "contact_magadan", 403, 201, 403, 201),
    # reminder rules and digests
    ("read Magadan rule", "get", "/api/reminder-rules/{r_mag}/", None, 403, 200, 404, 200),
    ("update Magadan rule", "patch", "/api/reminder-rules/{r_mag}/", {"hour": 8}, 403, 200, 404, 200),
    ("delete Magadan rule", "delete", "/api/reminder-rules/{r_mag}/", None, 403, 204, 404, 204),
    ("rule for Anchorage contact", "post", "/api/reminder-rules/", "rule_anchorage", 403, 400, 201, 201),
    ("update Anchorage digest", "patch", "/api/digests/{d_anc}/", {"hour": 8}, 403, 404, 200, 200),
    ("digest for Magadan contact", "post", "/api/digests/", "digest_magadan", 403, 400, 400, 400),
    # feed tokens: one's own only; administrators all
    ("revoke Magadan's token", "post", "/api/feeds/tokens/{t_mag}/revoke/", None, 403, 200, 404, 200),
    # cities and partnerships: public reads, programme administrators write
    ("read a city", "get", "/api/cities/{magadan}/", None, 200, 200, 200, 200),
    ("rename a city", "patch", "/api/cities/{magadan}/", {"name_en": "M"}, 403, 403, 403, 200),
    ("create a city", "post", "/api/cities/", "city", 403, 403, 403, 201),
    ("delete a city", "delete", "/api/cities/{tula}/", None, 403, 403, 403, 400),
    ("read a partnership", "get", "/api/partnerships/{pair}/", None, 200, 200, 200, 200),
    ("change a partnership", "patch", "/api/partnerships/{pair}/", {"notes": "n"}, 403, 403, 403, 200),
    ("partnership status", "post", "/api/partnerships/{pair}/status-changes/", {"status": "dormant"}, 403, 403, 403, 201),
    ("delete a partnership", "delete", "/api/partnerships/{pair}/", None, 403, 403, 403, 204),
]  # fmt: skip


def _body(world: World, name: Any) -> Any:
    if not isinstance(name, str):
        return name
    one_event = {
        "title_en": "New",
        "kind": "festival",
        "timezone": "UTC",
        "start": "2031-07-01T10:00:00",
    }
    return {
        "new_magadan": {**one_event, "participations": _participations(world, ("magadan", HOST, ""))},
        "new_tula": {**one_event, "participations": _participations(world, ("tula", HOST, ""))},
        "move": {"original_start": "2032-05-09T10:00:00", "start": "2032-05-10T10:00:00"},
        "own_venue": {
            "participations": _participations(
                world, ("anchorage", HOST, ""), ("magadan", GUEST, "Hotel Magadan")
            )
        },
        "host_venue": {
            "participations": _participations(
                world, ("anchorage", HOST, "City hall"), ("magadan", GUEST, "")
            )
        },
        "to_anchorage": {"city": world.ids["anchorage"]},
        "contact_magadan": {
            "name": "Magadan office",
            "email": "office@magadan.example",
            "city": world.ids["magadan"],
            "timezone": "Asia/Magadan",
            "language": "ru",
        },
        "rule_anchorage": {
            "contact": world.ids["c_anc"],
            "target": "city",
            "city": world.ids["anchorage"],
        },
        # Every contact already has a digest: the team that may see the contact is told so
        # (field contact), a team that may not is told the contact is unknown (same field).
        "digest_magadan": {"contact": world.ids["c_mag"]},
        "city": {"name_en": "Nome", "name_native": "Nome", "country": "US", "timezone": "America/Nome"},
    }[name]  # fmt: skip


@pytest.mark.parametrize(("action", "method", "url", "body", "expected"), _table(ACTIONS, ROLES))
@pytest.mark.parametrize("role", ROLES)
def test_action_status_per_role(world, role, action, method, url, body, expected):
    client = _api(world, role)

    response = getattr(client, method)(url.format(**world.ids), _body(world, body), format="json")

    assert response.status_code == expected[role], (action, response.content[:300])


def test_a_refused_write_changes_nothing(world):
    client = _api(world, "anchorage")

    client.patch(f"/api/events/{world.ids['ev_mag']}/", {"title_en": "Hijacked"}, format="json")
    client.post(f"/api/events/{world.ids['ev_mag']}/cancel/")

    event = Event.objects.get(pk=world.ids["ev_mag"])
    assert (event.title_en, event.status) == ("Magadan internal", Event.Status.TENTATIVE)


def test_a_hidden_event_answers_as_one_that_does_not_exist(world):
    """404, not 403: a team cannot tell another pair's internal event from a free id."""
    client = _api(world, "magadan")
    missing = max(world.ids["ev_mag"], world.ids["ev_anc"], world.ids["ev_tula"]) + 100

    hidden = client.patch(f"/api/events/{world.ids['ev_tula']}/", {"title_en": "X"}, format="json")
    free = client.patch(f"/api/events/{missing}/", {"title_en": "X"}, format="json")

    assert (hidden.status_code, hidden.json()) == (free.status_code, free.json())


# --- Mass assignment: a team may not hand its event's hosting away -------------------------

MASS_ASSIGNMENT = [
    # participations Magadan sends for its own event -> status
    ("hosting handed to Anchorage", [("magadan", GUEST), ("anchorage", HOST)], 403),
    ("Tula made co-host", [("magadan", HOST), ("anchorage", GUEST), ("tula", CO_HOST)], 403),
    ("Magadan dropped", [("anchorage", GUEST)], 403),
    ("Magadan host to co-host", [("magadan", CO_HOST), ("anchorage", GUEST)], 200),
    ("Tula invited as a guest", [("magadan", HOST), ("anchorage", GUEST), ("tula", GUEST)], 200),
]


@pytest.mark.parametrize(("case", "rows", "status"), MASS_ASSIGNMENT)
def test_hosts_cannot_be_reassigned_out_of_scope(world, case, rows, status):
    body = {"participations": _participations(world, *((c, r, "") for c, r in rows))}

    response = _api(world, "magadan").patch(
        f"/api/events/{world.ids['ev_mag']}/", body, format="json"
    )

    assert response.status_code == status, case
    if status == 403:
        assert list(response.json()) == ["participations"]
        assert set(
            Participation.objects.filter(event_id=world.ids["ev_mag"]).values_list(
                "city_id", "role"
            )
        ) == {(world.ids["magadan"], HOST), (world.ids["anchorage"], GUEST)}


def test_a_team_cannot_make_itself_host_of_a_partners_event(world):
    body = {"participations": _participations(world, ("anchorage", HOST, ""), ("magadan", CO_HOST, ""))}  # fmt: skip

    response = _api(world, "magadan").patch(
        f"/api/events/{world.ids['ev_anc']}/", body, format="json"
    )

    assert (response.status_code, list(response.json())) == (403, ["participations"])


def test_a_new_event_must_be_hosted_by_the_team(world):
    body = _body(world, "new_magadan")
    body["participations"] = _participations(world, ("magadan", GUEST, ""), ("tula", HOST, ""))

    response = _api(world, "magadan").post("/api/events/", body, format="json")

    assert (response.status_code, list(response.json())) == (403, ["participations"])
    assert not Event.objects.filter(title_en="New").exists()


# --- The admin: the same rights, the same 404s ---------------------------------------------

ADMIN_LISTS = [
    # changelist, model, keys shown to magadan, anchorage, admin
    ("/admin/events/event/", Event, ("ev_mag", "ev_anc"), ("ev_mag", "ev_anc"), ("ev_mag", "ev_anc", "ev_tula")),
    ("/admin/events/contact/", Contact, ("c_mag",), ("c_anc",), ("c_mag", "c_anc")),
    ("/admin/notifications/reminderrule/", ReminderRule, ("r_mag",), ("r_anc",), ("r_mag", "r_anc")),
    ("/admin/notifications/digestsubscription/", DigestSubscription, ("d_mag",), ("d_anc",), ("d_mag", "d_anc")),
]  # fmt: skip


@pytest.mark.parametrize(("url", "model", "expected"), _table(ADMIN_LISTS, ADMIN_ROLES))
@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_admin_changelist_shows_only_the_scope(client, world, role, url, model, expected):
    client.force_login(world.users[role])

    response = client.get(url)

    assert response.status_code == 200
    shown = {obj.pk for obj in response.context["cl"].result_list}
    assert shown == {world.ids[key] for key in expected[role]}


ADMIN_ACTIONS = [
    # url, method, magadan, anchorage, admin
    ("/admin/events/event/{ev_tula}/change/", "get", 404, 404, 200),
    ("/admin/events/event/{ev_mag}/change/", "get", 200, 200, 200),
    ("/admin/events/event/{ev_mag}/change/", "post", 200, 403, 200),
    ("/admin/events/contact/{c_anc}/change/", "get", 404, 200, 200),
    ("/admin/events/contact/{c_anc}/delete/", "post", 404, 302, 302),
    ("/admin/events/city/{magadan}/change/", "get", 200, 200, 200),
    ("/admin/events/city/{magadan}/change/", "post", 403, 403, 200),
    ("/admin/events/city/add/", "get", 403, 403, 200),
    ("/admin/events/partnership/{pair}/delete/", "post", 403, 403, 302),
    ("/admin/events/teammembership/", "get", 403, 403, 200),
    ("/admin/feeds/feedtoken/{t_anc}/change/", "get", 404, 200, 200),
    ("/admin/feeds/importjob/", "get", 403, 403, 200),
]


@pytest.mark.parametrize(("url", "method", "expected"), _table(ADMIN_ACTIONS, ADMIN_ROLES))
@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_admin_status_per_role(client, world, role, url, method, expected):
    """A POST without form data: 403 when the role may not change the object at all, the
    form again (200) when it may (the empty form is invalid), a redirect after a delete."""
    client.force_login(world.users[role])
    data = {"post": "yes"} if url.endswith("/delete/") else {}

    response = getattr(client, method)(url.format(**world.ids), data)

    assert response.status_code == expected[role]


def test_admin_read_only_for_a_partners_event_the_team_takes_part_in(client, world):
    client.force_login(world.users["anchorage"])

    response = client.get(f"/admin/events/event/{world.ids['ev_mag']}/change/")

    assert response.context["has_change_permission"] is False


# --- Roles themselves ------------------------------------------------------------------------


def test_a_legacy_coordinator_on_no_team_keeps_full_rights(world, django_user_model):
    from common import roles

    old = django_user_model.objects.create_user("old-coordinator")
    old.groups.add(Group.objects.get_or_create(name=settings.COORDINATORS_GROUP)[0])
    assert roles.is_programme_admin(old)

    TeamMembership.objects.create(user=old, city_id=world.ids["tula"])
    roles.forget_roles(old)

    assert not roles.is_programme_admin(old)
    assert roles.team_cities(old) == {world.ids["tula"]}


def test_team_cities_is_one_query_per_request(world, django_assert_num_queries):
    from common import roles

    user = type(world.users["magadan"]).objects.get(pk=world.users["magadan"].pk)
    with django_assert_num_queries(1):
        assert roles.team_cities(user) == {world.ids["magadan"]}
        assert roles.team_cities(user) == {world.ids["magadan"]}


def test_rules_permissions_are_registered(world):
    event = Event.objects.get(pk=world.ids["ev_anc"])

    assert world.users["anchorage"].has_perm("teams.change_event", event)
    assert not world.users["magadan"].has_perm("teams.change_event", event)
    assert world.users["magadan"].has_perm("teams.view_event", event)


def test_a_team_token_feed_holds_no_hidden_event(world, client):
    """A team's private feed (internal and tentative included) holds only what the team sees."""
    issued = create_feed_token(label="All", actor=world.users["anchorage"])

    response = client.get(f"/feeds/private/{issued.secret}.ics")
    body = b"".join(response.streaming_content).decode()

    assert "Magadan internal" in body
    assert "Anchorage public" in body
    assert "Tula internal" not in body


def test_partnership_left_alone_by_refused_team(world):
    _api(world, "magadan").delete(f"/api/partnerships/{world.ids['pair']}/")

    assert Partnership.objects.filter(pk=world.ids["pair"]).exists()


# --- Proposals: a partner's new time or place waits for the host team ----------------------


@pytest.fixture
def eager_tasks():
    from worker.celery import app

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old


def _propose(world: World, role: str = "magadan", event: str = "ev_anc", **fields: Any):
    body = fields or {"start": "2031-05-09T12:00:00", "end": "2031-05-09T13:00:00"}
    return _api(world, role).patch(f"/api/events/{world.ids[event]}/", body, format="json")


def test_a_partners_new_time_is_a_pending_proposal_with_each_citys_local_time(world):
    before = Event.objects.get(pk=world.ids["ev_anc"])

    response = _propose(world)

    assert response.status_code == 202
    data = response.json()
    assert (data["status"], data["proposed_by"], data["event"]) == (
        "pending",
        "magadan",
        world.ids["ev_anc"],
    )
    times = {row["city_name"]: (row["timezone"], row["start"]) for row in data["local_times"]}
    assert times == {
        "Anchorage": ("America/Anchorage", "2031-05-09T04:00:00-08:00"),
        "Magadan": ("Asia/Magadan", "2031-05-09T23:00:00+11:00"),
    }
    after = Event.objects.get(pk=world.ids["ev_anc"])
    assert (after.start, after.sequence) == (before.start, before.sequence)


def test_the_host_team_is_mailed_once(
    world, mailoutbox, eager_tasks, django_capture_on_commit_callbacks
):
    from notifications.proposal_mail import send_proposal_notice

    anchorage = world.users["anchorage"]
    anchorage.email = "team@anchorage.example"
    anchorage.save()

    with django_capture_on_commit_callbacks(execute=True):
        pk = _propose(world).json()["id"]

    assert [m.to for m in mailoutbox] == [["team@anchorage.example"]]
    assert "Magadan: 2031-05-09 23:00 (Asia/Magadan)" in mailoutbox[0].body
    assert send_proposal_notice(proposal_id=pk) == 0  # a redelivered task sends nothing
    assert len(mailoutbox) == 1


DECISIONS = [
    # action, anonymous, magadan (proposer, not host), anchorage (host), admin
    ("accept", 403, 403, 200, 200),
    ("reject", 403, 403, 200, 200),
]


@pytest.mark.parametrize(("decision", "expected"), _table(DECISIONS, ROLES))
@pytest.mark.parametrize("role", ROLES)
def test_only_the_host_side_decides(world, role, decision, expected):
    pk = _propose(world).json()["id"]

    response = _api(world, role).post(f"/api/proposals/{pk}/{decision}/")

    assert response.status_code == expected[role]


def test_an_accepted_proposal_applies_through_the_service(world):
    before = Event.objects.get(pk=world.ids["ev_anc"])
    pk = _propose(world).json()["id"]

    response = _api(world, "anchorage").post(f"/api/proposals/{pk}/accept/")

    assert (response.status_code, response.json()["decided_by"]) == (200, "anchorage")
    after = Event.objects.get(pk=world.ids["ev_anc"])
    assert after.start == dt.datetime(2031, 5, 9, 12, 0, tzinfo=dt.UTC)
    assert after.sequence == before.sequence + 1


def test_a_rejected_proposal_changes_nothing_and_cannot_be_accepted(world):
    before = Event.objects.get(pk=world.ids["ev_anc"])
    pk = _propose(world).json()["id"]
    host = _api(world, "anchorage")

    assert host.post(f"/api/proposals/{pk}/reject/").status_code == 200
    again = host.post(f"/api/proposals/{pk}/accept/")

    assert (again.status_code, list(again.json())) == (400, ["status"])
    assert Event.objects.get(pk=world.ids["ev_anc"]).start == before.start


PROPOSALS_SEEN = [
    # url, anonymous, magadan, anchorage, admin
    ("/api/proposals/", 403, 1, 1, 1),
]


@pytest.mark.parametrize(("url", "expected"), _table(PROPOSALS_SEEN, ROLES))
@pytest.mark.parametrize("role", ROLES)
def test_proposals_are_seen_by_both_sides(world, role, url, expected):
    _propose(world)

    response = _api(world, role).get(url)

    if expected[role] == 403:
        assert response.status_code == 403
    else:
        assert (response.status_code, response.json()["count"]) == (200, expected[role])


@pytest.mark.parametrize(
    ("case", "role", "event", "body", "status"),
    [
        ("a title is the host's", "magadan", "ev_anc", {"title_en": "X"}, 403),
        (
            "time and title together",
            "magadan",
            "ev_anc",
            {"location": "Port", "title_en": "X"},
            403,
        ),
        ("an event the team is not in", "magadan", "ev_tula", {"location": "Port"}, 404),
        (
            "a bad time is refused at once",
            "magadan",
            "ev_anc",
            {"start": "2031-05-09T25:00:00"},
            400,
        ),
        ("a host edits, not proposes", "anchorage", "ev_anc", {"location": "Port"}, 200),
    ],
)
def test_what_is_a_proposal(world, case, role, event, body, status):
    response = _propose(world, role, event, **body)

    assert response.status_code == status, (case, response.content[:300])


# --- The desk: the same scope ---------------------------------------------------------------

DESK = [
    # url, magadan, anchorage, admin
    ("/desk/", 200, 200, 200),
    ("/desk/events/{ev_mag}/edit/", 200, 200, 200),
    ("/desk/events/{ev_tula}/edit/", 404, 404, 200),
]


@pytest.mark.parametrize(("url", "expected"), _table(DESK, ADMIN_ROLES))
@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_desk_pages_follow_the_scope(client, world, role, url, expected):
    client.force_login(world.users[role])

    assert client.get(url.format(**world.ids)).status_code == expected[role]


def test_desk_refuses_a_partner_team_import(client, world):
    client.force_login(world.users["magadan"])

    assert client.post("/desk/imports/new/", {}).status_code == 403


def test_a_proposal_that_changes_nothing_is_refused_naming_the_field(world):
    """The same place again, or a time of day for an event known by its date only (which
    update_event would drop): 400, and no proposal is stored."""
    from events.models import ChangeProposal

    event = Event.objects.get(pk=world.ids["ev_anc"])

    same = _propose(world, location=event.location)
    Event.objects.filter(pk=event.pk).update(
        precision=Event.Precision.DAY, start=None, end=None, start_date=dt.date(2031, 5, 9)
    )
    timeless = _propose(world, start="2031-05-09T12:00:00")

    assert same.status_code == 400, same.content
    assert "location" in same.json()
    assert timeless.status_code == 400, timeless.content
    assert "start" in timeless.json()
    assert not ChangeProposal.objects.exists()


def test_reminders_tell_a_contact_only_of_events_its_city_may_see(world):
    """A kind rule of a Magadan contact covers the public festival and Magadan's own internal
    events, never Tula's internal one; a user's own rule follows what that user may see."""
    from notifications.selectors import events_for_rule

    Event.objects.filter(pk=world.ids["ev_mag"]).update(status=Event.Status.CONFIRMED)
    by_contact = subscriptions.create_rule(
        contact_id=world.ids["c_mag"], target="event_kind", event_kind=Event.Kind.FESTIVAL
    )
    by_admin = subscriptions.create_rule(
        user_id=world.users["admin"].pk,
        target="event_kind",
        event_kind=Event.Kind.FESTIVAL,
        timezone="UTC",
    )
    by_team = subscriptions.create_rule(
        user_id=world.users["anchorage"].pk,
        target="event_kind",
        event_kind=Event.Kind.FESTIVAL,
        timezone="UTC",
    )

    def covered(rule):
        return set(events_for_rule(rule).values_list("pk", flat=True))

    ids = world.ids
    assert covered(by_contact) == {ids["ev_mag"], ids["ev_anc"]}
    assert covered(by_admin) == {ids["ev_mag"], ids["ev_anc"], ids["ev_tula"]}
    assert covered(by_team) == {ids["ev_mag"], ids["ev_anc"]}
