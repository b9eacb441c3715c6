"""The desk's full event form: create and edit through the services, the recurrence builder,
lost updates, the occurrence editor and the planner beside it."""

import datetime as dt
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events import services
from events.models import Event, OccurrenceChange
from events.services import ParticipationInput

NEW = reverse("web:desk_event_new")


@pytest.fixture
def far_east(world):
    magadan = services.create_city(
        slug="magadan", name_en="Magadan", name_native="Магадан", country="RU",
        timezone="Asia/Magadan",
    )  # fmt: skip
    anchorage = services.create_city(
        slug="anchorage", name_en="Anchorage", name_native="Anchorage", country="US",
        timezone="America/Anchorage",
    )  # fmt: skip
    return magadan, anchorage


def _data(cities=(), **overrides):
    data = {
        "version": "",
        "title_en": "Victory Day",
        "title_ru": "День Победы",
        "description_en": "",
        "description_ru": "",
        "kind": "commemoration",
        "status": "tentative",
        "visibility": "public",
        "time_mode": "instant",
        "precision": "time",
        "timezone": "Asia/Magadan",
        "start": "2027-05-09T10:00",
        "end": "2027-05-09T11:00",
        "start_date": "",
        "end_date": "",
        "approx_month": "",
        "approx_year": "",
        "location": "",
        "online_url": "",
        "partnership": "",
        "repeat": "none",
        "rec_month": "",
        "rec_monthday": "",
        "rec_nth": "",
        "rec_weekday": "",
        "rec_end": "never",
        "rec_count": "",
        "rec_until": "",
        "rrule": "",
        "cities-TOTAL_FORMS": str(max(len(cities), 1)),
        "cities-INITIAL_FORMS": "0",
        "cities-MIN_NUM_FORMS": "0",
        "cities-MAX_NUM_FORMS": "12",
    }
    if not cities:
        data.update({"cities-0-city": "", "cities-0-role": "host", "cities-0-venue": ""})
    for n, (city, role, venue) in enumerate(cities):
        data.update(
            {f"cities-{n}-city": str(city.pk), f"cities-{n}-role": role, f"cities-{n}-venue": venue}
        )
    data.update(overrides)
    return data


def _two(far_east):
    magadan, anchorage = far_east
    return [(magadan, "host", "Magadan memorial"), (anchorage, "participant", "Delaney Park")]


def _created(title="Victory Day"):
    return Event.objects.get(title_en=title)


def _field_errors(response, name):
    form = response.context["form"]
    return form.errors.get(name, [])


# Permissions


@pytest.mark.parametrize("method", ["get", "post"])
def test_event_form_anonymous_is_sent_to_log_in(client, world, method):
    for url in (
        NEW,
        reverse("web:desk_event_edit", args=[world.ceremony.pk]),
        reverse("web:desk_occurrence", args=[world.victory_day.pk]),
    ):
        response = getattr(client, method)(url)

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:login"))


def test_event_form_non_coordinator_is_403(client, world, django_user_model):
    client.force_login(django_user_model.objects.create_user("visitor", password="x-pass-123"))

    assert client.get(NEW).status_code == 403
    assert client.post(NEW, _data()).status_code == 403
    edit = reverse("web:desk_event_edit", args=[world.ceremony.pk])
    assert client.post(edit, _data(title_en="Hacked")).status_code == 403
    world.ceremony.refresh_from_db()
    assert world.ceremony.title_en == "ALSIB wreath-laying"


def test_event_form_unknown_event_is_404(coordinator_client, world):
    assert coordinator_client.get(reverse("web:desk_event_edit", args=[999999])).status_code == 404


# Recurrence builder


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        ({"repeat": "yearly_date"}, "FREQ=YEARLY"),
        (
            {"repeat": "yearly_date", "rec_month": "5", "rec_monthday": "9", "rec_end": "count",
             "rec_count": "10"},
            "FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=9;COUNT=10",
        ),
        (
            {"repeat": "yearly_weekday", "rec_month": "5", "rec_nth": "2", "rec_weekday": "SU"},
            "FREQ=YEARLY;BYMONTH=5;BYDAY=2SU",
        ),
        (
            {"repeat": "weekly", "rec_weekdays": ["SU", "WE"], "rec_end": "until",
             "rec_until": "2027-07-01"},
            "FREQ=WEEKLY;BYDAY=WE,SU;UNTIL=20270701T235959",
        ),
        ({"repeat": "raw", "rrule": "FREQ=YEARLY;INTERVAL=2"}, "FREQ=YEARLY;INTERVAL=2"),
    ],
)  # fmt: skip
def test_event_form_builder_stores_the_rule(coordinator_client, far_east, overrides, rule):
    response = coordinator_client.post(NEW, _data(_two(far_east), **overrides))

    event = _created()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:desk_event_edit", args=[event.pk])
    assert event.rrule == rule


