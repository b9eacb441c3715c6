"""The desk event form's recurrence preview: the rule's next dates in each participating city,
as a fragment for the form's script and as a page for the no-script "Preview" button."""

import datetime as dt
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from events import services
from events.models import Event
from events.web.desk_forms import EventForm
from events.web.desk_preview import rule_preview
from tests.web.test_desk_event_form import NEW, _data

PREVIEW = reverse("web:desk_event_preview")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_after(settings):
    """A Russian request leaves Russian active in this thread: later tests expect the default."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def far_east(db):
    magadan = services.create_city(
        slug="magadan", name_en="Magadan", name_native="Магадан", country="RU",
        timezone="Asia/Magadan",
    )  # fmt: skip
    anchorage = services.create_city(
        slug="anchorage", name_en="Anchorage", name_native="Anchorage", country="US",
        timezone="America/Anchorage",
    )  # fmt: skip
    return magadan, anchorage


def _two(far_east):
    magadan, anchorage = far_east
    return [(magadan, "host", ""), (anchorage, "guest_delegation", "")]


def _text(response) -> str:
    assert response.status_code == 200
    return unescape(re.sub(r"\s+", " ", response.content.decode()))


def _cities(html: str) -> dict[str, list[str]]:
    found = {}
    for zone, body in re.findall(r'data-preview-city="([^"]+)">(.*?)</section>', html):
        found[zone] = re.findall(r"<li>(.*?)</li>", body)
    return found


def test_preview_yearly_rule_in_both_cities_across_the_date_line(coordinator_client, far_east):
    data = _data(_two(far_east), start="2030-05-09T10:00", end="", repeat="yearly_date")
    html = _text(coordinator_client.post(PREVIEW, data))

    cities = _cities(html)
    assert cities["Asia/Magadan"][:2] == [
        "Thursday, May 9, 2030, 10:00 (UTC+11)",
        "Friday, May 9, 2031, 10:00 (UTC+11)",
    ]
    assert len(cities["Asia/Magadan"]) == 5
    # 10:00 in Magadan is 15:00 the day before in Anchorage.
    assert cities["America/Anchorage"][0] == (
        'Wednesday, May 8, 2030, 15:00 (AKDT, UTC−8) <span class="badge">previous day</span>'
    )
    assert "FREQ=YEARLY" in html


def test_preview_same_local_time_is_ten_oclock_in_each_city(coordinator_client, far_east):
    data = _data(
        _two(far_east), start="2030-05-09T10:00", end="", repeat="yearly_date", time_mode="local"
    )
    cities = _cities(_text(coordinator_client.post(PREVIEW, data)))
    assert cities["America/Anchorage"][0] == "Thursday, May 9, 2030, 10:00 (AKDT, UTC−8)"


def test_preview_weekly_rule_follows_anchorage_dst(coordinator_client, far_east):
    _magadan, anchorage = far_east
    data = _data(
        [(anchorage, "host", "")],
        timezone="America/Anchorage",
        start="2030-03-01T09:00",
        end="",
        repeat="weekly",
        rec_weekdays=["FR"],
    )
    dates = _cities(_text(coordinator_client.post(PREVIEW, data)))["America/Anchorage"]
    assert dates[1] == "Friday, March 8, 2030, 09:00 (AKST, UTC−9)"
    assert dates[2] == "Friday, March 15, 2030, 09:00 (AKDT, UTC−8)"


def test_preview_all_day_rule_shows_dates(coordinator_client, far_east):
    data = _data(
        _two(far_east),
        precision="day",
        start="",
        end="",
        start_date="2030-05-09",
        repeat="yearly_date",
    )
    cities = _cities(_text(coordinator_client.post(PREVIEW, data)))
    assert cities["America/Anchorage"][0] == "Thursday, May 9, 2030"


def test_preview_bad_raw_rule_names_the_problem(coordinator_client, far_east):
    data = _data(_two(far_east), start="2030-05-09T10:00", repeat="raw", rrule="FREQ=HOURLY")
    html = _text(coordinator_client.post(PREVIEW, data))
    assert "data-preview-problems" in html
    assert "data-preview-city" not in html


def test_preview_rule_not_starting_on_the_start_is_refused(coordinator_client, far_east):
    data = _data(
        _two(far_east),
        start="2030-05-09T10:00",
        repeat="raw",
        rrule="FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=1",
    )
    assert "data-preview-problems" in _text(coordinator_client.post(PREVIEW, data))


def test_preview_without_start_asks_for_it(coordinator_client, far_east):
    data = _data(_two(far_east), start="", end="", repeat="yearly_date")
    html = _text(coordinator_client.post(PREVIEW, data))
    assert "Give the start to see the dates." in html


def test_preview_of_a_one_off_event_says_it_does_not_repeat(coordinator_client, far_east):
    html = _text(coordinator_client.post(PREVIEW, _data(_two(far_east))))
    assert "The event does not repeat." in html


def test_preview_ignores_a_missing_title(coordinator_client, far_east):
    data = _data(
        _two(far_east), title_en="", title_ru="", start="2030-05-09T10:00", repeat="yearly_date"
    )
    assert len(_cities(_text(coordinator_client.post(PREVIEW, data)))) == 2


def test_preview_starts_from_now_and_says_when_the_rule_is_over(far_east):
    magadan, anchorage = far_east
    form = EventForm(
        _data(_two(far_east), start="2020-05-09T10:00", end="", repeat="yearly_date"),
        cities=[magadan, anchorage],
    )
    preview = rule_preview(form, [magadan], now=dt.datetime(2026, 12, 3, tzinfo=dt.UTC))
    assert [d.date for d in preview.cities[0].dates][:1] == ["Sunday, May 9, 2027"]

    ended = EventForm(
        _data(
            _two(far_east),
            start="2020-05-09T10:00",
            end="",
            repeat="yearly_date",
            rec_end="count",
            rec_count="2",
        ),
        cities=[magadan, anchorage],
    )
    preview = rule_preview(ended, [magadan], now=dt.datetime(2026, 12, 3, tzinfo=dt.UTC))
    assert preview.note == "The rule gives no more dates."


def test_preview_button_without_script_renders_the_form_and_saves_nothing(
    coordinator_client, far_east
):
    data = _data(_two(far_east), start="2030-05-09T10:00", end="", repeat="yearly_date")
    data["preview"] = "1"
    html = _text(coordinator_client.post(NEW, data))
    assert len(_cities(html)) == 2
    assert 'value="Victory Day"' in html
    assert not Event.objects.exists()


def test_preview_button_on_the_edit_page_changes_nothing(coordinator_client, far_east):
    magadan, _anchorage = far_east
    event = services.create_event(
        title_en="Victory Day",
        kind=Event.Kind.COMMEMORATION,
        timezone="Asia/Magadan",
        start=dt.datetime(2030, 5, 9, 10, 0),
        participations=[services.ParticipationInput(city_id=magadan.pk, role="host")],
    )
    data = _data(_two(far_east), start="2030-05-09T10:00", end="", repeat="yearly_date")
    data["preview"] = "1"
    html = _text(coordinator_client.post(reverse("web:desk_event_edit", args=[event.pk]), data))
    assert "data-preview-city" in html
    event.refresh_from_db()
    assert event.rrule == ""


def test_preview_needs_a_coordinator_and_post(coordinator_client, far_east):
    assert Client().post(PREVIEW, _data()).status_code == 302
    assert coordinator_client.get(PREVIEW).status_code == 405


def test_preview_in_russian(coordinator_client, far_east):
    coordinator_client.cookies["django_language"] = "ru"
    data = _data(_two(far_east), start="2030-05-09T10:00", end="", repeat="yearly_date")
    cities = _cities(_text(coordinator_client.post(PREVIEW, data)))
    assert cities["Asia/Magadan"][0].startswith("Четверг, 9 мая 2030")
