"""HTTP behaviour of the feeds: validators, 304, HEAD, gzip, language, tokens, query counts."""

from __future__ import annotations

import datetime as dt
import gzip
import logging

import pytest
import vobject
from django.urls import reverse

from events import services
from events.feeds import services as feed_services
from events.feeds.links import subscribe_links
from events.feeds.models import FeedFragment
from events.models import Event
from tests.factories import PartnershipFactory
from tests.feeds.conftest import fetch


@pytest.fixture
def pair(egvekinot, fairbanks, ceremony):
    partnership = PartnershipFactory(city_a=egvekinot, city_b=fairbanks)
    Event.objects.filter(pk=ceremony.pk).update(partnership=partnership)
    return partnership


@pytest.fixture
def feed_urls(pair, ceremony, victory_day, festival):
    return [
        reverse("feeds:all"),
        reverse("feeds:city", kwargs={"slug": "fairbanks"}),
        reverse("feeds:partnership", kwargs={"pk": pair.pk}),
        reverse("feeds:kind", kwargs={"kind": "commemoration"}),
        reverse("feeds:event", kwargs={"slug": ceremony.slug}),
    ]


def test_feed_headers_and_content_type(client, feed_urls):
    for url in feed_urls:
        status, body, response = fetch(client, url)
        assert status == 200, url
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        assert response["ETag"].startswith('"')
        assert response["Last-Modified"]
        vobject.readOne(body.decode())


def test_feed_304_on_if_none_match_touches_no_event_rows(
    client, feed_urls, django_assert_num_queries
):
    for url in feed_urls:
        _s, _b, first = fetch(client, url)
        # city/partnership/event lookup + one primary-key read of the feed version row
        expected = 1 if url.endswith("all.ics") or "/kind/" in url else 2
        with django_assert_num_queries(expected) as ctx:
            response = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert response.status_code == 304, url
        assert response.content == b""
        validators = ctx.captured_queries[-1]["sql"]
        assert 'FROM "feeds_feedversion"' in validators
        assert "COUNT(" not in validators.upper()


