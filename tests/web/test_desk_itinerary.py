"""The desk's itinerary editor: legs and programme items added, changed and removed through
the services, their errors on the field they name (nothing stored), the team scope, and a
query-count guard."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events import services
from events.models import Event, ItineraryLeg, Participation, ProgrammeItem, TeamMembership

UTC = dt.UTC


@pytest.fixture
def visit(world):
    """Anchorage's delegation in Magadan, 9 to 12 May 2030 (Magadan's dates)."""
    magadan = services.create_city(
        slug="magadan", name_en="Magadan", name_native="Магадан", country="RU",
        timezone="Asia/Magadan",
    )  # fmt: skip
    anchorage = services.create_city(
        slug="anchorage", name_en="Anchorage", name_native="Anchorage", name_ru="Анкоридж",
        country="US", timezone="America/Anchorage",
    )  # fmt: skip
    event = services.create_event(
        title_en="Anchorage delegation visits Magadan",
        title_ru="Визит делегации Анкориджа в Магадан",
        kind=Event.Kind.DELEGATION_VISIT,
        status=Event.Status.CONFIRMED,
        timezone="Asia/Magadan",
        precision=Event.Precision.DAY,
        start_date=dt.date(2030, 5, 9),
        end_date=dt.date(2030, 5, 12),
        participations=[
            services.ParticipationInput(city_id=magadan.pk, role=Participation.Role.HOST),
            services.ParticipationInput(
                city_id=anchorage.pk, role=Participation.Role.GUEST_DELEGATION
            ),
        ],
    )
    return event, anchorage, magadan


def _url(name, *args):
    return reverse(f"web:desk_itinerary{name}", args=args)


def _leg_data(anchorage, magadan, **overrides):
    data = {
        "mode": "flight",
        "reference": "PC 123",
        "departure_city": str(anchorage.pk),
        "departure_place": "Ted Stevens Anchorage International Airport",
        "departs_at": "2030-05-08T22:00",
        "arrival_city": str(magadan.pk),
        "arrival_place": "Sokol Airport",
        "arrives_at": "2030-05-09T21:30",
    }
    data.update(overrides)
    return data


def _item_data(magadan, **overrides):
    data = {
        "kind": "ceremony",
        "title_en": "Wreath-laying at the ALSIB monument",
        "title_ru": "Возложение венков к памятнику АЛСИБ",
        "city": str(magadan.pk),
        "venue_en": "Monument to the Heroes of ALSIB",
        "venue_ru": "Памятник героям АЛСИБа",
        "starts_at": "2030-05-10T11:00",
        "ends_at": "2030-05-10T12:00",
    }
    data.update(overrides)
    return data


def _add_leg(event, anchorage, magadan, day=8):
    return services.add_leg(
        event=event,
        departure_city=anchorage.pk,
        departs_at=dt.datetime(2030, 5, day, 22, 0),
        arrival_city=magadan.pk,
        arrives_at=dt.datetime(2030, 5, day + 1, 21, 30),
    )


def _add_item(event, magadan, hour=11):
    return services.add_programme_item(
        event=event, title_en=f"Meeting at {hour}", starts_at=dt.datetime(2030, 5, 10, hour, 0)
    )


def _team_user(django_user_model, city, name="team"):
    user = django_user_model.objects.create_user(name, password="team-pass-123")
    TeamMembership.objects.create(user=user, city=city)
    return user


# Who may open it


def test_itinerary_anonymous_is_sent_to_log_in(client, visit):
    event, anchorage, magadan = visit
    leg = _add_leg(event, anchorage, magadan)
    item = _add_item(event, magadan)
    urls = [
        ("get", _url("", event.pk)),
        ("post", _url("_leg_add", event.pk)),
        ("post", _url("_leg", event.pk, leg.pk)),
        ("post", _url("_leg_delete", event.pk, leg.pk)),
        ("post", _url("_item_add", event.pk)),
        ("get", _url("_item", event.pk, item.pk)),
        ("post", _url("_item_delete", event.pk, item.pk)),
    ]
    for method, url in urls:
        response = getattr(client, method)(url)

        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("web:login"))
    assert ItineraryLeg.objects.count() == 1
    assert ProgrammeItem.objects.count() == 1


def test_itinerary_team_outside_the_event_gets_404(client, visit, world, django_user_model):
    event, anchorage, magadan = visit
    leg = _add_leg(event, anchorage, magadan)
    item = _add_item(event, magadan)
    client.force_login(_team_user(django_user_model, world.tula))

    assert client.get(_url("", event.pk)).status_code == 404
    assert client.post(_url("_leg_add", event.pk), _leg_data(anchorage, magadan)).status_code == 404
    assert client.get(_url("_leg", event.pk, leg.pk)).status_code == 404
    assert client.post(_url("_leg_delete", event.pk, leg.pk)).status_code == 404
    assert client.post(_url("_item_add", event.pk), _item_data(magadan)).status_code == 404
    assert client.post(_url("_item_delete", event.pk, item.pk)).status_code == 404
    assert list(ItineraryLeg.objects.values_list("pk", flat=True)) == [leg.pk]
    assert list(ProgrammeItem.objects.values_list("pk", flat=True)) == [item.pk]


def test_itinerary_guest_team_reads_but_may_not_write(client, visit, django_user_model):
    event, anchorage, magadan = visit
    leg = _add_leg(event, anchorage, magadan)
    client.force_login(_team_user(django_user_model, anchorage))

    page = client.get(_url("", event.pk))
    refused = client.post(_url("_leg_add", event.pk), _leg_data(anchorage, magadan, day=11))
    deleted = client.post(_url("_leg_delete", event.pk, leg.pk))

    assert page.status_code == 200
    assert b"data-add-leg" not in page.content
    assert b"data-read-only" in page.content
    assert refused.status_code == 403
    assert deleted.status_code == 403
    assert list(ItineraryLeg.objects.values_list("pk", flat=True)) == [leg.pk]


def test_itinerary_guest_team_may_not_edit_a_leg(client, visit, django_user_model):
    event, anchorage, magadan = visit
    leg = _add_leg(event, anchorage, magadan)
    client.force_login(_team_user(django_user_model, anchorage))
    url = _url("_leg", event.pk, leg.pk)

    page = client.get(url)
    refused = client.post(url, _leg_data(anchorage, magadan, reference="XX 1"))

    assert page.status_code == 200
    assert b"data-read-only" in page.content
    assert b'type="submit"' not in page.content.split(b"data-edit-leg")[1]
    assert refused.status_code == 403
    assert "hosts or co-hosts" in " ".join(refused.context["form"].non_field_errors())
    leg.refresh_from_db()
    assert (leg.reference, leg.sequence) == ("", 0)


def test_itinerary_host_team_adds_a_leg(client, visit, django_user_model):
    event, anchorage, magadan = visit
    client.force_login(_team_user(django_user_model, magadan))

    response = client.post(_url("_leg_add", event.pk), _leg_data(anchorage, magadan))

    assert response.status_code == 302
    assert ItineraryLeg.objects.filter(event=event).count() == 1


def test_itinerary_row_of_another_event_is_404(coordinator_client, visit, world):
    event, anchorage, magadan = visit
    leg = _add_leg(event, anchorage, magadan)
    other = world.tentative
    other.kind = Event.Kind.DELEGATION_VISIT

    assert coordinator_client.get(_url("_leg", other.pk, leg.pk)).status_code == 404
    assert coordinator_client.post(_url("_leg_delete", other.pk, leg.pk)).status_code == 404
    assert ItineraryLeg.objects.filter(pk=leg.pk).exists()


# The page


def test_itinerary_page_shows_both_ends_local_times_and_the_date_line(coordinator_client, visit):
    event, anchorage, magadan = visit
    _add_leg(event, anchorage, magadan)
    _add_item(event, magadan)

    response = coordinator_client.get(_url("", event.pk))
    text = response.content.decode()

    assert response.status_code == 200
    leg = text[text.index("data-leg=") : text.index('id="programme"')]
    assert "May 8, 2030, 22:00" in leg
    assert "AKDT, UTC−8" in leg
    assert "May 9, 2030, 21:30" in leg
    assert "UTC+11" in leg
    assert "arrives the next day" in leg
    assert "crosses the date line" in leg
    assert "Meeting at 11" in text
    # The city selects: this event's cities first, then the programme's others.
    assert '<optgroup label="Cities of this event">' in text
    assert '<optgroup label="Other cities">' in text
    assert "May 10, 2030, 11:00" in text
    # The guest delegation's clock beside the item: 11:00 in Magadan is 16:00 the day before.
    assert "Anchorage: May 9, 2030, 16:00 (AKDT, UTC−8)" in text


def test_itinerary_page_in_russian_names_cities_and_months_in_russian(coordinator_client, visit):
    event, anchorage, magadan = visit
    _add_leg(event, anchorage, magadan)
    coordinator_client.cookies["django_language"] = "ru"

    text = coordinator_client.get(_url("", event.pk)).content.decode()

    assert "Анкоридж → Магадан" in text
    assert "8 мая 2030" in text
    assert "9 мая 2030" in text


def test_itinerary_event_form_links_to_the_itinerary(coordinator_client, visit, world):
    event, _anchorage, _magadan = visit

    visit_form = coordinator_client.get(reverse("web:desk_event_edit", args=[event.pk]))
    ceremony_form = coordinator_client.get(reverse("web:desk_event_edit", args=[world.ceremony.pk]))

    assert _url("", event.pk).encode() in visit_form.content
    assert b"data-itinerary-link" not in ceremony_form.content


def test_itinerary_of_another_kind_of_event_refuses_to_add(coordinator_client, world):
    ceremony = world.ceremony
    data = _item_data(world.egvekinot, starts_at="2020-05-09T10:00", ends_at="")

    page = coordinator_client.get(_url("", ceremony.pk))
    response = coordinator_client.post(_url("_item_add", ceremony.pk), data)

    assert b"data-not-a-visit" in page.content
    assert response.status_code == 400
    assert (
        "Only a delegation visit has an itinerary."
        in response.context["item_form"].errors["__all__"]
    )
    assert ProgrammeItem.objects.count() == 0


def _page_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.context["legs"]), len(response.context["items"])


def test_itinerary_page_queries_do_not_grow_with_the_itinerary(coordinator_client, visit):
    event, anchorage, magadan = visit
    url = _url("", event.pk)

    def grow(upto):
        for n in range(ItineraryLeg.objects.count(), upto):
            there, back = (anchorage, magadan) if n % 2 == 0 else (magadan, anchorage)
            services.add_leg(
                event=event,
                departure_city=there.pk,
                departs_at=dt.datetime(2030, 5, 8 + n, 1, 0, tzinfo=UTC),
                arrival_city=back.pk,
                arrives_at=dt.datetime(2030, 5, 8 + n, 9, 0, tzinfo=UTC),
            )
            _add_item(event, magadan, hour=10 + n)

    grow(1)
    coordinator_client.get(url)  # the session and the user's groups: warm once
    small = _page_queries(coordinator_client, url)
    grow(4)
    large = _page_queries(coordinator_client, url)

    assert small[1:] == (1, 1)
    assert large[1:] == (4, 4)
    assert small[0] == large[0]


# Legs


def test_itinerary_adds_a_leg_in_each_ends_zone(coordinator_client, visit):
    event, anchorage, magadan = visit
    before = Event.objects.get(pk=event.pk).updated_at

    response = coordinator_client.post(_url("_leg_add", event.pk), _leg_data(anchorage, magadan))

    assert response.status_code == 302
    assert response["Location"] == _url("", event.pk) + "#legs"
    leg = ItineraryLeg.objects.get(event=event)
    # 22:00 in Anchorage (UTC-8) and 21:30 in Magadan (UTC+11).
    assert leg.departs_at == dt.datetime(2030, 5, 9, 6, 0, tzinfo=UTC)
    assert leg.arrives_at == dt.datetime(2030, 5, 9, 10, 30, tzinfo=UTC)
    assert (leg.departure_place, leg.arrival_place, leg.reference) == (
        "Ted Stevens Anchorage International Airport",
        "Sokol Airport",
        "PC 123",
    )
    assert Event.objects.get(pk=event.pk).updated_at > before
    page = coordinator_client.get(response["Location"])
    assert "Leg added: Anchorage → Magadan." in page.content.decode()


def test_itinerary_edits_a_leg(coordinator_client, visit):
    event, anchorage, magadan = visit
    leg = _add_leg(event, anchorage, magadan)
    url = _url("_leg", event.pk, leg.pk)

    form = coordinator_client.get(url)
    saved = coordinator_client.post(
        url, _leg_data(anchorage, magadan, arrives_at="2030-05-09T23:30", reference="")
    )

    assert form.status_code == 200
    assert form.context["form"]["departs_at"].value() == dt.datetime(2030, 5, 8, 22, 0)
    assert form.context["form"]["arrives_at"].value() == dt.datetime(2030, 5, 9, 21, 30)
    assert saved.status_code == 302
    leg.refresh_from_db()
    assert leg.arrives_at == dt.datetime(2030, 5, 9, 12, 30, tzinfo=UTC)
    assert leg.reference == ""
    assert leg.sequence == 1


def test_itinerary_saving_a_leg_unchanged_changes_nothing(coordinator_client, visit):
    event, anchorage, magadan = visit
    leg = _add_leg(event, anchorage, magadan)
    data = _leg_data(anchorage, magadan, departure_place="", arrival_place="", reference="")

    response = coordinator_client.post(_url("_leg", event.pk, leg.pk), data)

    assert response.status_code == 302
    leg.refresh_from_db()
    assert leg.sequence == 0


@pytest.fixture
def november_visit(visit):
    """A visit over the night Anchorage's clocks go back (01:00-02:00 on 3 November 2030
    happens twice)."""
    event, anchorage, magadan = visit
    event = services.update_event(
        event=event, start_date=dt.date(2030, 11, 2), end_date=dt.date(2030, 11, 4)
    )
    return event, anchorage, magadan


def test_itinerary_new_leg_in_a_dst_fold_is_refused_on_its_field(
    coordinator_client, november_visit
):
    event, anchorage, magadan = november_visit
    data = _leg_data(
        anchorage, magadan, departs_at="2030-11-03T01:30", arrives_at="2030-11-04T06:00"
    )

    response = coordinator_client.post(_url("_leg_add", event.pk), data)

    assert response.status_code == 400
    assert list(response.context["leg_form"].errors) == ["departs_at"]
    assert "happens twice" in response.context["leg_form"].errors["departs_at"][0]
    assert ItineraryLeg.objects.count() == 0
    text = response.content.decode()
    assert "01:30 (AKDT, UTC−8), before the clocks go back" in text
    assert "01:30 (AKST, UTC−9), after the clocks go back" in text


@pytest.mark.parametrize(("fold", "utc_hour"), [("0", 9), ("1", 10)])
def test_itinerary_leg_in_a_dst_fold_is_stored_as_the_one_chosen(
    coordinator_client, november_visit, fold, utc_hour
):
    event, anchorage, magadan = november_visit
    data = _leg_data(
        anchorage,
        magadan,
        departs_at="2030-11-03T01:30",
        arrives_at="2030-11-04T06:00",
        departs_at_fold=fold,
    )

    response = coordinator_client.post(_url("_leg_add", event.pk), data)

    assert response.status_code == 302
    leg = ItineraryLeg.objects.get(event=event)
    assert leg.departs_at == dt.datetime(2030, 11, 3, utc_hour, 30, tzinfo=UTC)


def test_itinerary_stored_leg_in_a_dst_fold_saves_unchanged(coordinator_client, november_visit):
    event, anchorage, magadan = november_visit
    # The second 01:30 in Anchorage that night (AKST, UTC-9).
    departs = dt.datetime(2030, 11, 3, 10, 30, tzinfo=UTC)
    leg = services.add_leg(
        event=event,
        departure_city=anchorage.pk,
        departs_at=departs,
        arrival_city=magadan.pk,
        arrives_at=departs + dt.timedelta(hours=9),
    )
    form = coordinator_client.get(_url("_leg", event.pk, leg.pk)).context["form"]
    data = {name: form[name].value() for name in form.fields if not name.endswith("_fold")}
    data["departs_at"] = f"{data['departs_at']:%Y-%m-%dT%H:%M}"
    data["arrives_at"] = f"{data['arrives_at']:%Y-%m-%dT%H:%M}"
    data["reference"] = "PC 77"

    response = coordinator_client.post(_url("_leg", event.pk, leg.pk), data)

    assert data["departs_at"] == "2030-11-03T01:30"
    assert response.status_code == 302
    leg.refresh_from_db()
    assert (leg.departs_at, leg.reference) == (departs, "PC 77")


def test_itinerary_edit_over_a_later_change_is_refused_then_overwrites(coordinator_client, visit):
    event, anchorage, magadan = visit
    leg = _add_leg(event, anchorage, magadan)
    url = _url("_leg", event.pk, leg.pk)
    version = coordinator_client.get(url).context["form"]["version"].value()
    services.update_leg(leg=leg, reference="SU 1")  # someone else, meanwhile
    data = _leg_data(anchorage, magadan, reference="PC 9", version=version)

    refused = coordinator_client.post(url, data)
    again = coordinator_client.post(
        url, {**data, "version": refused.context["form"]["version"].value()}
    )

    assert refused.status_code == 409
    assert b"data-conflict" in refused.content
    assert refused.context["form"]["reference"].value() == "PC 9"
    assert again.status_code == 302
    leg.refresh_from_db()
    assert (leg.reference, leg.sequence) == ("PC 9", 2)


def test_itinerary_deletes_a_leg(coordinator_client, visit):
    event, anchorage, magadan = visit
    leg = _add_leg(event, anchorage, magadan)

    response = coordinator_client.post(_url("_leg_delete", event.pk, leg.pk))

    assert response.status_code == 302
    assert not ItineraryLeg.objects.filter(pk=leg.pk).exists()


def test_itinerary_delete_asks_first(coordinator_client, visit):
    event, anchorage, magadan = visit
    leg = _add_leg(event, anchorage, magadan)

    response = coordinator_client.get(_url("_leg_delete", event.pk, leg.pk))

    assert response.status_code == 200
    assert b"data-confirm-delete" in response.content
    assert "Delete the leg Anchorage → Magadan?" in response.content.decode()
    assert ItineraryLeg.objects.filter(pk=leg.pk).exists()


LEG_ERRORS = [
    # Lands at 23:00 on 8 May in Magadan: 12:00 UTC, six hours before it left.
    ({"arrives_at": "2030-05-08T23:00"}, "arrives_at", "is not after the departure"),
    # 02:30 on 10 March 2030 does not exist in Anchorage (clocks jump from 02:00 to 03:00).
    ({"departs_at": "2030-03-10T02:30"}, "departs_at", "does not exist in America/Anchorage"),
    ({"departs_at": "2030-06-01T10:00", "arrives_at": "2030-06-02T12:00"}, "departs_at",
     "outside the event's dates"),
    ({"departure_city": "999999"}, "departure_city", "999999"),
    ({"arrival_city": ""}, "arrival_city", ""),
    ({"departs_at": "tomorrow"}, "departs_at", ""),
    ({"mode": "balloon"}, "mode", ""),
    ({"arrives_at": "2030-05-20T10:00"}, "arrives_at", ""),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "field", "text"), LEG_ERRORS)
def test_itinerary_leg_error_is_on_its_field_and_nothing_is_stored(
    coordinator_client, visit, overrides, field, text
):
    event, anchorage, magadan = visit
    before = Event.objects.get(pk=event.pk).updated_at

    response = coordinator_client.post(
        _url("_leg_add", event.pk), _leg_data(anchorage, magadan, **overrides)
    )

    assert response.status_code == 400
    errors = response.context["leg_form"].errors
    assert list(errors) == [field]
    assert text in " ".join(errors[field])
    assert f'{field}-error"'.encode() in response.content
    assert ItineraryLeg.objects.count() == 0
    assert Event.objects.get(pk=event.pk).updated_at == before


def test_itinerary_overlapping_leg_is_refused_on_the_departure(coordinator_client, visit):
    event, anchorage, magadan = visit
    _add_leg(event, anchorage, magadan)
    data = _leg_data(
        magadan, anchorage, departs_at="2030-05-09T20:00", arrives_at="2030-05-09T10:00"
    )

    response = coordinator_client.post(_url("_leg_add", event.pk), data)

    assert response.status_code == 400
    assert list(response.context["leg_form"].errors) == ["departs_at"]
    assert "overlaps" in response.context["leg_form"].errors["departs_at"][0]
    assert ItineraryLeg.objects.count() == 1


def test_itinerary_edit_error_keeps_the_stored_leg(coordinator_client, visit):
    event, anchorage, magadan = visit
    leg = _add_leg(event, anchorage, magadan)

    response = coordinator_client.post(
        _url("_leg", event.pk, leg.pk), _leg_data(anchorage, magadan, arrives_at="2030-05-08T23:00")
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["arrives_at"]
    assert response.context["form"]["arrives_at"].value() == "2030-05-08T23:00"
    stored = ItineraryLeg.objects.get(pk=leg.pk)
    assert (stored.arrives_at, stored.sequence) == (leg.arrives_at, 0)


# Programme items


def test_itinerary_adds_an_item_in_its_citys_zone(coordinator_client, visit):
    event, _anchorage, magadan = visit

    response = coordinator_client.post(_url("_item_add", event.pk), _item_data(magadan))

    assert response.status_code == 302
    assert response["Location"] == _url("", event.pk) + "#programme"
    item = ProgrammeItem.objects.get(event=event)
    assert item.starts_at == dt.datetime(2030, 5, 10, 0, 0, tzinfo=UTC)
    assert item.ends_at == dt.datetime(2030, 5, 10, 1, 0, tzinfo=UTC)
    assert (item.city, item.venue_ru) == (magadan, "Памятник героям АЛСИБа")


def test_itinerary_item_form_starts_at_the_host_city(coordinator_client, visit):
    event, _anchorage, magadan = visit

    response = coordinator_client.get(_url("", event.pk))

    assert response.context["item_form"]["city"].value() == magadan.pk


def test_itinerary_edits_an_item_and_clears_its_end(coordinator_client, visit):
    event, anchorage, magadan = visit
    item = _add_item(event, magadan)
    url = _url("_item", event.pk, item.pk)

    form = coordinator_client.get(url)
    saved = coordinator_client.post(
        url, _item_data(anchorage, starts_at="2030-05-11T09:00", ends_at="", title_ru="")
    )

    assert form.context["form"]["starts_at"].value() == dt.datetime(2030, 5, 10, 11, 0)
    assert saved.status_code == 302
    item.refresh_from_db()
    assert item.city == anchorage
    # 09:00 in Anchorage on 11 May (UTC-8).
    assert item.starts_at == dt.datetime(2030, 5, 11, 17, 0, tzinfo=UTC)
    assert item.ends_at is None
    assert item.sequence == 1


def test_itinerary_item_edit_error_is_on_its_field(coordinator_client, visit):
    event, _anchorage, magadan = visit
    item = _add_item(event, magadan)

    response = coordinator_client.post(
        _url("_item", event.pk, item.pk), _item_data(magadan, ends_at="2030-05-10T09:00")
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["ends_at"]
    assert b'id="id_ends_at-error"' in response.content
    stored = ProgrammeItem.objects.get(pk=item.pk)
    assert (stored.title_en, stored.ends_at, stored.sequence) == ("Meeting at 11", None, 0)


def test_itinerary_deletes_an_item(coordinator_client, visit):
    event, _anchorage, magadan = visit
    item = _add_item(event, magadan)

    response = coordinator_client.post(_url("_item_delete", event.pk, item.pk))

    assert response.status_code == 302
    assert not ProgrammeItem.objects.filter(pk=item.pk).exists()


ITEM_ERRORS = [
    ({"title_en": "", "title_ru": ""}, "title_en", "Give a title"),
    ({"ends_at": "2030-05-10T10:00"}, "ends_at", "not after the start"),
    ({"starts_at": "2030-07-01T10:00", "ends_at": ""}, "starts_at", "outside the event's dates"),
    ({"city": "999999"}, "city", "999999"),
    ({"title_en": "Line\nbreak"}, "title_en", "line break"),
]


@pytest.mark.parametrize(("overrides", "field", "text"), ITEM_ERRORS)
def test_itinerary_item_error_is_on_its_field_and_nothing_is_stored(
    coordinator_client, visit, overrides, field, text
):
    event, _anchorage, magadan = visit

    response = coordinator_client.post(
        _url("_item_add", event.pk), _item_data(magadan, **overrides)
    )

    assert response.status_code == 400
    errors = response.context["item_form"].errors
    assert list(errors) == [field]
    assert text in " ".join(errors[field])
    assert ProgrammeItem.objects.count() == 0


def test_itinerary_item_in_a_dst_gap_is_refused_on_its_start(coordinator_client, visit):
    event, anchorage, _magadan = visit
    # Anchorage's clocks spring forward from 02:00 to 03:00 on 10 March 2030.
    data = _item_data(anchorage, starts_at="2030-03-10T02:30", ends_at="")

    response = coordinator_client.post(_url("_item_add", event.pk), data)

    assert response.status_code == 400
    assert list(response.context["item_form"].errors) == ["starts_at"]
    assert "does not exist" in response.context["item_form"].errors["starts_at"][0]
    assert ProgrammeItem.objects.count() == 0
