"""The conformance suite: every feed variant and every invitation kind, read by four engines.

For the hard programme in tests/interop/conftest.py, ICAL.js (Thunderbird, Nextcloud),
libical (Evolution; with its iTIP restriction check for invitations), allenporter's ``ical``
and recurring-ical-events must give the same (UID, UTC start) instance set as each other and
as ``/api/occurrences/`` for the same window and city. A same-local-time event is expected as
one copy per city (UID ``<uid>-c<city id>``) at that city's own start, as the API lists it.
"""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from events import ical
from events.feeds.services import create_feed_token
from events.models import Event
from events.selectors import with_related
from tests.interop import engines

pytestmark = pytest.mark.django_db

WINDOW = (dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2045, 1, 1, tzinfo=dt.UTC))
API_CHUNK_DAYS = 3000  # under MAX_OCCURRENCE_WINDOW_DAYS


def _utc(text: str) -> str:
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _api_occurrences(api_client, params: dict) -> list[dict]:
    """Every occurrence the API lists for WINDOW, in calls the window limit allows."""
    found: list[dict] = []
    day, last = WINDOW[0].date(), WINDOW[1].date() - dt.timedelta(days=1)
    while day <= last:
        chunk_end = min(day + dt.timedelta(days=API_CHUNK_DAYS - 1), last)
        query = {**params, "start": day.isoformat(), "end": chunk_end.isoformat()}
        url, data = "/api/occurrences/", {**query, "page_size": 500}
        while url:
            response = api_client.get(url, data)
            assert response.status_code == 200, response.content[:500]
            body = response.json()
            found.extend(body["results"])
            url, data = body["next"], None
        day = chunk_end + dt.timedelta(days=1)
    return found


def expected_instances(occurrences: list[dict], *, city_id: int | None) -> set[tuple[str, str]]:
    """The (UID, start) set a calendar for the view ``city_id`` (None: all cities) must show."""
    lo, hi = (engines._iso(w) for w in WINDOW)
    result = set()
    for occ in occurrences:
        event = occ["event"]
        if occ["cancelled"]:
            continue
        if occ["all_day"]:
            start = occ["start_date"]
            if WINDOW[0].date().isoformat() <= start < WINDOW[1].date().isoformat():
                result.add((f"{event['uid']}@twinning-calendar", start))
            continue
        copies = [(f"{event['uid']}@twinning-calendar", _utc(occ["start_utc"]))]
        if event["time_mode"] == "local" and occ["cities"]:
            copies = [
                (f"{event['uid']}-c{ct['city']['id']}@twinning-calendar", _utc(ct["start"]))
                for ct in occ["cities"]
                if city_id is None or ct["city"]["id"] == city_id
            ]
        result.update(c for c in copies if lo <= c[1] < hi)
    return result


def _only_event(instances: set, event: Event) -> set:
    return {i for i in instances if i[0].startswith(str(event.uid))}


def _assert_agree(results: dict, index: int, expected: set, label: str) -> None:
    for name, per_calendar in results.items():
        got = per_calendar[index]
        assert not got.errors, f"{label}: {name} reported {got.errors}"
        assert got.instances == expected, (
            f"{label}: {name} disagrees with /api/occurrences/: "
            f"only in {name}: {sorted(got.instances - expected)[:4]}, "
            f"missing: {sorted(expected - got.instances)[:4]}"
        )


def test_every_feed_variant_agrees_with_the_api_in_every_engine(
    client, api_client, coordinator_api_client, programme
):
    cities, events = programme.cities, programme.events
    token = create_feed_token(label="Fairbanks mayor's office", city_ids=[cities["fairbanks"].pk])
    # (label, feed path, API client, API params, city of the view, only this event)
    cases = [
        ("all", "/feeds/all.ics", api_client, {}, None, None),
        ("all ru", "/feeds/all.ics?lang=ru", api_client, {}, None, None),
        *[
            (f"city {slug}", f"/feeds/city/{slug}.ics", api_client, {"city": c.pk}, c.pk, None)
            for slug, c in cities.items()
        ],
        ("pair", f"/feeds/partnership/{programme.pair.pk}.ics", api_client,
         {"partnership": programme.pair.pk}, None, None),
        ("empty pair", f"/feeds/partnership/{programme.empty_pair.pk}.ics", api_client,
         {"partnership": programme.empty_pair.pk}, None, None),
        ("kind", "/feeds/kind/commemoration.ics", api_client, {"kind": "commemoration"}, None,
         None),
        ("private", f"/feeds/private/{token.secret}.ics", coordinator_api_client,
         {"city": cities["fairbanks"].pk}, None, None),
        ("event", f"/feeds/event/{events['victory_day'].slug}.ics", api_client, {}, None,
         events["victory_day"]),
        ("event in Fairbanks", f"/feeds/event/{events['victory_day'].slug}.ics?city=fairbanks",
         api_client, {"city": cities["fairbanks"].pk}, cities["fairbanks"].pk,
         events["victory_day"]),
        ("gap event in Fairbanks", f"/feeds/event/{events['in_gap'].slug}.ics?city=fairbanks",
         api_client, {"city": cities["fairbanks"].pk}, cities["fairbanks"].pk, events["in_gap"]),
    ]  # fmt: skip
    calendars = []
    for label, path, *_rest in cases:
        response = client.get(path)
        assert response.status_code == 200, (label, response.status_code)
        calendars.append(response.getvalue())

    results = engines.run_all(calendars, *WINDOW)

    counts = {}
    for index, (label, _path, api, params, city_id, only) in enumerate(cases):
        expected = expected_instances(_api_occurrences(api, params), city_id=city_id)
        if only is not None:
            expected = _only_event(expected, only)
        _assert_agree(results, index, expected, label)
        counts[label] = len(expected)
    print("instances per feed (identical in 4 engines and the API):", counts)
    # Not vacuous: the rich feeds have many instances, the empty ones none (and stay valid).
    assert counts["all"] > 40, counts
    assert counts["city tula"] > 0, counts
    assert counts["city albany"] == counts["empty pair"] == 0, counts
    assert counts["private"] > counts["city fairbanks"] - 1, counts


