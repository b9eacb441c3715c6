"""Four independent engines read our feeds the same way (the start of the conformance suite).

ICAL.js (Thunderbird, Nextcloud), libical (Evolution), allenporter's ``ical`` and
recurring-ical-events must give identical (UID, UTC start) sets for every feed. Before the
VTIMEZONE rewrite ICAL.js read only the first value of a multi-value RDATE and put Anchorage's
summer instants an hour off, which this catches.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.interop import engines

WINDOW = (dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2045, 1, 1, tzinfo=dt.UTC))


@pytest.mark.django_db
def test_feeds_every_engine_gives_the_same_instances(
    client, weekly_call, open_ended, ceremony, victory_day, egvekinot, fairbanks
):
    paths = [
        "/feeds/all.ics",
        "/feeds/all.ics?lang=ru",
        f"/feeds/city/{egvekinot.slug}.ics",
        f"/feeds/city/{fairbanks.slug}.ics",
        f"/feeds/event/{weekly_call.slug}.ics",
        f"/feeds/event/{victory_day.slug}.ics",
    ]
    calendars = [client.get(path).getvalue() for path in paths]

    results = engines.run_all(calendars, *WINDOW)

    for index, path in enumerate(paths):
        sets = {name: per_calendar[index].instances for name, per_calendar in results.items()}
        errors = {name: per_calendar[index].errors for name, per_calendar in results.items()}
        reference = sets["recurring-ical-events"]
        assert reference, f"{path}: no instances at all"
        for name, instances in sets.items():
            assert instances == reference, (
                f"{path}: {name} differs from recurring-ical-events: "
                f"only {name}: {sorted(instances - reference)[:5]}, "
                f"missing: {sorted(reference - instances)[:5]}"
            )
        assert not any(errors.values()), f"{path}: {errors}"


@pytest.mark.django_db
def test_feeds_weekly_call_keeps_anchorage_wall_time_across_dst(client, weekly_call):
    calendar = client.get(f"/feeds/event/{weekly_call.slug}.ics").getvalue()

    results = engines.run_all([calendar], *WINDOW)

    expected_first_after_change = "2027-03-15T17:00:00Z"  # 09:00 AKDT
    for name, per_calendar in results.items():
        starts = sorted(start for _uid, start in per_calendar[0].instances)
        assert starts[0] == "2027-03-01T18:00:00Z", name  # 09:00 AKST
        assert expected_first_after_change in starts, (name, starts[:4])
        assert len(starts) == 12, (name, len(starts))