def test_event_form_creates_second_sunday_of_may_in_same_local_time(coordinator_client, far_east):
    magadan, anchorage = far_east
    coordinator_client.post(
        NEW,
        _data(
            _two(far_east),
            time_mode="local",
            repeat="yearly_weekday",
            rec_month="5",
            rec_nth="2",
            rec_weekday="SU",
        ),
    )

    event = _created()
    assert event.time_mode == Event.TimeMode.LOCAL
    assert event.timezone == "Asia/Magadan"
    assert event.local_start == dt.datetime(2027, 5, 9, 10, tzinfo=event.zone)
    assert {(p.city_id, p.role, p.venue) for p in event.participations.all()} == {
        (magadan.pk, "host", "Magadan memorial"),
        (anchorage.pk, "participant", "Delaney Park"),
    }


def _edit_html(client, event):
    response = client.get(reverse("web:desk_event_edit", args=[event.pk]))
    assert response.status_code == 200
    return response, response.content.decode()


def test_event_form_edit_shows_the_rule_in_the_builder(coordinator_client, far_east):
    coordinator_client.post(
        NEW,
        _data(_two(far_east), repeat="yearly_weekday", rec_month="5", rec_nth="2",
              rec_weekday="SU", rec_end="count", rec_count="4"),
    )  # fmt: skip

    response, _html = _edit_html(coordinator_client, _created())

    form = response.context["form"]
    assert form["repeat"].value() == "yearly_weekday"
    assert (form["rec_month"].value(), form["rec_nth"].value()) == (5, 2)
    assert (form["rec_weekday"].value(), form["rec_end"].value()) == ("SU", "count")
    assert form["rec_count"].value() == 4


@pytest.mark.parametrize(
    ("rule", "start", "expected"),
    [
        ("FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=9;COUNT=3", dt.datetime(2027, 5, 9, 10),
         {"repeat": "yearly_date", "rec_month": 5, "rec_monthday": 9, "rec_end": "count"}),
        ("FREQ=YEARLY", dt.datetime(2027, 5, 9, 10),
         {"repeat": "yearly_date", "rec_month": None, "rec_end": "never"}),
        ("FREQ=WEEKLY;BYDAY=SU,WE;UNTIL=20270801T235959", dt.datetime(2027, 5, 9, 10),
         {"repeat": "weekly", "rec_weekdays": ["SU", "WE"], "rec_end": "until",
          "rec_until": dt.date(2027, 8, 1)}),
    ],
)  # fmt: skip
def test_event_form_edit_reads_each_builder_case_back(
    coordinator_client, far_east, rule, start, expected
):
    event = services.create_event(
        title_en="Read back", kind="commemoration", timezone="Asia/Magadan", start=start,
        rrule=rule,
    )  # fmt: skip

    response, _html = _edit_html(coordinator_client, event)

    form = response.context["form"]
    assert {name: form[name].value() for name in expected} == expected


def test_event_form_edit_keeps_a_rule_the_builder_cannot_show_as_raw(coordinator_client, world):
    event = world.victory_day
    services.update_event(event=event, rrule="FREQ=YEARLY;INTERVAL=2")
    event.refresh_from_db()
    response, html = _edit_html(coordinator_client, event)
    form = response.context["form"]
    assert form["repeat"].value() == "raw"
    assert form["rrule"].value() == "FREQ=YEARLY;INTERVAL=2"

    data = _form_values(html)
    data["title_en"] = "Victory Day, every other year"
    response = coordinator_client.post(reverse("web:desk_event_edit", args=[event.pk]), data)

    sequence = event.sequence
    event.refresh_from_db()
    assert response.status_code == 302
    assert event.title_en == "Victory Day, every other year"
    assert event.rrule == "FREQ=YEARLY;INTERVAL=2"
    assert event.sequence == sequence  # a new title is not a schedule change


