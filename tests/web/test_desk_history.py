"""The desk's history: under the event form (the latest changes) and on the history pages
(all of them, paginated), with translated labels, old → new values and the interface."""

import datetime as dt
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from common import audit
from events import services
from events.models import Event
from events.services import ParticipationInput
from events.web.views import desk_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def moved(world, coordinator):
    """The ceremony, moved an hour later and re-placed by the coordinator over the API."""
    event = world.ceremony
    with audit.acting(audit.Interface.API, coordinator):
        services.update_event(
            event=event,
            start=event.start + dt.timedelta(hours=1),
            end=event.end + dt.timedelta(hours=1) if event.end else None,
            location="Town square",
            status=Event.Status.TENTATIVE,
        )
    return Event.objects.get(pk=event.pk)


def _text(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).replace(" : ", ": ")


def test_event_form_shows_the_change_with_labels_old_new_who_and_interface(
    coordinator_client, moved
):
    zone = moved.zone
    before = (moved.start - dt.timedelta(hours=1)).astimezone(zone)
    after = moved.start.astimezone(zone)

    response = coordinator_client.get(reverse("web:desk_event_edit", args=[moved.pk]))

    text = _text(response)
    assert response.status_code == 200
    assert "coord · API Changed" in text
    assert re.search(rf"Start: [^→]*{before:%H:%M}[^→]*→ [^:]*{after:%H:%M}", text)
    assert "Location (English): ALSIB monuments → Town square" in text
    assert "Status: Confirmed → Tentative" in text
    assert "Sequence" not in text


def test_event_history_in_russian_uses_translated_labels_and_values(coordinator_client, moved):
    coordinator_client.cookies["django_language"] = "ru"

    response = coordinator_client.get(
        reverse("web:desk_event_history", args=[moved.pk]), HTTP_ACCEPT_LANGUAGE="ru"
    )

    text = _text(response)
    assert response.status_code == 200
    assert "Место (английский): ALSIB monuments → Town square" in text
    assert "Статус: Подтверждено → Предварительно" in text
    assert "Изменено" in text


def test_event_history_names_cities_added_changed_and_removed(coordinator_client, world):
    event = world.ceremony  # Egvekinot hosts, Fairbanks co-hosts
    services.update_event(
        event=event,
        participations=[
            ParticipationInput(city_id=world.egvekinot.pk, role="host", venue="Harbour"),
            ParticipationInput(city_id=world.tula.pk, venue="Kremlin"),
        ],
    )

    text = _text(coordinator_client.get(reverse("web:desk_event_history", args=[event.pk])))

    assert "City changed: Egvekinot Venue (English): — → Harbour" in text
    assert "City removed: Fairbanks" in text
    assert "City added: Tula Role: Participant Venue (English): Kremlin" in text
    assert text.count("City added: Egvekinot") == 1  # at creation only: its row was kept


def test_desk_edit_is_recorded_and_shown_as_desk(coordinator_client, coordinator, world):
    event = world.tentative
    coordinator_client.post(
        reverse("web:desk_confirm", args=[event.pk]), {"version": event.updated_at.isoformat()}
    )

    text = _text(coordinator_client.get(reverse("web:desk_event_history", args=[event.pk])))

    assert "coord · Desk Changed" in text
    assert event.history.latest().interface == "desk"


def test_event_form_shows_the_latest_ten_and_links_to_the_paginated_history(
    coordinator_client, world, monkeypatch
):
    event = world.ceremony
    for n in range(12):
        services.update_event(event=event, location=f"Hall {n}")
    monkeypatch.setattr(desk_history, "PER_PAGE", 5)

    form = coordinator_client.get(reverse("web:desk_event_edit", args=[event.pk]))
    first = coordinator_client.get(reverse("web:desk_event_history", args=[event.pk]))
    last = coordinator_client.get(reverse("web:desk_event_history", args=[event.pk]), {"page": "3"})
    beyond = coordinator_client.get(
        reverse("web:desk_event_history", args=[event.pk]), {"page": "junk"}
    )

    assert form.content.decode().count('class="history-row"') == 10
    assert "Hall 10 → Hall 11" in _text(form)
    assert "Older changes and the full history" in _text(form)
    assert first.content.decode().count('class="history-row"') == 5
    assert "Page 1 of 3" in _text(first)
    assert "Hall 10 → Hall 11" in _text(first)
    # 15 entries: the event and its two cities created, 12 changes.
    assert last.content.decode().count('class="history-row"') == 5
    assert "Created" in _text(last)
    assert "Created" not in _text(first)
    assert (beyond.status_code, _text(beyond).count("Hall 10 → Hall 11")) == (200, 1)


