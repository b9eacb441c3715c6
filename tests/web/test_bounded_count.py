"""The events list counts no further than a few pages past the one asked for (from the
index), so its cost does not grow with the programme; it then says "At least N events"."""

import datetime as dt
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from common import paging
from events import services
from events.models import Event
from events.web.views import public

pytestmark = pytest.mark.usefixtures("index_mode")


@pytest.fixture(autouse=True)
def _small_pages(monkeypatch, settings):
    monkeypatch.setattr(public, "PAGE_SIZE", 2)
    monkeypatch.setattr(paging, "AHEAD", 2)  # page 1 counts up to (1 + 2) * 2 = 6 events
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _event(title: str, days: int, rrule: str = "") -> Event:
    return services.create_event(
        title_en=title,
        title_ru=f"Событие {title}",
        kind=Event.Kind.FORUM,
        status=Event.Status.CONFIRMED,
        timezone="Asia/Magadan",
        start=(timezone.now() + dt.timedelta(days=days)).replace(tzinfo=None, microsecond=0),
        rrule=rrule,
    )


def _heading_and_pager(response) -> tuple[str, str]:
    assert response.status_code == 200
    html = unescape(re.sub(r"\s+", " ", response.content.decode()))
    heading = html.split('id="results-heading">')[1].split("</h2>")[0]
    pager = html.split('class="pager"')[1].split("</nav>")[0] if 'class="pager"' in html else ""
    return heading, pager


def test_a_long_list_says_at_least_and_counts_deeper_pages_exactly(client, request):
    for n in range(30):
        _event(f"Forum {n}", 1 + n)
    indexed = request.node.callspec.params["index_mode"] == "indexed"

    heading, pager = _heading_and_pager(client.get(reverse("web:event_list")))
    if indexed:
        # 4 rows scanned per wanted entry (24) name 24 events: at least 24, not all 30.
        assert heading == "At least 24 events"
        assert "Page 1" in pager
        assert " of " not in pager
    else:  # expanded: a list, counted whole
        assert heading == "30 events"
        assert "Page 1 of 15" in pager
    assert 'rel="next"' in pager

    # Page 5 wants (5 + 2) * 2 = 14 entries: 56 rows would be read, the window has 30.
    heading, pager = _heading_and_pager(client.get(reverse("web:event_list"), {"page": 5}))
    assert heading == "30 events"
    assert "Page 5 of 15" in pager
    assert "Forum 8" in client.get(reverse("web:event_list"), {"page": 5}).content.decode()


def test_a_few_daily_series_filling_the_head_are_counted_exactly(client):
    _event("Daily one", 1, "FREQ=DAILY")
    _event("Daily two", 1, "FREQ=DAILY")

    heading, pager = _heading_and_pager(client.get(reverse("web:event_list")))

    assert heading == "2 events"
    assert pager == ""


def test_russian_says_at_least(client, request):
    for n in range(30):
        _event(f"Forum {n}", 1 + n)
    indexed = request.node.callspec.params["index_mode"] == "indexed"
    response = client.get(reverse("web:event_list"), HTTP_ACCEPT_LANGUAGE="ru")
    heading, pager = _heading_and_pager(response)
    assert heading == ("Не меньше 24 событий" if indexed else "30 событий")
    assert ("Страница 1" if indexed else "Страница 1 из 15") in pager