def test_event_form_rule_that_misses_the_start_is_refused_on_the_builder(
    coordinator_client, far_east
):
    response = coordinator_client.post(
        NEW,
        _data(_two(far_east), start="2027-05-10T10:00", end="2027-05-10T11:00",
              repeat="yearly_weekday", rec_month="5", rec_nth="2", rec_weekday="SU"),
    )  # fmt: skip

    assert response.status_code == 400
    assert "is not a date the recurrence rule gives" in " ".join(_field_errors(response, "repeat"))
    assert not Event.objects.filter(title_en="Victory Day").exists()


def test_event_form_bad_raw_rule_is_400_on_the_rrule_field(coordinator_client, far_east):
    response = coordinator_client.post(
        NEW, _data(_two(far_east), repeat="raw", rrule="FREQ=HOURLY")
    )

    assert response.status_code == 400
    assert "FREQ=HOURLY is refused" in " ".join(_field_errors(response, "rrule"))


def test_event_form_yearly_weekday_needs_its_parts(coordinator_client, far_east):
    response = coordinator_client.post(NEW, _data(_two(far_east), repeat="yearly_weekday"))

    assert response.status_code == 400
    assert _field_errors(response, "rec_nth") == ["Needed for a yearly weekday rule."]


# Time modes and precisions


@pytest.mark.parametrize("mode", ["instant", "local"])
def test_event_form_stores_the_time_mode(coordinator_client, far_east, mode):
    coordinator_client.post(NEW, _data(_two(far_east), time_mode=mode))

    assert _created().time_mode == mode


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"precision": "day", "start_date": "2027-05-09", "end_date": "2027-05-10"},
         {"start_date": dt.date(2027, 5, 9), "end_date": dt.date(2027, 5, 10), "start": None}),
        ({"precision": "month", "approx_year": "2027", "approx_month": "5"},
         {"approx_year": 2027, "approx_month": 5, "start": None}),
        ({"precision": "year", "approx_year": "2027", "approx_month": "5"},
         {"approx_year": 2027, "approx_month": None}),
        ({"precision": "unknown"}, {"start": None, "approx_year": None}),
    ],
)  # fmt: skip
def test_event_form_stores_each_precision(coordinator_client, far_east, overrides, expected):
    response = coordinator_client.post(NEW, _data(_two(far_east), **overrides))

    event = _created()
    assert response.status_code == 302
    assert event.precision == overrides["precision"]
    assert {name: getattr(event, name) for name in expected} == expected


def test_event_form_month_precision_without_a_month_is_400(coordinator_client, far_east):
    response = coordinator_client.post(
        NEW, _data(_two(far_east), precision="month", approx_year="2027")
    )

    assert response.status_code == 400
    assert _field_errors(response, "approx_month") == ["Give the month (1-12)."]


def test_event_form_dst_gap_is_400_on_the_start(coordinator_client, far_east):
    _magadan, anchorage = far_east
    response = coordinator_client.post(
        NEW,
        _data(
            [(anchorage, "host", "")],
            timezone="America/Anchorage",
            start="2027-03-14T02:30",
            end="2027-03-14T04:00",
        ),
    )

    assert response.status_code == 400
    assert _field_errors(response, "start")
    assert "2027-03-14T02:30" in response.content.decode()  # the input stays on screen
    assert not Event.objects.filter(title_en="Victory Day").exists()


def test_event_form_zone_must_be_a_participating_citys(coordinator_client, far_east):
    magadan, _anchorage = far_east
    response = coordinator_client.post(
        NEW, _data([(magadan, "host", "")], timezone="Europe/Moscow")
    )

    assert response.status_code == 400
    assert _field_errors(response, "timezone") == [
        "Choose the time zone of one of the participating cities."
    ]


def test_event_form_zone_choices_name_the_cities(coordinator_client, far_east):
    html = coordinator_client.get(NEW).content.decode()

    assert "Anchorage, Fairbanks — America/Anchorage" in html
    assert 'type="datetime-local"' in html


def test_event_form_same_city_twice_is_400(coordinator_client, far_east):
    magadan, _anchorage = far_east
    response = coordinator_client.post(
        NEW, _data([(magadan, "host", ""), (magadan, "participant", "")])
    )

    assert response.status_code == 400
    assert "only once" in response.content.decode()


# The date line and the planner beside the form


def test_event_form_beside_shows_the_previous_day_in_anchorage(coordinator_client, far_east):
    coordinator_client.post(NEW, _data(_two(far_east)))

    _response, html = _edit_html(coordinator_client, _created())

    beside = html[html.index("data-beside") :]
    anchorage = beside[beside.index('data-city="anchorage"') :]
    assert "15:00" in anchorage[:400]
    assert "previous day" in anchorage[:400]
    link = unescape(re.search(r'href="([^"]+)" data-planner-link', html).group(1))
    assert link.startswith(reverse("web:desk_planner") + "?")
    assert "cities=magadan&cities=anchorage&ref=magadan&date=2027-05-09&time=10%3A00" in link


