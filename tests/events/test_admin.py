"""The admin: pages render, saves go through the services, bad input is a form error."""

import datetime as dt

import pytest
from django.urls import reverse

from events import services
from events.models import Contact, Event, Participation, Partnership
from tests.factories import CityFactory, ContactFactory, EventFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def _inline_management(prefix: str, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _event_post(city, **overrides) -> dict[str, str]:
    data = {
        "title_en": "Wreath-laying",
        "title_ru": "Возложение венков",
        "slug": "",
        "kind": "commemoration",
        "status": "confirmed",
        "visibility": "public",
        "time_mode": "instant",
        "timezone": "America/New_York",
        "precision": "time",
        "local_start_0": "2024-06-01",
        "local_start_1": "10:00",
        "local_end_0": "",
        "local_end_1": "",
        "exdates": "[]",
        "rrule": "",
        **_inline_management("participations"),
        **_inline_management("changes"),
        "participations-TOTAL_FORMS": "1",
        "participations-0-city": str(city.pk),
        "participations-0-role": "host",
        "participations-0-venue": "Мемориал",
    }
    data.update(overrides)
    return data


def _forum() -> tuple:
    """A one-off forum in New York with one participating city, made through the services."""
    city = CityFactory()
    event = services.create_event(
        title_en="Forum",
        kind=Event.Kind.FORUM,
        timezone="America/New_York",
        start=dt.datetime(2024, 6, 1, 10, 0),
        participations=[services.ParticipationInput(city_id=city.pk)],
    )
    return city, event


def _existing_participation(event) -> dict[str, str]:
    """The change form's inline row for the event's one participation."""
    return {
        "participations-0-id": str(Participation.objects.get(event=event).pk),
        "participations-0-event": str(event.pk),
        "participations-INITIAL_FORMS": "1",
    }


@pytest.mark.parametrize(
    "model", [Event, Partnership, Contact, Participation.city.field.related_model]
)
def test_admin_changelist_and_add_pages_render(admin_client, model):
    name = model._meta.model_name
    EventFactory()
    PartnershipFactory()
    ContactFactory()

    changelist = admin_client.get(reverse(f"admin:events_{name}_changelist"))
    add = admin_client.get(reverse(f"admin:events_{name}_add"))

    assert (changelist.status_code, add.status_code) == (200, 200)


def test_admin_event_list_shows_local_start_with_zone_and_time_mode(admin_client):
    EventFactory(timezone="Asia/Anadyr", start=dt.datetime(2020, 5, 9, 0, 0, tzinfo=dt.UTC))

    response = admin_client.get(reverse("admin:events_event_changelist"))

    assert "2020-05-09 12:00 Asia/Anadyr" in response.content.decode()
    assert "One instant everywhere" in response.content.decode()


def test_admin_event_change_page_shows_local_time(admin_client):
    event = EventFactory(timezone="Asia/Anadyr", start=dt.datetime(2020, 5, 9, 0, 0, tzinfo=dt.UTC))

    response = admin_client.get(reverse("admin:events_event_change", args=[event.pk]))

    assert response.status_code == 200
    assert 'value="12:00:00"' in response.content.decode()


def test_admin_creates_event_through_services(admin_client):
    city = CityFactory()

    response = admin_client.post(reverse("admin:events_event_add"), _event_post(city))

    assert response.status_code == 302, response.context["adminform"].form.errors
    event = Event.objects.get()
    assert event.start == dt.datetime(2024, 6, 1, 14, 0, tzinfo=dt.UTC)
    assert event.slug == "wreath-laying"
    assert [(p.city_id, p.role, p.venue) for p in event.participations.all()] == [
        (city.pk, "host", "Мемориал")
    ]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"local_start_0": "2024-03-10", "local_start_1": "02:30"}, "local_start"),
        ({"local_start_0": "2024-11-03", "local_start_1": "01:30"}, "local_start"),
        ({"local_end_0": "2024-06-01", "local_end_1": "09:00"}, "local_end"),
        ({"timezone": "Europe/Нарния"}, "timezone"),
        ({"rrule": "FREQ=MINUTELY"}, "rrule"),
        ({"rrule": "FREQ=YEARLY;BYMONTH=13"}, "rrule"),
        ({"title_en": "", "title_ru": ""}, "title_en"),
        ({"title_en": "Wreath\nlaying"}, "title_en"),
        ({"timezone": "posix/America/New_York"}, "timezone"),
        ({"local_end_0": "2024-06-01", "local_end_1": "10:00"}, "local_end"),
    ],
)
def test_admin_bad_event_input_is_a_form_error(admin_client, overrides, field):
    city = CityFactory()

    response = admin_client.post(reverse("admin:events_event_add"), _event_post(city, **overrides))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors or "__all__" in errors, errors
    assert not Event.objects.exists()