def test_feed_304_on_if_modified_since(client, ceremony):
    _s, _b, first = fetch(client, "/feeds/all.ics")

    response = client.get("/feeds/all.ics", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert response.status_code == 304


def test_feed_etag_changes_when_event_changes(client, ceremony):
    _s, _b, first = fetch(client, "/feeds/all.ics")
    services.update_event(event=ceremony, title_en="New title")

    status, body, _r = fetch(client, "/feeds/all.ics", HTTP_IF_NONE_MATCH=first["ETag"])

    assert status == 200
    assert b"SUMMARY:New title" in body


def test_feed_head_has_headers_and_no_body(client, ceremony, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.head("/feeds/all.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["ETag"]
    assert response.content == b""


def test_feed_gzip_when_asked(client, ceremony):
    status, body, response = fetch(client, "/feeds/all.ics", HTTP_ACCEPT_ENCODING="gzip")

    assert status == 200
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(body).startswith(b"BEGIN:VCALENDAR\r\n")
    assert "Accept-Encoding" in response["Vary"]


def test_feed_post_is_refused(client, ceremony):
    assert client.post("/feeds/all.ics").status_code == 405


@pytest.mark.parametrize(
    ("query", "headers", "summary"),
    [
        ("?lang=ru", {}, "Возложение венков\\, АЛСИБ"),
        ("", {"HTTP_ACCEPT_LANGUAGE": "ru-RU,ru;q=0.9"}, "Возложение венков\\, АЛСИБ"),
        ("", {}, "ALSIB wreath-laying"),
        ("?lang=en", {"HTTP_ACCEPT_LANGUAGE": "ru"}, "ALSIB wreath-laying"),
    ],
)
def test_feed_language_from_query_or_header(client, ceremony, query, headers, summary):
    _s, body, response = fetch(client, f"/feeds/all.ics{query}", **headers)

    assert f"SUMMARY:{summary}\r\n".encode() in body
    assert "Accept-Language" in response["Vary"]


def test_feed_unknown_objects_give_404(client, db):
    assert client.get("/feeds/city/atlantis.ics").status_code == 404
    assert client.get("/feeds/kind/party.ics").status_code == 404
    assert client.get("/feeds/partnership/999.ics").status_code == 404
    assert client.get("/feeds/event/none.ics").status_code == 404


def test_public_feeds_leave_out_tentative_internal_and_undated_events(client, ceremony):
    services.create_event(
        title_en="Draft",
        kind="forum",
        status="tentative",
        timezone="UTC",
        start=dt.datetime(2030, 1, 1, 10, 0),
    )
    services.create_event(
        title_en="Internal",
        kind="forum",
        status="confirmed",
        visibility="internal",
        timezone="UTC",
        start=dt.datetime(2030, 1, 1, 10, 0),
    )
    services.create_event(
        title_en="Some time in 2021",
        kind="forum",
        status="confirmed",
        timezone="UTC",
        precision="year",
        approx_year=2021,
    )

    _s, body, _r = fetch(client, "/feeds/all.ics")

    assert body.count(b"BEGIN:VEVENT") == 1
    assert client.get("/feeds/event/draft.ics").status_code == 404


@pytest.mark.parametrize("n", [3, 12])
def test_feed_query_count_does_not_grow_with_events(
    client, egvekinot, fairbanks, n, django_assert_num_queries
):
    for i in range(n):
        services.create_event(
            title_en=f"Event {i}",
            kind="forum",
            status="confirmed",
            timezone="Asia/Anadyr",
            start=dt.datetime(2030, 1, 1 + i, 10, 0),
            rrule="FREQ=YEARLY" if i % 2 else "",
            participations=[services.ParticipationInput(city_id=fairbanks.pk)],
        )
    pair = PartnershipFactory(city_a=egvekinot, city_b=fairbanks)
    Event.objects.update(partnership=pair)
    secret = feed_services.create_feed_token(label="all").secret
    for url in [
        "/feeds/all.ics",
        "/feeds/city/fairbanks.ics",
        "/feeds/kind/forum.ics",
        f"/feeds/partnership/{pair.pk}.ics",
        f"/feeds/private/{secret}.ics",
    ]:
        fetch(client, url)  # cold: renders and stores
        lookup = 1 if "/city/" in url or "/partnership/" in url or "/private/" in url else 0
        # aggregate + zones + one streamed query over events joined to their fragments
        with django_assert_num_queries(lookup + 3):
            status, body, _r = fetch(client, url)
        assert status == 200
        assert body.count(b"BEGIN:VEVENT") == n


def test_city_rename_and_zone_change_invalidate_fragments(client, fairbanks, ceremony):
    fetch(client, "/feeds/all.ics")
    services.update_city(city=fairbanks, name_en="Fairbanks North Star")
    _s, body, _r = fetch(client, "/feeds/all.ics")
    assert "Fairbanks North Star (Host)" in body.decode().replace("\r\n ", "")

    services.update_city(city=fairbanks, timezone="America/Juneau")
    _s, body, _r = fetch(client, "/feeds/city/fairbanks.ics")
    assert "DTSTART;TZID=America/Juneau:20300508T160000" in body.decode()


def test_event_download_query_count(client, ceremony, django_assert_num_queries):
    url = f"/feeds/event/{ceremony.slug}.ics"
    fetch(client, url)

    with django_assert_num_queries(4):  # event + aggregate + zones + fragments
        status, body, response = fetch(client, url)

    assert status == 200
    assert body.count(b"BEGIN:VEVENT") == 1
    assert response["Content-Disposition"] == f'attachment; filename="{ceremony.slug}.ics"'


def test_occurrence_change_invalidates_fragment(client, victory_day):
    fetch(client, "/feeds/all.ics")
    services.change_occurrence(
        event=victory_day, original_start=dt.datetime(2033, 5, 9, 10, 0), cancelled=True
    )

    _s, body, _r = fetch(client, "/feeds/all.ics")

    assert "EXDATE;TZID=Asia/Anadyr:20320509T100000,20330509T100000" in body.decode()


def test_fragment_rerendered_only_for_changed_event(client, ceremony, festival):
    fetch(client, "/feeds/all.ics")
    before = {f.event_id: f.rendered_at for f in FeedFragment.objects.all()}
    services.update_event(event=festival, title_en="Jazz Train")

    fetch(client, "/feeds/all.ics")

    after = {f.event_id: f.rendered_at for f in FeedFragment.objects.all()}
    assert after[ceremony.pk] == before[ceremony.pk]
    assert after[festival.pk] > before[festival.pk]


# --- Private feeds ------------------------------------------------------------------------


def test_private_feed_includes_tentative_and_internal_with_filter(client, egvekinot, ceremony):
    draft = services.create_event(
        title_en="Draft visit",
        kind="delegation_visit",
        status="tentative",
        visibility="internal",
        timezone="Asia/Anadyr",
        start=dt.datetime(2030, 2, 1, 10, 0),
        participations=[services.ParticipationInput(city_id=egvekinot.pk)],
    )
    services.create_event(
        title_en="Elsewhere",
        kind="delegation_visit",
        status="tentative",
        timezone="UTC",
        start=dt.datetime(2030, 2, 1, 10, 0),
    )
    issued = feed_services.create_feed_token(
        label="Egvekinot visits", city_ids=[egvekinot.pk], kinds=["delegation_visit"]
    )

    status, body, response = fetch(client, f"/feeds/private/{issued.secret}.ics")

    assert status == 200
    assert response["Cache-Control"].startswith("private")
    [vevent] = vobject.readOne(body.decode()).vevent_list
    assert vevent.summary.value == "Draft visit"
    assert vevent.status.value == "TENTATIVE"
    assert vevent.uid.value == f"{draft.uid}@twinning-calendar"
    assert issued.token.token_hash != issued.secret
    assert len(issued.secret) >= 43  # 256 bits in URL-safe base64


def test_private_feed_wrong_token_gives_bare_404_and_is_not_logged(client, ceremony, caplog):
    feed_services.create_feed_token(label="x")
    wrong = "A" * 43
    with caplog.at_level(logging.DEBUG):
        response = client.get(f"/feeds/private/{wrong}.ics")
        short = client.get("/feeds/private/abc.ics")

    assert response.status_code == short.status_code == 404
    assert response.content == b"Not found."
    assert wrong not in caplog.text


def test_private_feed_revoked_and_regenerated_tokens(client, ceremony, caplog):
    issued = feed_services.create_feed_token(label="x")
    url = f"/feeds/private/{issued.secret}.ics"
    assert client.get(url).status_code == 200

    feed_services.revoke_feed_token(token=issued.token)
    with caplog.at_level(logging.DEBUG):
        assert client.get(url).status_code == 404
    assert issued.secret not in caplog.text

    fresh = feed_services.regenerate_feed_token(token=issued.token)
    assert client.get(url).status_code == 404
    assert client.get(f"/feeds/private/{fresh.secret}.ics").status_code == 200


def test_private_feed_304(client, ceremony, django_assert_num_queries):
    issued = feed_services.create_feed_token(label="x")
    url = f"/feeds/private/{issued.secret}.ics"
    _s, _b, first = fetch(client, url)

    with django_assert_num_queries(2):  # token by hash + aggregate
        response = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert response.status_code == 304


def test_subscribe_links(rf, fairbanks):
    links = subscribe_links(rf.get("/"), "feeds:city", slug="fairbanks")

    assert links["https"] == "http://testserver/feeds/city/fairbanks.ics"
    assert links["webcal"] == "webcal://testserver/feeds/city/fairbanks.ics"
    assert links["google"] == (
        "https://calendar.google.com/calendar/r?cid="
        "webcal%3A%2F%2Ftestserver%2Ffeeds%2Fcity%2Ffairbanks.ics"
    )
    assert subscribe_links(None, "feeds:partnership", id=3)["https"].endswith(
        "/feeds/partnership/3.ics"
    )


def _etag(client, url: str = "/feeds/all.ics") -> str:
    return fetch(client, url)[2]["ETag"]


@pytest.mark.django_db
def test_every_kind_of_write_moves_the_feed_validators_even_past_the_services(
    client, ceremony, fairbanks
):
    """The version row moves by database trigger, so a write that bypasses the services (a
    factory, a shell, a bulk update) still changes the ETag; a deletion too."""
    from events.feeds.services import create_feed_token
    from events.models import OccurrenceChange, Participation
    from tests.factories import CityFactory, EventFactory, PartnershipFactory

    steps = [
        lambda: EventFactory(title_en="Made by a factory"),
        lambda: Event.objects.filter(pk=ceremony.pk).update(title_en="Bulk update"),
        lambda: Participation.objects.filter(event=ceremony).first().delete(),
        lambda: CityFactory(slug="nome", timezone="America/Nome"),
        lambda: PartnershipFactory(city_a=fairbanks, city_b=CityFactory(slug="x")),
        lambda: create_feed_token(label="t"),
        lambda: OccurrenceChange.objects.all().delete(),  # nothing to delete: unchanged
        lambda: Event.objects.filter(title_en="Made by a factory").delete(),
    ]
    before = _etag(client)
    seen = [before]
    for index, step in enumerate(steps):
        step()
        now = _etag(client)
        if index == 6:
            continue  # an empty DELETE may or may not move it (statement vs row triggers)
        assert now not in seen, f"step {index} did not move the ETag"
        seen.append(now)
    assert _etag(client) == seen[-1]  # no write, no change


@pytest.mark.django_db
def test_a_flushed_version_row_comes_back_on_the_next_write(client, ceremony):
    from events.feeds.models import FeedVersion

    FeedVersion.objects.all().delete()
    without_row = _etag(client)
    services.update_event(event=ceremony, title_en="After a flush")

    assert FeedVersion.objects.filter(pk=1).exists()
    assert _etag(client) != without_row


@pytest.mark.django_db
def test_private_feeds_are_never_indexed(client):
    issued = feed_services.create_feed_token(label="Office")

    status, _body, response = fetch(client, f"/feeds/private/{issued.secret}.ics")
    missing = client.get("/feeds/private/" + "x" * 43 + ".ics")

    assert status == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert missing.status_code == 404
    assert missing["X-Robots-Tag"] == "noindex, nofollow"


@pytest.mark.django_db
def test_guessing_tokens_is_cut_off_per_address_without_slowing_subscribers(client, monkeypatch):
    """500 random tokens used to be served as 500 quick 404s; now an address that misses too
    often gets 429 for every private feed (a 200 would betray a hit), others are unaffected."""
    import secrets

    from django.core.cache import cache

    from events.feeds import guessing

    cache.clear()
    monkeypatch.setattr(guessing, "MAX_MISSES", 5)
    issued = feed_services.create_feed_token(label="Office")
    valid = f"/feeds/private/{issued.secret}.ics"
    statuses = [
        client.get(
            f"/feeds/private/{secrets.token_urlsafe(32)}.ics", REMOTE_ADDR="203.0.113.9"
        ).status_code
        for _ in range(8)
    ]

    assert statuses == [404] * 5 + [429] * 3
    assert client.get(valid, REMOTE_ADDR="203.0.113.9").status_code == 429
    assert fetch(client, valid, REMOTE_ADDR="198.51.100.7")[0] == 200  # a subscriber elsewhere
    for _ in range(50):  # hits never count
        assert client.get(valid, REMOTE_ADDR="198.51.100.8").status_code == 200
    assert not guessing.blocked(type("R", (), {"META": {"REMOTE_ADDR": "198.51.100.8"}})())