def test_event_form_beside_rolls_a_same_local_time_event(coordinator_client, far_east):
    coordinator_client.post(NEW, _data(_two(far_east), time_mode="local"))

    _response, html = _edit_html(coordinator_client, _created())

    beside = html[html.index("data-beside") :]
    anchorage = beside[beside.index('data-city="anchorage"') :]
    assert "10:00" in anchorage[:300]


# Lost updates


def _form_values(html):
    """The edit form's current values, as a browser would submit them."""
    start = html.index('class="stacked event-form"')
    form = html[start : html.index("</form>", start)]
    data = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="submit"' in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        if ('type="radio"' in tag or 'type="checkbox"' in tag) and "checked" not in tag:
            continue
        data.setdefault(name.group(1), []).append(unescape(value.group(1)) if value else "")
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[name] = [unescape(body.strip())]
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        picked = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = [unescape(picked.group(1)) if picked else ""]
    return {k: v if len(v) > 1 else v[0] for k, v in data.items()}


@pytest.mark.parametrize(
    "name",
    ["victory_day", "cancelled", "tentative", "internal", "month_only", "year_only", "unknown"],
)
def test_event_form_every_kind_of_event_round_trips_unchanged(coordinator_client, world, name):
    event = getattr(world, name)
    _response, html = _edit_html(coordinator_client, event)

    response = coordinator_client.post(
        reverse("web:desk_event_edit", args=[event.pk]), _form_values(html)
    )

    before = (event.sequence, event.rrule, event.precision, event.timezone, event.status)
    event.refresh_from_db()
    assert response.status_code == 302, response.context["form"].errors
    assert (event.sequence, event.rrule, event.precision, event.timezone, event.status) == before


def test_event_form_edit_round_trips_without_changing_anything(coordinator_client, world):
    event = world.ceremony
    _response, html = _edit_html(coordinator_client, event)

    response = coordinator_client.post(
        reverse("web:desk_event_edit", args=[event.pk]), _form_values(html)
    )

    before = event.sequence
    event.refresh_from_db()
    assert response.status_code == 302
    assert event.sequence == before
    assert event.location == "ALSIB monuments"
    assert event.participations.count() == 2


def test_event_form_stale_version_is_a_conflict_and_saves_nothing(
    coordinator_client, coordinator, world
):
    event = world.ceremony
    _response, html = _edit_html(coordinator_client, event)
    data = _form_values(html)
    moved = event.start + dt.timedelta(hours=2)
    services.update_event(
        event=event, start=moved, end=event.end + dt.timedelta(hours=2), actor=coordinator
    )
    data["title_en"] = "My new title"

    response = coordinator_client.post(reverse("web:desk_event_edit", args=[event.pk]), data)

    event.refresh_from_db()
    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed" in page
    assert 'value="My new title"' in page
    assert event.title_en == "ALSIB wreath-laying"
    assert event.start == moved
    # The form now holds the current version: saving again is a deliberate overwrite.
    again = coordinator_client.post(
        reverse("web:desk_event_edit", args=[event.pk]), _form_values(page)
    )
    event.refresh_from_db()
    assert again.status_code == 302
    assert event.title_en == "My new title"


def test_event_form_edit_with_current_version_saves(coordinator_client, world):
    event = world.ceremony
    _response, html = _edit_html(coordinator_client, event)
    data = _form_values(html)
    data.update({"start": "2020-05-09T14:00", "end": "2020-05-09T15:00"})

    response = coordinator_client.post(reverse("web:desk_event_edit", args=[event.pk]), data)

    event.refresh_from_db()
    assert response.status_code == 302
    assert event.local_start == dt.datetime(2020, 5, 9, 14, tzinfo=event.zone)
    assert event.sequence == 1


# The occurrence editor


@pytest.fixture
def yearly(far_east):
    magadan, anchorage = far_east
    return services.create_event(
        title_en="Second Sunday of May",
        kind=Event.Kind.COMMEMORATION,
        time_mode=Event.TimeMode.LOCAL,
        timezone="Asia/Magadan",
        start=dt.datetime(2027, 5, 9, 10, 0),
        end=dt.datetime(2027, 5, 9, 11, 0),
        rrule="FREQ=YEARLY;BYMONTH=5;BYDAY=2SU",
        participations=[
            ParticipationInput(city_id=magadan.pk, role="host"),
            ParticipationInput(city_id=anchorage.pk, role="participant"),
        ],
    )


