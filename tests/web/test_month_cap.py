"""The month grid draws at most CAP entries a day, with "+N more" linking to the day's list."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.models import Event
from events.occurrence_index.maintain import refresh_events
from events.web.month_cells import CAP
from tests.factories import EventFactory, ParticipationFactory

pytestmark = pytest.mark.usefixtures("index_mode")


def _crowd(first, last, day=dt.date(2020, 6, 10)):
    events = [
        EventFactory.build(
            slug=f"crowd-{n}",
            title_en=f"Crowd event {n}",
            start=dt.datetime.combine(day, dt.time(8, n % 50), tzinfo=dt.UTC),
            end=dt.datetime.combine(day, dt.time(9, n % 50), tzinfo=dt.UTC),
            timezone="UTC",
        )
        for n in range(first, last)
    ]
    created = Event.objects.bulk_create(events)
    refresh_events(event_ids=[event.pk for event in created])


def test_crowded_day_shows_cap_entries_and_more_link(client, world):
    _crowd(0, CAP + 7)

    html = client.get(reverse("web:month"), {"month": "2020-06"}).content.decode()

    assert html.count("Crowd event") == CAP
    link = re.search(r'<a class="day-more" href="([^"]*)">\+(\d+) more</a>', html)
    assert link
    assert int(link.group(2)) == 7
    day = client.get(link.group(1).replace("&amp;", "&"))
    assert day.status_code == 200
    assert day.content.decode().count("Crowd event") == CAP + 7


def test_month_grid_queries_do_not_grow_with_a_crowded_day(client, world):
    _crowd(0, CAP + 2)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("web:month"), {"month": "2020-06"})
    _crowd(CAP + 2, 80)

    with CaptureQueriesContext(connection) as large:
        html = client.get(reverse("web:month"), {"month": "2020-06"}).content.decode()

    assert len(large) == len(small)
    assert "+76 more" in html


@pytest.mark.parametrize("day", ["2020-13-01", "garbage"])
def test_day_list_bad_day_is_400(client, world, day):
    response = client.get(reverse("web:day", args=[day]))

    assert response.status_code == 400
    assert "Give the day as YYYY-MM-DD" in response.content.decode()


def _spanning(n: int, first: dt.datetime, hours: int) -> None:
    events = [
        EventFactory.build(
            slug=f"span-{n}-{k}-{first:%m%d%H}",
            title_en=f"Spanning event {n}-{k}",
            start=first + dt.timedelta(minutes=k),
            end=first + dt.timedelta(hours=hours, minutes=k),
            timezone="UTC",
        )
        for k in range(n)
    ]
    created = Event.objects.bulk_create(events)
    refresh_events(event_ids=[event.pk for event in created])


def _cells(html: str) -> list[tuple[str, list[str], str]]:
    """Each day cell: its date, its entries, its "+N more"."""
    cells = []
    for cell in re.findall(r"<td[^>]*>(.*?)</td>", html, re.S):
        date = re.search(r'visually-hidden">([^<]*)<', cell)
        more = re.search(r"\+(\d+) more", cell)
        cells.append(
            (
                date.group(1) if date else "",
                re.findall(r">(Crowd event \d+|Spanning event [\d-]+)<", cell),
                more.group(1) if more else "",
            )
        )
    return cells


def test_several_day_entries_are_drawn_and_counted_on_each_day_they_cover(client, world):
    """Overnight and several-day occurrences that are not drawn anywhere are not built, but
    still count in each day's "+N more": the same cells as a grid expanded from the rules."""
    from events.models import OccurrenceHorizon

    _crowd(0, CAP + 3, day=dt.date(2020, 6, 10))
    # Six overnight occurrences from the evening of 9 June (drawn on the 9th, counted on
    # the 10th where the morning crowd comes later in the day), and three 3-day ones from
    # the 11th.
    _spanning(6, dt.datetime(2020, 6, 9, 22, 0, tzinfo=dt.UTC), 4)
    _spanning(3, dt.datetime(2020, 6, 11, 12, 0, tzinfo=dt.UTC), 50)

    html = client.get(reverse("web:month"), {"month": "2020-06"}).content.decode()
    cells = {date: (entries, more) for date, entries, more in _cells(html)}

    ninth, tenth = cells["June 9, 2020"], cells["June 10, 2020"]
    assert ninth == ([f"Spanning event 6-{k}" for k in range(CAP)], "2")
    assert tenth == ([f"Spanning event 6-{k}" for k in range(CAP)], str(6 - CAP + CAP + 3))
    assert cells["June 12, 2020"] == ([f"Spanning event 3-{k}" for k in range(3)], "")
    assert cells["June 13, 2020"][0] == [f"Spanning event 3-{k}" for k in range(3)]
    if OccurrenceHorizon.objects.exists():  # indexed: the same cells as expansion
        OccurrenceHorizon.objects.all().delete()
        expanded = client.get(reverse("web:month"), {"month": "2020-06"}).content.decode()
        assert _cells(expanded) == _cells(html)