def test_the_private_feed_shows_the_tentative_event_the_public_ones_leave_out(client, programme):
    token = create_feed_token(label="All, tentative too")
    tentative = programme.events["tentative"]
    paths = ["/feeds/all.ics", f"/feeds/private/{token.secret}.ics"]

    results = engines.run_all([client.get(p).getvalue() for p in paths], *WINDOW)

    for name, (public, private) in results.items():
        assert not _only_event(public.instances, tentative), name
        assert _only_event(private.instances, tentative) == {
            (f"{tentative.uid}@twinning-calendar", "2027-05-31T21:00:00Z")
        }, name


def _invitation(event: Event, **kwargs) -> bytes:
    loaded = with_related(Event.objects.filter(pk=event.pk)).get()
    return ical.invitation_ics(loaded, language="ru", attendee="mayor@fairbanks.example", **kwargs)


def test_every_invitation_kind_is_valid_itip_and_shows_exactly_its_instances(api_client, programme):
    cities, events = programme.cities, programme.events
    fairbanks = cities["fairbanks"]
    victory = events["victory_day"]
    occurrence_2033 = dt.datetime(2033, 5, 9, 10, 0)  # naive: Victory Day's own wall clock
    cases = [
        ("series REQUEST", _invitation(victory, city=fairbanks), "series"),
        ("occurrence REQUEST", _invitation(victory, city=fairbanks, recurrence_id=occurrence_2033),
         "one"),
        ("series CANCEL", _invitation(victory, city=fairbanks, method="CANCEL"), "none"),
        ("occurrence CANCEL", _invitation(victory, city=fairbanks, method="CANCEL",
                                          recurrence_id=occurrence_2033), "none"),
        ("one-off REQUEST", _invitation(events["ceremony"], city=fairbanks), "ceremony"),
        ("gap REQUEST", _invitation(events["in_gap"], city=fairbanks), "gap"),
        ("all-day REQUEST", _invitation(events["festival"], city=fairbanks), "festival"),
    ]  # fmt: skip
    calendars = [data for _label, data, _kind in cases]

    results = engines.run_all(calendars, *WINDOW)
    itip = engines.libical(calendars, *WINDOW, itip=True)

    fairbanks_view = expected_instances(
        _api_occurrences(api_client, {"city": fairbanks.pk}), city_id=fairbanks.pk
    )
    series = _only_event(fairbanks_view, victory)
    start_2033 = sorted(s for _uid, s in series if s.startswith("2033"))
    copy_uid = ical.city_uid(victory, fairbanks)
    standalone_uid = copy_uid.replace("@", "-20330508T220000Z@")
    wanted = {
        "series": series,
        "one": {(standalone_uid, start_2033[0])},
        "none": set(),
        "ceremony": _only_event(fairbanks_view, events["ceremony"]),
        "gap": _only_event(fairbanks_view, events["in_gap"]),
        "festival": _only_event(fairbanks_view, events["festival"]),
    }
    for index, (label, data, kind) in enumerate(cases):
        assert wanted[kind] or kind == "none", label
        _assert_agree(results, index, wanted[kind], label)
        assert not itip[index].itip_errors, (
            f"{label}: libical iTIP check: {itip[index].itip_errors}"
        )
        calendar = icalendar.Calendar.from_ical(data)
        uids = {str(v["UID"]) for v in calendar.walk("VEVENT")}
        assert len(uids) == 1, f"{label}: an iTIP object is about one UID, got {uids}"
        assert calendar.walk("VEVENT")[0]["ATTENDEE"] == "mailto:mayor@fairbanks.example"
    # A CANCEL names what its REQUEST created, so the client removes exactly that.
    uid_of = {label: str(icalendar.Calendar.from_ical(d).walk("VEVENT")[0]["UID"])
              for label, d, _k in cases}  # fmt: skip
    assert uid_of["series CANCEL"] == uid_of["series REQUEST"] == copy_uid
    assert uid_of["occurrence CANCEL"] == uid_of["occurrence REQUEST"] == standalone_uid
    assert start_2033 == ["2033-05-09T18:00:00Z"]  # 10:00 AKDT, not Egvekinot's 10:00


def test_a_dst_gap_moves_only_its_own_city_in_every_engine(client, programme):
    """Fairbanks skips 02:00-03:00 on 14 March 2027: its copy starts 03:30 AKDT (11:30Z);
    Tula's stays at 02:30 Moscow time (23:30Z the day before)."""
    event = programme.events["in_gap"]
    tula, fairbanks = programme.cities["tula"], programme.cities["fairbanks"]

    results = engines.run_all([client.get("/feeds/all.ics").getvalue()], *WINDOW)

    for name, [result] in results.items():
        assert _only_event(result.instances, event) == {
            (ical.city_uid(event, tula), "2027-03-13T23:30:00Z"),
            (ical.city_uid(event, fairbanks), "2027-03-14T11:30:00Z"),
        }, name