def _original(html, year):
    return unescape(re.search(rf'data-original="({year}-[^"]+)"', html).group(1))


def test_occurrence_editor_lists_the_next_dates(coordinator_client, index_mode, yearly):
    _response, html = _edit_html(coordinator_client, yearly)

    section = html[html.index('id="occurrences"') :]
    assert section.count('class="occurrence-row') >= 3
    assert 'value="2028-05-14T10:00"' in section  # 2nd Sunday of May 2028, Magadan time


def test_occurrence_editor_moves_one_date(coordinator_client, index_mode, yearly):
    _response, html = _edit_html(coordinator_client, yearly)
    original = _original(html, 2028)

    response = coordinator_client.post(
        reverse("web:desk_occurrence", args=[yearly.pk]),
        {"original": original, "action": "move", "start": "2028-05-15T12:00",
         "end": "2028-05-15T13:00"},
    )  # fmt: skip

    change = OccurrenceChange.objects.get(event=yearly)
    assert response.status_code == 302
    assert change.start == dt.datetime(2028, 5, 15, 12, tzinfo=yearly.zone)
    assert not change.cancelled
    _response, html = _edit_html(coordinator_client, yearly)
    assert "moved from" in html


def test_occurrence_editor_cancels_and_restores_one_year(coordinator_client, index_mode, yearly):
    _response, html = _edit_html(coordinator_client, yearly)
    original = _original(html, 2029)
    url = reverse("web:desk_occurrence", args=[yearly.pk])

    coordinator_client.post(url, {"original": original, "action": "cancel"})

    assert OccurrenceChange.objects.get(event=yearly).cancelled
    _response, html = _edit_html(coordinator_client, yearly)
    row = html[html.index(f'data-original="{original}"') :]
    assert "Cancelled" in row[:800]
    coordinator_client.post(url, {"original": original, "action": "restore"})
    assert not OccurrenceChange.objects.get(event=yearly).cancelled


def test_occurrence_editor_dst_gap_or_unknown_date_is_400(coordinator_client, far_east, yearly):
    url = reverse("web:desk_occurrence", args=[yearly.pk])

    unknown = coordinator_client.post(
        url, {"original": "2028-05-16T00:00:00+00:00", "action": "cancel"}
    )
    garbage = coordinator_client.post(url, {"original": "nope", "action": "cancel"})
    no_start = coordinator_client.post(
        url, {"original": "2028-05-14T00:00:00+00:00", "action": "move"}
    )

    assert unknown.status_code == 400
    assert "has no occurrence starting at that time" in unknown.content.decode()
    assert garbage.status_code == 400
    assert "Unknown occurrence." in garbage.content.decode()
    assert no_start.status_code == 400
    assert not OccurrenceChange.objects.exists()


# Query counts


def test_event_form_edit_page_query_count_is_bounded(
    coordinator_client, index_mode, far_east, yearly
):
    url = reverse("web:desk_event_edit", args=[yearly.pk])
    coordinator_client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert coordinator_client.get(url).status_code == 200
    for n in range(4):
        city = services.create_city(
            slug=f"extra-{n}",
            name_en=f"Extra {n}",
            name_native=f"Extra {n}",
            country="US",
            timezone="America/Chicago",
        )
        services.update_event(
            event=yearly,
            participations=[
                *(
                    ParticipationInput(city_id=p.city_id, role=p.role)
                    for p in yearly.participations.all()
                ),
                ParticipationInput(city_id=city.pk),
            ],
        )
    with CaptureQueriesContext(connection) as large:
        assert coordinator_client.get(url).status_code == 200

    # 14 for the form, 4 for the history under it (three trails, the cities' names), 1 more
    # for the rights check (the user's groups and city teams).
    assert len(small) <= 19
    assert len(large) == len(small)


# Links


def test_event_page_links_coordinators_to_the_desk_form(client, coordinator_client, world):
    edit = reverse("web:desk_event_edit", args=[world.ceremony.pk])
    page = reverse("web:event_detail", args=[world.ceremony.slug])

    assert edit in coordinator_client.get(page).content.decode()
    client.logout()
    assert edit not in client.get(page).content.decode()