def test_admin_change_event_dst_gap_is_a_form_error(admin_client):
    city, event = _forum()
    data = _event_post(
        city,
        title_en="Forum",
        slug=event.slug,
        local_start_0="2024-03-10",
        local_start_1="02:30",
        **_existing_participation(event),
    )

    response = admin_client.post(reverse("admin:events_event_change", args=[event.pk]), data)

    assert response.status_code == 200
    assert "local_start" in response.context["adminform"].form.errors
    event.refresh_from_db()
    assert event.start == dt.datetime(2024, 6, 1, 14, 0, tzinfo=dt.UTC)


def test_admin_change_event_bumps_sequence(admin_client):
    city, event = _forum()
    data = _event_post(
        city,
        title_en="Forum",
        slug=event.slug,
        local_start_1="11:00",
        **_existing_participation(event),
    )

    response = admin_client.post(reverse("admin:events_event_change", args=[event.pk]), data)

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.start == dt.datetime(2024, 6, 1, 15, 0, tzinfo=dt.UTC)
    assert event.sequence == 1


def test_admin_cancel_action_uses_service(admin_client):
    events = [EventFactory(), EventFactory(status=Event.Status.TENTATIVE)]

    response = admin_client.post(
        reverse("admin:events_event_changelist"),
        {"action": "cancel_events", "_selected_action": [e.pk for e in events]},
    )

    assert response.status_code == 302
    assert set(Event.objects.values_list("status", flat=True)) == {"cancelled"}
    assert all(e.cancelled_at and e.sequence == 1 for e in Event.objects.all())


@pytest.mark.parametrize("reverse_order", [False, True])
def test_admin_duplicate_partnership_is_a_form_error(admin_client, reverse_order):
    pair = PartnershipFactory()
    a, b = (pair.city_b, pair.city_a) if reverse_order else (pair.city_a, pair.city_b)
    data = {"city_a": a.pk, "city_b": b.pk, "established_precision": "day", "status": "active"}
    data.update(_inline_management("status_changes"))

    response = admin_client.post(reverse("admin:events_partnership_add"), data)

    assert response.status_code == 200
    assert "city_b" in response.context["adminform"].form.errors
    assert Partnership.objects.count() == 1


def test_admin_self_partnership_is_a_form_error(admin_client):
    city = CityFactory()
    data = {
        "city_a": city.pk,
        "city_b": city.pk,
        "established_precision": "day",
        "status": "active",
    }
    data.update(_inline_management("status_changes"))

    response = admin_client.post(reverse("admin:events_partnership_add"), data)

    assert "city_b" in response.context["adminform"].form.errors


def test_admin_partnership_in_any_order_and_status_change_is_recorded(admin_client):
    low, high = CityFactory(), CityFactory()
    data = {
        "city_a": high.pk,
        "city_b": low.pk,
        "established_precision": "year",
        "status": "active",
        "relationship": "sister_city",
    }
    data["established_on"] = "1991-01-01"
    data.update(_inline_management("status_changes"))

    created = admin_client.post(reverse("admin:events_partnership_add"), data)
    pair = Partnership.objects.get()
    data.update(status="suspended", status_changed_on="2022-03-01")
    changed = admin_client.post(reverse("admin:events_partnership_change", args=[pair.pk]), data)

    assert (created.status_code, changed.status_code) == (302, 302)
    pair.refresh_from_db()
    assert (pair.city_a_id, pair.city_b_id, pair.status) == (low.pk, high.pk, "suspended")
    assert list(pair.status_changes.values_list("status", "changed_on")) == [
        ("suspended", dt.date(2022, 3, 1))
    ]
    page = admin_client.get(reverse("admin:events_partnership_change", args=[pair.pk]))
    assert page.status_code == 200