def test_a_month_of_crowded_nights_is_drawn_to_its_last_day(client, world):
    """Eight overnight occurrences every night of June (240, more than the grid ever read of
    several-day rows before): the last nights are drawn and counted like the first."""
    from events.models import OccurrenceHorizon

    for night in range(1, 31):
        _spanning(8, dt.datetime(2020, 6, night, 22, 0, tzinfo=dt.UTC), 4)

    html = client.get(reverse("web:month"), {"month": "2020-06"}).content.decode()
    cells = {date: (entries, more) for date, entries, more in _cells(html)}

    assert cells["June 29, 2020"] == ([f"Spanning event 8-{k}" for k in range(CAP)], "12")
    assert cells["June 30, 2020"] == ([f"Spanning event 8-{k}" for k in range(CAP)], "12")
    if OccurrenceHorizon.objects.exists():
        OccurrenceHorizon.objects.all().delete()
        expanded = client.get(reverse("web:month"), {"month": "2020-06"}).content.decode()
        assert _cells(expanded) == _cells(html)


def test_occurrences_sit_on_their_local_dates_at_the_month_edges(client, world):
    """The grid is in the events' own dates, as the day lists are: an evening in Anchorage on
    31 May is 1 June in UTC, a morning in Anadyr on 1 May still 30 April; both belong to May
    (before, the expanded grid left them out and the indexed one the overnight entry)."""
    anchorage, anadyr = ZoneInfo("America/Anchorage"), ZoneInfo("Asia/Anadyr")
    for slug, title, zone, start, end in [
        ("eve", "Crowd event 1", anchorage, (5, 31, 20), (5, 31, 21)),
        ("night", "Spanning event 1-0", anchorage, (5, 31, 22), (6, 1, 2)),
        ("april", "Spanning event 2-0", anchorage, (4, 30, 22), (5, 1, 2)),
        ("morning", "Crowd event 2", anadyr, (5, 1, 8), (5, 1, 9)),
        ("june", "Crowd event 3", anadyr, (6, 1, 8), (6, 1, 9)),
    ]:
        EventFactory(
            slug=slug,
            title_en=title,
            timezone=zone.key,
            start=dt.datetime(2020, *start, tzinfo=zone),
            end=dt.datetime(2020, *end, tzinfo=zone),
        )

    html = client.get(reverse("web:month"), {"month": "2020-05"}).content.decode()
    cells = {date: entries for date, entries, _more in _cells(html) if entries}

    assert cells == {
        "April 30, 2020": ["Spanning event 2-0"],
        "May 1, 2020": ["Crowd event 2", "Spanning event 2-0"],  # 20:00 and 06:00 UTC
        "May 31, 2020": ["Crowd event 1", "Spanning event 1-0"],  # the grid ends on a Sunday
    }
    day = client.get(reverse("web:day", args=["2020-05-31"])).content.decode()
    assert ("Crowd event 1" in day, "Spanning event 1-0" in day) == (True, True)


@pytest.mark.parametrize("city", ["", "fairbanks"])
def test_a_months_list_holds_its_local_dates(client, world, city):
    """The events list of a month, also of one city's (its own list rows), is in the events'
    own dates like the grid: a Fairbanks evening on 31 May (1 June in UTC) is May's."""
    anchorage = ZoneInfo("America/Anchorage")
    evening = EventFactory(
        slug="eve",
        title_en="Crowd event 1",
        timezone=anchorage.key,
        start=dt.datetime(2020, 5, 31, 20, tzinfo=anchorage),
        end=dt.datetime(2020, 5, 31, 21, tzinfo=anchorage),
    )
    ParticipationFactory(event=evening, city=world.fairbanks)

    def listed(month):
        params = {"month": month, "city": city} if city else {"month": month}
        return "Crowd event 1" in client.get(reverse("web:event_list"), params).content.decode()

    assert (listed("2020-05"), listed("2020-06")) == (True, False)


def test_a_festival_of_two_months_is_on_every_day_it_runs_through(client, world):
    """An exhibition from 15 March to 13 May is drawn on each day of April and of May up to
    the 13th, and is in those days' lists (it was drawn on its first 41 days only)."""
    _spanning(1, dt.datetime(2020, 3, 15, 10, tzinfo=dt.UTC), 59 * 24)

    may = {
        d: e
        for d, e, _m in _cells(
            client.get(reverse("web:month"), {"month": "2020-05"}).content.decode()
        )
    }
    april = {
        d: e
        for d, e, _m in _cells(
            client.get(reverse("web:month"), {"month": "2020-04"}).content.decode()
        )
    }

    festival = ["Spanning event 1-0"]
    assert all(april[f"April {day}, 2020"] == festival for day in range(1, 31))
    assert all(may[f"May {day}, 2020"] == festival for day in range(1, 14))
    assert may["May 14, 2020"] == []
    day = client.get(reverse("web:day", args=["2020-05-10"])).content.decode()
    assert "Spanning event 1-0" in day