def test_desk_dashboard_links_to_the_full_form(coordinator_client, world):
    assert NEW in coordinator_client.get(reverse("web:desk")).content.decode()


def test_event_form_renders_in_russian(ru, coordinator, world):
    ru.force_login(coordinator)

    response = ru.get(NEW)

    assert response.status_code == 200
    assert 'lang="ru"' in response.content.decode()


def test_occurrence_editor_refuses_a_move_over_a_later_change(coordinator_client, yearly):
    _response, html = _edit_html(coordinator_client, yearly)
    original = _original(html, 2028)
    version = re.search(r'name="version" value="([^"]+)"', html).group(1)
    services.update_event(event=yearly, title_en="Renamed meanwhile")

    response = coordinator_client.post(
        reverse("web:desk_occurrence", args=[yearly.pk]),
        {"original": original, "version": version, "action": "cancel"},
    )

    assert response.status_code == 409
    assert "Someone else changed" in response.content.decode()
    assert not OccurrenceChange.objects.exists()


# Bad input: a 400 naming the field, never a 500


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"start": "9999-12-31T23:00", "end": "", "timezone": "America/Anchorage"}, "start"),
        ({"start": "0001-01-01T00:00", "end": ""}, "start"),
        ({"precision": "day", "start_date": "9999-12-31"}, "start_date"),
        ({"repeat": "raw", "rrule": "FREQ=YEARLY;UNTIL=2020"}, "rrule"),
        ({"title_en": "a\x00b"}, "title_en"),
        ({"cities-0-city": "999999"}, None),
        ({"repeat": "weekly", "rec_weekdays": ["XX"]}, "rec_weekdays"),
        ({"repeat": "yearly_weekday", "rec_nth": "7"}, "rec_nth"),
        ({"timezone": "Mars/Base"}, "timezone"),
        ({"repeat": "yearly_date", "rec_month": "2", "rec_monthday": "30"}, "repeat"),
        ({"repeat": "yearly_date", "rec_end": "count", "rec_count": "1001"}, "rec_count"),
        ({"online_url": "not a url"}, "online_url"),
    ],
)
def test_event_form_bad_input_is_400(coordinator_client, far_east, overrides, field):
    response = coordinator_client.post(NEW, _data(_two(far_east), **overrides))

    assert response.status_code == 400
    if field:
        assert _field_errors(response, field)
    assert not Event.objects.filter(title_en="Victory Day").exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"original": "2021-05-08", "action": "cancel"},
        {"original": "9999-12-31T23:59:59-09:00", "action": "cancel"},
        {"original": "2021-05-08T22:00:00+00:00", "action": "fly"},
        {"original": "2021-05-08T22:00:00+00:00", "action": "move", "start": "9999-12-31T23:00"},
        {"original": "2021-05-08T22:00:00+00:00", "action": "move",
         "start": "2021-05-09T10:00", "end": "2021-05-09T09:00"},
    ],
)  # fmt: skip
def test_occurrence_editor_bad_input_is_400(coordinator_client, world, data):
    response = coordinator_client.post(
        reverse("web:desk_occurrence", args=[world.victory_day.pk]), data
    )

    assert response.status_code == 400
    assert not OccurrenceChange.objects.exists()


def test_occurrence_editor_on_a_one_off_event_is_400(coordinator_client, world):
    response = coordinator_client.post(
        reverse("web:desk_occurrence", args=[world.ceremony.pk]),
        {"original": "2020-05-09T00:00:00+00:00", "action": "cancel"},
    )

    assert response.status_code == 400
    assert "Only a recurring event" in response.content.decode()


def test_event_form_saves_and_shows_russian_location_and_venues(coordinator_client, far_east):
    magadan, anchorage = far_east
    data = _data(
        _two(far_east),
        location="Krutaya Hill",
        location_ru="сопка Крутая",
        **{"cities-0-venue_ru": "Мемориал", "cities-1-venue_ru": ""},
    )
    response = coordinator_client.post(NEW, data)
    assert response.status_code == 302

    event = _created()
    assert (event.location, event.location_ru) == ("Krutaya Hill", "сопка Крутая")
    assert {(p.city_id, p.venue, p.venue_ru) for p in event.participations.all()} == {
        (magadan.pk, "Magadan memorial", "Мемориал"),
        (anchorage.pk, "Delaney Park", ""),
    }
    _response, html = _edit_html(coordinator_client, event)
    assert 'value="сопка Крутая"' in html
    assert 'value="Мемориал"' in html