def test_admin_city_bad_zone_and_country_are_form_errors(admin_client):
    data = {
        "slug": "narnia",
        "kind": "municipality",
        "country": "Narnia",
        "name_en": "Narnia",
        "name_native": "Нарния",
        "timezone": "Narnia/Cair_Paravel",
    }

    response = admin_client.post(reverse("admin:events_city_add"), data)

    errors = response.context["adminform"].form.errors
    assert {"country", "timezone"} <= set(errors)


def test_admin_contact_saves(admin_client):
    city = CityFactory()
    data = {
        "name": "Мэрия Тулы",
        "kind": "mayor_office",
        "city": city.pk,
        "email": "mayor@tula.example",
        "language": "ru",
        "timezone": "Europe/Moscow",
        "is_active": "on",
    }

    response = admin_client.post(reverse("admin:events_contact_add"), data)

    assert response.status_code == 302
    assert Contact.objects.get().city == city


def test_staff_coordinator_without_model_permissions_manages_events(client, coordinator):
    coordinator.is_staff = True
    coordinator.save()
    client.force_login(coordinator)
    city = CityFactory()

    page = client.get(reverse("admin:events_event_add"))
    response = client.post(reverse("admin:events_event_add"), _event_post(city))

    assert page.status_code == 200
    assert response.status_code == 302
    assert Event.objects.get().participations.count() == 1


def test_staff_user_outside_coordinators_cannot_edit_events(client, django_user_model):
    user = django_user_model.objects.create_user("staff", password="staff-pass-123", is_staff=True)
    client.force_login(user)

    response = client.get(reverse("admin:events_event_add"))

    assert response.status_code == 403


def test_admin_line_break_in_venue_or_city_name_is_a_form_error(admin_client):
    city = CityFactory()

    event = admin_client.post(
        reverse("admin:events_event_add"),
        _event_post(city, **{"participations-0-venue": "Hall\r\nRoom 2"}),
    )
    new_city = admin_client.post(
        reverse("admin:events_city_add"),
        {
            "slug": "tula",
            "kind": "municipality",
            "country": "RU",
            "name_en": "Tula\nRegion",
            "name_native": "Тула",
            "timezone": "Europe/Moscow",
        },
    )

    assert (event.status_code, new_city.status_code) == (200, 200)
    assert "name_en" in new_city.context["adminform"].form.errors
    assert not Event.objects.exists()


def test_admin_refuses_to_overwrite_a_change_made_since_the_form_was_opened(admin_client):
    """Two coordinators on one event in the admin: the later save used to win silently."""
    city, event = _forum()
    url = reverse("admin:events_event_change", args=[event.pk])
    opened = admin_client.get(url).context["adminform"].form.initial["loaded_version"]
    services.update_event(event=event, title_en="Forum, renamed by Anchorage")
    data = _event_post(
        city,
        title_en="Forum, renamed by Magadan",
        slug=event.slug,
        local_start_0="2024-06-01",
        local_start_1="10:00",
        loaded_version=opened,
        **_existing_participation(event),
    )

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "Someone changed this event" in str(
        response.context["adminform"].form.non_field_errors()
    )
    event.refresh_from_db()
    assert event.title_en == "Forum, renamed by Anchorage"
    data["loaded_version"] = (
        admin_client.get(url).context["adminform"].form.initial["loaded_version"]
    )
    assert admin_client.post(url, data).status_code == 302  # reopened: the save goes through
    event.refresh_from_db()
    assert event.title_en == "Forum, renamed by Magadan"


def test_admin_city_form_also_refuses_a_stale_save(admin_client):
    city = CityFactory(name_en="Tula")
    url = reverse("admin:events_city_change", args=[city.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    services.update_city(city=city, name_en="Tula (renamed)")

    response = admin_client.post(url, {**data, "name_en": "Tula, my edit"})

    assert response.status_code == 200
    assert "Someone changed this city" in str(response.context["adminform"].form.non_field_errors())
    city.refresh_from_db()
    assert city.name_en == "Tula (renamed)"


def test_admin_saves_russian_location_and_venue(admin_client):
    city = CityFactory()
    data = _event_post(
        city,
        location="Krutaya Hill",
        location_ru="сопка Крутая",
        **{"participations-0-venue": "Memorial", "participations-0-venue_ru": "Мемориал"},
    )

    response = admin_client.post(reverse("admin:events_event_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    event = Event.objects.get()
    assert (event.location, event.location_ru) == ("Krutaya Hill", "сопка Крутая")
    assert [(p.venue, p.venue_ru) for p in event.participations.all()] == [("Memorial", "Мемориал")]
