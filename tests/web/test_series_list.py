"""The events list shows a recurring series once, at its next (past: latest) date, with a
summary of its rule; events known only by a month or year that is over are past."""

import datetime as dt
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from events import services
from events.models import Event
from events.web import formatting
from events.web.selectors import series_for

pytestmark = pytest.mark.usefixtures("index_mode")


@pytest.fixture(autouse=True)
def _english_after(settings):
    """A Russian request leaves Russian active in this thread: later tests expect the default."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _text(response) -> str:
    assert response.status_code == 200
    return unescape(re.sub(r"\s+", " ", response.content.decode()))


def _results(html: str) -> str:
    return html.split('id="results-heading"')[1].split("</section>")[0]


def test_upcoming_list_shows_a_yearly_series_once_with_its_next_date(client, world):
    html = _results(_text(client.get(reverse("web:event_list"))))

    assert html.count("Victory Day ceremony") == 1
    assert "Every year on May 9" in html
    assert "Next date:" in html
    today = timezone.localdate()
    next_year = today.year if (today.month, today.day) < (5, 9) else today.year + 1
    assert f"May 9, {next_year}" in html


def test_past_list_shows_a_yearly_series_once_at_its_latest_date(client, world):
    html = _results(_text(client.get(reverse("web:event_list"), {"period": "past"})))

    assert html.count("Victory Day ceremony") == 1
    assert "Last date:" in html


def test_series_list_count_and_pages_count_events_not_dates(client, world):
    found = series_for(Event.objects.filter(pk=world.victory_day.pk), period="past")
    assert len(found) == 1
    [only] = list(found)
    assert only.event.pk == world.victory_day.pk
    # The latest past date, not the first one.
    assert only.sort_key.year >= timezone.now().year - 1
    assert found[0:5] == [only]
    assert found[1:5] == []


def test_series_list_orders_events_by_their_next_date(world):
    soon, late = (
        services.create_event(
            title_en=title,
            kind=Event.Kind.FORUM,
            status=Event.Status.CONFIRMED,
            timezone="UTC",
            start=(timezone.now() + dt.timedelta(days=days)).replace(tzinfo=None),
        )
        for title, days in (("Soon", 1), ("Late", 400))
    )
    visible = Event.objects.filter(pk__in=[world.victory_day.pk, soon.pk, late.pk])
    found = series_for(visible)
    assert len(found) == 3
    assert [occ.event.pk for occ in found] == [soon.pk, world.victory_day.pk, late.pk]
    assert [occ.event.pk for occ in found[1:3]] == [world.victory_day.pk, late.pk]


def test_month_list_keeps_each_date(client, world):
    html = _results(_text(client.get(reverse("web:event_list"), {"month": "2023-05"})))
    assert html.count("Victory Day ceremony") == 1
    assert "Next date:" not in html


def test_russian_list_says_every_year_in_russian(client, world):
    client.cookies["django_language"] = "ru"
    html = _results(_text(client.get(reverse("web:event_list"))))
    assert "Каждый год 9 мая" in html
    assert html.count("Церемония Дня Победы") == 1


def test_past_month_filter_lists_month_only_event_as_past(client, world):
    html = _text(client.get(reverse("web:event_list"), {"month": "2020-02"}))
    undated = html.split('id="undated-heading"')[1] if 'id="undated-heading"' in html else ""
    past = html.split('id="approx-past-heading"')[1]

    assert "Delegation from Albany to Tula" in past.split("</section>")[0]
    assert "Delegation from Albany to Tula" not in undated.split("</section>")[0]


def test_month_grid_of_a_past_month_lists_month_only_event_as_past(client, world):
    html = _text(client.get(reverse("web:month"), {"month": "2020-02"}))
    assert 'id="undated-heading"' not in html
    assert "Delegation from Albany to Tula" in html.split('id="approx-past-heading"')[1]


@pytest.mark.parametrize(
    ("rrule", "start", "english", "russian"),
    [
        ("FREQ=YEARLY", dt.datetime(2027, 5, 9, 10), "Every year on May 9", "Каждый год 9 мая"),
        (
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
            dt.datetime(2028, 2, 29, 10),
            "Every year on February 29",
            "Каждый год 29 февраля",
        ),
        (
            "FREQ=WEEKLY;BYDAY=MO,TH",
            dt.datetime(2027, 5, 10, 10),
            "Every week on Monday, Thursday",
            "Каждую неделю: Понедельник, Четверг",
        ),
        ("FREQ=WEEKLY", dt.datetime(2027, 5, 10, 10), "Every week on Monday", None),
        (
            "FREQ=YEARLY;BYMONTH=6;BYDAY=2SA",
            dt.datetime(2027, 6, 12, 10),
            "Every year on the second Saturday of June",
            "Каждый год во вторую субботу июня",
        ),
        (
            "FREQ=YEARLY;BYMONTH=5;BYDAY=-1FR",
            dt.datetime(2027, 5, 28, 10),
            "Every year on the last Friday of May",
            "Каждый год в последнюю пятницу мая",
        ),
        (
            "FREQ=YEARLY;BYMONTH=5;BYDAY=2SU",
            dt.datetime(2027, 5, 9, 10),
            "Every year on the second Sunday of May",
            "Каждый год во второе воскресенье мая",
        ),
        (
            "FREQ=YEARLY;BYMONTH=9;BYDAY=1MO;COUNT=5",
            dt.datetime(2027, 9, 6, 10),
            "Every year on the first Monday of September",
            "Каждый год в первый понедельник сентября",
        ),
        (
            "FREQ=YEARLY;BYMONTH=11;BYDAY=4TH",
            dt.datetime(2027, 11, 25, 10),
            "Every year on the fourth Thursday of November",
            "Каждый год в четвёртый четверг ноября",
        ),
        ("FREQ=YEARLY;BYMONTH=5;BYDAY=2SU,3SU", dt.datetime(2027, 5, 9, 10), "", ""),
        ("", dt.datetime(2027, 5, 9, 10), "", ""),
    ],
)
def test_series_summary(db, rrule, start, english, russian):
    event = services.create_event(
        title_en="Series",
        kind=Event.Kind.OTHER,
        timezone="Asia/Magadan",
        start=start,
        rrule=rrule,
    )
    with translation.override("en"):
        assert formatting.series_summary(event) == english
    if russian is not None:
        with translation.override("ru"):
            assert formatting.series_summary(event) == russian
