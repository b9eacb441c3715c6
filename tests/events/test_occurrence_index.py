"""The occurrence index holds exactly what a fresh expansion says, after every kind of write."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from events import services
from events.models import (
    City,
    Event,
    IndexedOccurrence,
    ListedOccurrence,
    OccurrenceHorizon,
    Partnership,
)
from events.occurrence_index import read
from events.occurrence_index.maintain import expand_covering, extend_horizon, rebuild_index
from events.recurrence import Occurrence, expand
from events.selectors import events_of_partnership_q, with_related

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
SMALL_HORIZON = override_settings(OCCURRENCE_INDEX_PAST_DAYS=400, OCCURRENCE_INDEX_FUTURE_DAYS=400)
ZONES = ["Asia/Anadyr", "Asia/Magadan", "Europe/Moscow", "America/Anchorage", "America/New_York"]
RULES = [
    "",
    "FREQ=YEARLY",
    "FREQ=WEEKLY",
    "FREQ=DAILY;COUNT=40",
    "FREQ=MONTHLY;INTERVAL=3",
    "FREQ=WEEKLY;UNTIL=20270101T000000Z",
]
# Around DST changes (US 8 Mar / 1 Nov 2026) and the horizon's edges.
STARTS = st.sampled_from(
    [
        dt.datetime(2026, 3, 8, 7, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 7, 23, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 10, 31, 9, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 5, 8, 22, 0, tzinfo=dt.UTC),
        dt.datetime(2025, 1, 24, 12, 0, tzinfo=dt.UTC),
        dt.datetime(2027, 4, 4, 20, 0, tzinfo=dt.UTC),
        dt.datetime(2023, 12, 31, 14, 0, tzinfo=dt.UTC),
    ]
)


def _utc(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _shape(occ: Occurrence) -> tuple:
    """Everything an occurrence says, wall times with their offsets included."""
    return (
        occ.event.pk,
        occ.recurrence_id,
        _utc(occ.start),
        _utc(occ.end),
        occ.start_date,
        occ.end_date,
        occ.cancelled,
        occ.moved,
        occ.location,
        occ.change.pk if occ.change else None,
        tuple(
            (
                ct.city.pk,
                ct.role,
                ct.venue,
                _utc(ct.start),
                _utc(ct.end),
                ct.start_date,
                ct.end_date,
            )
            for ct in occ.city_times
        ),
    )


def _fresh(event_id: int) -> Event:
    return with_related(Event.objects.filter(pk=event_id)).get()


def assert_index_matches(event_id: int) -> None:
    """Stored rows equal a fresh expansion over the horizon, and windows equal expand()."""
    horizon = OccurrenceHorizon.objects.get(pk=1)
    event = _fresh(event_id)
    rows = IndexedOccurrence.objects.filter(event_id=event_id, city__isnull=True)
    stored = read.build(list(rows.order_by("sort_start", "key")))
    expected = expand_covering(event, horizon.covered_from, horizon.covered_until)
    assert [_shape(o) for o in stored] == [_shape(o) for o in expected]
    cities = {p.city_id for p in event.participations.all()}
    differ = event.time_mode == Event.TimeMode.LOCAL and not event.is_all_day
    assert IndexedOccurrence.objects.filter(event_id=event_id).count() == len(expected) * (
        1 + (len(cities) if differ else 0)
    )
    edges = [
        (horizon.covered_from, horizon.covered_from + dt.timedelta(days=31)),
        (NOW - dt.timedelta(days=3), NOW + dt.timedelta(days=40)),
        (horizon.covered_until - dt.timedelta(days=31), horizon.covered_until),
    ]
    for lo, hi in edges:
        found = read.window(Event.objects.filter(pk=event_id), lo, hi)
        assert found is not None
        assert [_shape(o) for o in found] == [_shape(o) for o in expand(event, lo, hi)]
    assert_lists_match(event_id)


def assert_lists_match(event_id: int) -> None:
    """Each occurrence is listed once for every city taking part, every partnership whose
    list holds the event and every country of its cities, with its event-zone row's order and
    window columns."""
    event = _fresh(event_id)
    lists = sorted(
        [("city", p.city_id) for p in event.participations.all()]
        + [
            ("pair", pair.pk)
            for pair in Partnership.objects.all()
            if Event.objects.filter(events_of_partnership_q(pair), pk=event_id).exists()
        ]
        + [("country", code) for code in {p.city.country for p in event.participations.all()}]
    )
    columns = ("key", "sort_start", "touch_lo", "touch_hi", "long_span", "over_at")
    rows = IndexedOccurrence.objects.filter(event_id=event_id, city__isnull=True)
    listed = ListedOccurrence.objects.filter(event_id=event_id)
    assert listed.count() == len(rows) * len(lists)
    for row in rows:
        mine = listed.filter(row=row)
        assert (
            sorted(
                ("city", e.city_id)
                if e.city_id
                else ("pair", e.partnership_id)
                if e.partnership_id
                else ("country", e.country)
                for e in mine
            )
            == lists
        )
        for entry in mine:
            assert [getattr(entry, c) for c in columns] == [getattr(row, c) for c in columns]


@pytest.fixture
def cities(db) -> list[City]:
    """Four cities, the first two a partnership (an event with both is on its list); two in
    each country, so that some events have two cities of one country (listed once under it)."""
    found = [
        services.create_city(
            slug=f"c{n}", name_en=f"C{n}", name_native=f"C{n}", country=country, timezone=zone
        )
        for n, (zone, country) in enumerate(
            [
                ("Asia/Anadyr", "RU"),
                ("America/Anchorage", "US"),
                ("Europe/Moscow", "RU"),
                ("America/New_York", "US"),
            ]
        )
    ]
    services.create_partnership(city_a_id=found[0].pk, city_b_id=found[1].pk)
    return found


def _create(cities, *, zone, mode, start, rule, all_day, city_picks, hours):
    fields = {
        "title_en": "Indexed",
        "kind": Event.Kind.COMMEMORATION,
        "status": Event.Status.CONFIRMED,
        "timezone": zone,
        "time_mode": mode,
        "location": "Square",
    }
    if all_day:
        local = start.astimezone(dt.UTC).date()
        last = local + dt.timedelta(days=hours // 24)
        fields.update(precision=Event.Precision.DAY, start_date=local, end_date=last)
    else:
        fields.update(start=start, end=start + dt.timedelta(hours=hours))
    fields["rrule"] = rule
    return services.create_event(
        participations=[services.ParticipationInput(city_id=cities[n].pk) for n in city_picks],
        **fields,
    )


EVENTS = st.fixed_dictionaries(
    {
        "zone": st.sampled_from(ZONES),
        "mode": st.sampled_from([Event.TimeMode.INSTANT, Event.TimeMode.LOCAL]),
        "start": STARTS,
        "rule": st.sampled_from(RULES),
        "all_day": st.booleans(),
        "city_picks": st.lists(st.integers(0, 3), unique=True, max_size=4),
        "hours": st.sampled_from([0, 2, 30, 80]),  # 80: a long row (> LONG_SPAN)
    }
)
EDITS = st.lists(
    st.sampled_from(
        [
            "shift",
            "mode",
            "zone",
            "move",
            "cancel_one",
            "cities",
            "city_country",
            "city_zone",
            "cancel",
            "extend",
            "pair",
            "link",
        ]
    ),
    max_size=4,
)


@SMALL_HORIZON
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(spec=EVENTS, edits=EDITS, data=st.data())
def test_index_equals_fresh_expansion_after_writes(cities, spec, edits, data):
    Event.objects.all().delete()
    OccurrenceHorizon.objects.all().delete()
    rebuild_index(now=NOW)
    if spec["rule"] == "FREQ=WEEKLY" and spec["all_day"]:
        spec["rule"] = "FREQ=WEEKLY;COUNT=30"
    try:
        event = _create(cities, **spec)
    except ValidationError:
        reject()  # e.g. a start after the rule's UNTIL
    assert_index_matches(event.pk)
    for step, edit in enumerate(edits):
        # A refused write is atomic: the index must still match.
        with contextlib.suppress(ValidationError):
            _apply(edit, step, event, cities, data)
        assert_index_matches(event.pk)


def _apply(edit, step, event, cities, data):
    if True:
        event = Event.objects.get(pk=event.pk)
        if edit == "shift" and not event.is_all_day:
            services.update_event(
                event=event, start=event.start + dt.timedelta(days=7, hours=1), end=None
            )
        elif edit == "mode":
            flipped = {"instant": "local", "local": "instant"}[event.time_mode]
            services.update_event(event=event, time_mode=flipped)
        elif edit == "zone" and not event.rrule:
            services.update_event(event=event, timezone=data.draw(st.sampled_from(ZONES)))
        elif edit in ("move", "cancel_one") and event.rrule:
            occurrences = expand(
                _fresh(event.pk), NOW - dt.timedelta(days=400), NOW + dt.timedelta(days=400)
            )
            if not occurrences:
                return
            occ = data.draw(st.sampled_from(occurrences))
            original = occ.recurrence_id.astimezone(event.zone).replace(tzinfo=None)
            if edit == "cancel_one":
                services.change_occurrence(event=event, original_start=original, cancelled=True)
            elif event.is_all_day:
                services.change_occurrence(
                    event=event,
                    original_start=original.date(),
                    start_date=original.date() + dt.timedelta(days=3),
                )
            else:
                services.change_occurrence(
                    event=event,
                    original_start=original,
                    start=occ.start + dt.timedelta(days=2, hours=5),
                    location="Moved here",
                )
        elif edit == "cities":
            picks = data.draw(st.lists(st.integers(0, 3), unique=True, max_size=4))
            services.update_event(
                event=event,
                participations=[
                    services.ParticipationInput(city_id=cities[n].pk, venue=f"V{step}")
                    for n in picks
                ],
            )
        elif edit == "city_zone":
            city = City.objects.get(pk=cities[step % 4].pk)
            services.update_city(city=city, timezone=data.draw(st.sampled_from(ZONES)))
        elif edit == "city_country":
            city = City.objects.get(pk=cities[step % 4].pk)
            services.update_city(city=city, country={"RU": "US", "US": "RU"}[city.country])
        elif edit == "cancel":
            services.cancel_event(event=event)
        elif edit == "extend":
            extend_horizon(now=NOW + dt.timedelta(days=45 * (step + 1)))
        elif edit == "pair":
            _cycle_partnership(cities)
        elif edit == "link":
            linked = None if event.partnership_id else Partnership.objects.order_by("-pk").first()
            services.update_event(event=event, partnership=linked)


def _cycle_partnership(cities):
    """A second pair goes C2-C3 (created), then C1-C3 (its cities changed), then away."""
    second = Partnership.objects.exclude(city_a=cities[0], city_b=cities[1]).first()
    if second is None:
        services.create_partnership(city_a_id=cities[2].pk, city_b_id=cities[3].pk)
    elif second.city_a_id == cities[2].pk or second.city_b_id == cities[2].pk:
        services.update_partnership(
            partnership=second, city_a_id=cities[1].pk, city_b_id=cities[3].pk
        )
    else:
        services.delete_partnership(partnership=second)


def test_rebuild_command_is_idempotent(cities):
    with SMALL_HORIZON:
        rebuild_index(now=NOW)
        for n, rule in enumerate(RULES):
            _create(
                cities,
                zone=ZONES[n % 5],
                mode=Event.TimeMode.LOCAL,
                start=dt.datetime(2026, 3, 8, 7, 30, tzinfo=dt.UTC),
                rule=rule,
                all_day=False,
                city_picks=[0, 1, 2],
                hours=2,
            )

        def snapshot():
            return list(
                IndexedOccurrence.objects.order_by("event_id", "city_id", "key").values_list(
                    "event_id",
                    "city_id",
                    "key",
                    "start",
                    "end",
                    "start_date",
                    "touch_lo",
                    "touch_hi",
                )
            )

        before = snapshot()
        call_command("rebuild_occurrence_index", stdout=None)
        once = snapshot()
        call_command("rebuild_occurrence_index", stdout=None)

    assert once == before
    assert snapshot() == once
    assert len(once) > 100


def test_extend_horizon_adds_the_new_stretch_of_open_ended_rules(cities):
    with SMALL_HORIZON:
        rebuild_index(now=NOW)
        event = _create(
            cities,
            zone="Europe/Moscow",
            mode=Event.TimeMode.INSTANT,
            start=dt.datetime(2026, 1, 5, 7, 0, tzinfo=dt.UTC),
            rule="FREQ=WEEKLY",
            all_day=False,
            city_picks=[1],
            hours=1,
        )
        later = NOW + dt.timedelta(days=100)
        before = IndexedOccurrence.objects.filter(event=event, city__isnull=True).count()
        extend_horizon(now=later)
        again = extend_horizon(now=later)
        assert_index_matches(event.pk)

    assert IndexedOccurrence.objects.filter(event=event, city__isnull=True).count() == before + 14
    assert again == 0


def test_window_outside_the_horizon_is_not_answered_from_the_index(cities):
    with SMALL_HORIZON:
        rebuild_index(now=NOW)
    far = NOW + dt.timedelta(days=500)

    assert read.window(Event.objects.all(), far, far + dt.timedelta(days=30)) is None
    assert read.window(Event.objects.all(), NOW, NOW + dt.timedelta(days=30)) is not None


def test_index_is_not_written_before_the_first_build(cities):
    event = _create(
        cities,
        zone="Asia/Magadan",
        mode=Event.TimeMode.INSTANT,
        start=NOW,
        rule="FREQ=YEARLY",
        all_day=False,
        city_picks=[0],
        hours=1,
    )

    assert not IndexedOccurrence.objects.filter(event=event).exists()
    assert read.window(Event.objects.all(), NOW, NOW + dt.timedelta(days=30)) is None


def test_beat_task_builds_then_extends_the_index(cities, settings):
    from events.tasks import extend_occurrence_index

    settings.OCCURRENCE_INDEX_PAST_DAYS = 30
    settings.OCCURRENCE_INDEX_FUTURE_DAYS = 60
    _create(
        cities,
        zone="Asia/Magadan",
        mode=Event.TimeMode.LOCAL,
        start=dt.datetime(2026, 1, 1, 1, 0, tzinfo=dt.UTC),
        rule="FREQ=WEEKLY",
        all_day=False,
        city_picks=[0, 1],
        hours=1,
    )

    built = extend_occurrence_index()
    again = extend_occurrence_index()

    assert built > 0
    assert again == 0
    assert OccurrenceHorizon.objects.count() == 1


def _mixed_programme(cities):
    for n, (rule, hours, all_day) in enumerate(
        [
            ("FREQ=YEARLY", 2, False),
            ("FREQ=WEEKLY", 80, False),
            ("", 80, True),
            ("FREQ=MONTHLY;INTERVAL=3", 0, True),
            ("", 2, False),
            ("FREQ=DAILY;COUNT=40", 30, False),
            ("", 200, False),
        ]
    ):
        _create(
            cities,
            zone=ZONES[n % 5],
            mode=Event.TimeMode.LOCAL if n % 2 else Event.TimeMode.INSTANT,
            start=dt.datetime(2026, 2, 20 + n, 9, 0, tzinfo=dt.UTC),
            rule=rule,
            all_day=all_day,
            city_picks=[n % 4, (n + 1) % 4],
            hours=hours,
        )


@pytest.mark.parametrize("one_per_event", [False, True])
def test_page_lists_from_the_index_equal_the_expanded_ones(cities, one_per_event, monkeypatch):
    from django.utils import timezone

    from events.web import selectors as web

    monkeypatch.setattr(timezone, "now", lambda: NOW)
    with SMALL_HORIZON:
        rebuild_index(now=NOW - dt.timedelta(days=10))
        _mixed_programme(cities)
        indexed = web.upcoming_and_past(Event.objects.all(), 5, one_per_event=one_per_event)
        month = list(web.occurrences_for(Event.objects.all(), month=(2026, 3)))
        OccurrenceHorizon.objects.all().delete()
        expanded = web.upcoming_and_past(Event.objects.all(), 5, one_per_event=one_per_event)
        month_expanded = list(web.occurrences_for(Event.objects.all(), month=(2026, 3)))

    assert [[_shape(o) for o in part] for part in indexed] == [
        [_shape(o) for o in part] for part in expanded
    ]
    assert [_shape(o) for o in month] == [_shape(o) for o in month_expanded]
    assert len(month) > 10


@pytest.mark.parametrize("scan", [1, 2, 25])
def test_first_rows_per_event_agrees_with_the_ranking_query(cities, scan):
    with SMALL_HORIZON:
        rebuild_index(now=NOW - dt.timedelta(days=10))
        _mixed_programme(cities)
        for descending in (False, True):
            found = read.window(
                Event.objects.all(),
                NOW - dt.timedelta(days=60),
                NOW + dt.timedelta(days=300),
                descending=descending,
            )
            assert found is not None

            quick = found.first_rows_per_event(4, scan=scan)
            ranked = found._ranked_first_rows(4)
            # By hand: every row of the window in order, each event at its first row.
            first: dict[int, int] = {}
            for row in found.rows(slice(0, None)):
                first.setdefault(row.event_id, row.pk)

            assert [row.pk for row in quick] == list(first.values())[:4]
            assert [row.pk for row in ranked] == list(first.values())[:4]
            assert len(quick) == 4


@pytest.mark.parametrize("one_per_event", [False, True])
def test_city_and_partnership_lists_read_their_own_rows_and_agree(
    cities, one_per_event, monkeypatch
):
    """A city's or a partnership's lists read ListedOccurrence rows: the same occurrences, in
    the same order, as the event-zone rows filtered by the same query, and as expansion."""
    from django.utils import timezone

    from events.web import selectors as web

    monkeypatch.setattr(timezone, "now", lambda: NOW)
    pair = Partnership.objects.get()
    with SMALL_HORIZON:
        rebuild_index(now=NOW - dt.timedelta(days=10))
        _mixed_programme(cities)
        # Linked to the pair though only one of its cities takes part: on the pair's list.
        linked = Event.objects.filter(participations__city=cities[2]).first()
        services.update_event(event=linked, partnership=pair)
        scopes = [
            ({"city": cities[1]}, read.ListScope(city_id=cities[1].pk)),
            ({"partnership": pair}, read.ListScope(partnership_id=pair.pk)),
            ({"partnership": pair, "city": cities[0]}, read.ListScope(partnership_id=pair.pk)),
            ({"country": "RU"}, read.ListScope(country="RU")),
            ({"country": "US", "city": cities[3]}, read.ListScope(city_id=cities[3].pk)),
            (
                {"country": "US", "kind": Event.Kind.COMMEMORATION},
                read.ListScope(country="US"),
            ),
        ]
        results = []
        for filters, scope in scopes:
            query = web.filtered_events(None, filters)
            assert web.list_scope(None, filters) == scope
            scope = web.list_scope(None, filters)
            lists = web.upcoming_and_past(query, 4, one_per_event=one_per_event, scope=scope)
            plain = web.upcoming_and_past(query, 4, one_per_event=one_per_event)
            month = web.occurrences_for(query, month=(2026, 3), scope=scope)
            assert len(month) == len(web.occurrences_for(query, month=(2026, 3)))
            results.append((lists, plain, list(month), list(month[1:3])))
        OccurrenceHorizon.objects.all().delete()
        for (filters, _scope), (lists, plain, month, middle) in zip(scopes, results, strict=True):
            query = web.filtered_events(None, filters)
            expanded = web.upcoming_and_past(query, 4, one_per_event=one_per_event)
            month_expanded = list(web.occurrences_for(query, month=(2026, 3)))
            shapes = [[_shape(o) for o in part] for part in expanded]
            assert [[_shape(o) for o in part] for part in lists] == shapes
            assert [[_shape(o) for o in part] for part in plain] == shapes
            assert [_shape(o) for o in month] == [_shape(o) for o in month_expanded]
            assert [_shape(o) for o in middle] == [_shape(o) for o in month_expanded[1:3]]
            assert any(shapes), filters
    assert any(o.event.pk == linked.pk for part in results[1][0] for o in part) or any(
        o.event.pk == linked.pk for o in results[1][2]
    )


def test_a_new_partnership_lists_the_events_of_both_its_cities(cities):
    with SMALL_HORIZON:
        rebuild_index(now=NOW - dt.timedelta(days=10))
        _mixed_programme(cities)
        both = Event.objects.filter(participations__city=cities[2]).filter(
            participations__city=cities[3]
        )
        assert both.exists()
        pair = services.create_partnership(city_a_id=cities[2].pk, city_b_id=cities[3].pk)
        for event in Event.objects.all():
            assert_lists_match(event.pk)
        assert set(
            ListedOccurrence.objects.filter(partnership=pair).values_list("event_id", flat=True)
        ) == set(both.values_list("pk", flat=True))
        pair_id = pair.pk
        services.delete_partnership(partnership=pair)
        assert not ListedOccurrence.objects.filter(partnership_id=pair_id).exists()
        assert ListedOccurrence.objects.filter(partnership__isnull=False).exists()


def test_a_city_changing_country_moves_its_events_between_country_lists(cities):
    """The country lists follow a city's country: an event of C1 (US) alone leaves the US
    list for the RU one; an event of C0 and C2 (both RU) is listed once under RU."""
    with SMALL_HORIZON:
        rebuild_index(now=NOW - dt.timedelta(days=10))
        _mixed_programme(cities)
        alone = _create(
            cities,
            zone="America/Anchorage",
            mode=Event.TimeMode.LOCAL,
            start=dt.datetime(2026, 3, 2, 18, 0, tzinfo=dt.UTC),
            rule="FREQ=WEEKLY;COUNT=5",
            all_day=False,
            city_picks=[1],
            hours=2,
        )
        both_ru = _create(
            cities,
            zone="Asia/Anadyr",
            mode=Event.TimeMode.LOCAL,
            start=dt.datetime(2026, 3, 3, 22, 0, tzinfo=dt.UTC),
            rule="",
            all_day=False,
            city_picks=[0, 2],
            hours=2,
        )

        def countries(event):
            return sorted(
                ListedOccurrence.objects.filter(event=event, country__isnull=False).values_list(
                    "country", flat=True
                )
            )

        assert countries(alone) == ["US"] * 5
        assert countries(both_ru) == ["RU"]
        services.update_city(city=City.objects.get(pk=cities[1].pk), country="ru")
        assert countries(alone) == ["RU"] * 5
        for event in Event.objects.all():
            assert_lists_match(event.pk)


def test_a_rebuild_stores_the_rows_in_time_order(cities):
    """On PostgreSQL the rebuilt rows lie on disk in time order (a month's rows on a few
    pages, not one page per event), keeping their ids: list rows still name them."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("physical row order (ctid) is PostgreSQL's")
    with SMALL_HORIZON:
        _mixed_programme(cities)
        rebuild_index(now=NOW - dt.timedelta(days=10))
        rebuild_index(now=NOW - dt.timedelta(days=10))  # twice in one transaction
        with connection.cursor() as cursor:
            cursor.execute(
                'SELECT "sort_start", "event_id", "key" FROM "events_indexedoccurrence" '
                "ORDER BY ctid"
            )
            on_disk = cursor.fetchall()
        assert len(on_disk) > 20
        assert on_disk == sorted(on_disk)
        for event in Event.objects.all():
            assert_index_matches(event.pk)