def test_partnership_history_page_shows_status_changes(coordinator_client, world, coordinator):
    with audit.acting(audit.Interface.API, coordinator):
        services.change_partnership_status(
            partnership=world.pair, status="suspended", changed_on=dt.date(2025, 3, 1)
        )

    page = coordinator_client.get(reverse("web:desk_partnership_history", args=[world.pair.pk]))
    public = coordinator_client.get(reverse("web:partnership_detail", args=[world.pair.pk]))

    text = _text(page)
    assert page.status_code == 200
    assert "Status: Active → Suspended" in text
    assert "Status changed on: — → March 1, 2025" in text
    assert reverse("web:desk_partnership_history", args=[world.pair.pk]) in public.content.decode()


@pytest.mark.parametrize("name", ["web:desk_event_history", "web:desk_partnership_history"])
def test_history_pages_are_for_coordinators_only(client, django_user_model, world, name):
    pk = world.ceremony.pk if "event" in name else world.pair.pk
    url = reverse(name, args=[pk])

    anonymous = client.get(url)
    client.force_login(django_user_model.objects.create_user("reader"))
    reader = client.get(url)

    assert anonymous.status_code == 302
    assert reader.status_code == 403


def test_history_page_of_unknown_event_is_404(coordinator_client, world):
    assert (
        coordinator_client.get(reverse("web:desk_event_history", args=[99999])).status_code == 404
    )


def _count(client, url) -> int:
    client.get(url)  # the session and the occurrence index warmed up
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _event(world, title):
    return services.create_event(
        title_en=title,
        kind=Event.Kind.FORUM,
        timezone="Asia/Anadyr",
        start=dt.datetime(2030, 6, 1, 10, 0),
        partnership=world.pair,
        participations=[ParticipationInput(city_id=world.egvekinot.pk)],
    )


def test_history_pages_query_count_does_not_grow_with_the_history(coordinator_client, world):
    small, large = _event(world, "Small"), _event(world, "Large")
    for n in range(8):
        city = services.create_city(
            slug=f"extra-{n}",
            name_en=f"Extra {n}",
            name_native=f"Extra {n}",
            country="US",
            timezone="America/Chicago",
        )
        services.update_event(
            event=large,
            location=f"Hall {n}",
            participations=[
                *(
                    ParticipationInput(city_id=p.city_id, role=p.role)
                    for p in large.participations.all()
                ),
                ParticipationInput(city_id=city.pk, venue=f"Venue {n}"),
            ],
        )
    quiet, busy = (
        services.create_partnership(city_a_id=world.tula.pk, city_b_id=city)
        for city in (world.egvekinot.pk, world.fairbanks.pk)
    )
    services.change_partnership_status(partnership=quiet, status="dormant")
    for n in range(8):
        services.change_partnership_status(
            partnership=busy, status="dormant" if n % 2 else "active"
        )

    assert _count(coordinator_client, reverse("web:desk_event_history", args=[small.pk])) == (
        _count(coordinator_client, reverse("web:desk_event_history", args=[large.pk]))
    )
    # The form shows the latest ten: the large event's no longer name its partnership, one
    # query fewer; never more.
    assert _count(coordinator_client, reverse("web:desk_event_edit", args=[large.pk])) <= (
        _count(coordinator_client, reverse("web:desk_event_edit", args=[small.pk]))
    )
    assert _count(
        coordinator_client, reverse("web:desk_partnership_history", args=[quiet.pk])
    ) == _count(coordinator_client, reverse("web:desk_partnership_history", args=[busy.pk]))
