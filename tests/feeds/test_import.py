"""Import of partners' calendars: real-world-shaped samples and every kind of bad file."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from events.feeds import ics_parsing, importer
from events.feeds.importer import ImportOptions, import_calendar
from events.feeds.models import ImportedEvent, ImportRun
from events.models import Event, OccurrenceChange
from tests.factories import CityFactory

SAMPLES = Path(__file__).parent / "samples"


def _read(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


@pytest.fixture
def magadan(db):
    return CityFactory(
        slug="magadan",
        name_en="Magadan",
        name_native="Магадан",
        country="RU",
        timezone="Asia/Magadan",
    )


def _snapshot():
    return (
        sorted(Event.objects.values_list("slug", "sequence", "updated_at")),
        ImportedEvent.objects.count(),
        ImportRun.objects.count(),
        OccurrenceChange.objects.count(),
    )


def test_import_google_export_with_x_wr_timezone_and_folded_cyrillic(magadan):
    run = import_calendar(
        data=_read("google_export.ics"),
        options=ImportOptions(
            source="magadan", city_ids=(magadan.pk,), default_timezone="Asia/Magadan"
        ),
    )

    assert (run.created, run.updated, run.unchanged) == (3, 0, 0)
    reception = ImportedEvent.objects.get(external_uid="4f1c2d3e9a8b@google.com").event
    assert reception.title_ru == "День России, приём делегаций"
    assert reception.description_ru.startswith("Торжественное собрание, посвящённое Дню России;")
    assert "делегации городов" in reception.description_ru  # the fold was joined mid-word
    assert reception.timezone == "Asia/Magadan"
    assert reception.local_start == dt.datetime(2030, 6, 12, 11, 0, tzinfo=ZoneInfo("Asia/Magadan"))
    assert [p.city_id for p in reception.participations.all()] == [magadan.pk]
    victory = ImportedEvent.objects.get(external_uid="victory-magadan@google.com").event
    assert victory.rrule.startswith("FREQ=YEARLY;UNTIL=20350509T")
    assert victory.exdates == ["2032-05-09T10:00:00"]
    [moved] = victory.changes.all()
    assert moved.start == dt.datetime(2031, 5, 10, 15, 0, tzinfo=ZoneInfo("Asia/Magadan"))
    festival = ImportedEvent.objects.get(external_uid="festival-magadan@google.com").event
    assert (festival.precision, festival.start_date, festival.end_date) == (
        "day",
        dt.date(2030, 8, 1),
        dt.date(2030, 8, 3),
    )
    assert festival.kind == "festival"


def test_import_outlook_export_maps_windows_zone_names(db):
    run = import_calendar(data=_read("outlook_export.ics"), options=ImportOptions(source="tula"))

    assert run.created == 2
    tula = Event.objects.get(title_en="Albany delegation in Tula")
    assert tula.timezone == "Europe/Moscow"
    assert tula.start == dt.datetime(2030, 9, 15, 7, 0, tzinfo=dt.UTC)
    fairbanks = Event.objects.get(title_en="ALSIB wreath-laying (Fairbanks)")
    assert fairbanks.timezone == "America/Anchorage"  # no VTIMEZONE in the file
    assert fairbanks.start == dt.datetime(2030, 5, 9, 0, 0, tzinfo=dt.UTC)


def test_reimport_updates_by_uid_without_duplicates_and_reports_removed(magadan):
    options = ImportOptions(source="magadan", default_timezone="Asia/Magadan")
    import_calendar(data=_read("google_export.ics"), options=options)
    count = Event.objects.count()

    again = import_calendar(data=_read("google_export.ics"), options=options)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)

    changed = _read("google_export.ics").replace(
        b"DTSTART:20300612T110000", b"DTSTART:20300612T120000"
    )
    changed = _drop_event(changed, b"festival-magadan@google.com")
    third = import_calendar(data=changed, options=options)

    assert Event.objects.count() == count
    assert (third.created, third.updated, third.unchanged) == (0, 1, 1)
    assert third.report["removed_from_source"] == [
        {"uid": "festival-magadan@google.com", "event": "jazz-festival"}
    ]
    reception = ImportedEvent.objects.get(external_uid="4f1c2d3e9a8b@google.com").event
    assert reception.sequence == 1
    assert reception.local_start.hour == 12


def _drop_event(data: bytes, uid: bytes) -> bytes:
    pattern = rb"BEGIN:VEVENT\r\n(?:(?!END:VEVENT).)*?" + re.escape(uid) + rb".*?END:VEVENT\r\n"
    return re.sub(pattern, b"", data, flags=re.S)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("BEGIN:VCALENDAR\r\nSUMMARY:caf\xe9\r\n".encode("latin-1"), "not UTF-8"),
        (b"<html><body>Not found</body></html>", "BEGIN:VCALENDAR"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nthis is not a line\r\n", "not valid"),
        (
            b"BEGIN:VCALENDAR\r\n" + b"X-PAD:" + b"x" * (importer.MAX_IMPORT_BYTES) + b"\r\n",
            "larger than",
        ),
    ],
    ids=["binary", "latin1", "html", "malformed", "oversized"],
)
def test_import_refuses_bad_files_and_changes_nothing(magadan, data, message):
    import_calendar(data=_read("google_export.ics"), options=ImportOptions(source="magadan"))
    before = _snapshot()

    with pytest.raises(ValidationError) as info:
        import_calendar(data=data, options=ImportOptions(source="magadan"))

    assert message in " ".join(info.value.message_dict["file"])
    assert _snapshot() == before


def test_import_partly_bad_file_imports_nothing_and_names_each_bad_event(db):
    with pytest.raises(ValidationError) as info:
        import_calendar(data=_read("partly_bad.ics"), options=ImportOptions(source="partner"))

    problems = info.value.message_dict["events"]
    assert len(problems) == 2
    assert problems[0].startswith("every-second@partner (line 10):")
    assert "SECONDLY" in problems[0]
    assert problems[1] == "no-start@partner (line 17): no DTSTART"
    assert [(p["uid"], p["line"]) for p in info.value.problems] == [
        ("every-second@partner", 10),
        ("no-start@partner", 17),
    ]
    assert Event.objects.count() == 0
    assert ImportRun.objects.count() == 0


def test_import_service_error_on_second_event_rolls_back_first(db):
    # Only the events service notices: the end is before the start.
    data = _read("partly_bad.ics").replace(b"RRULE:FREQ=SECONDLY", b"DTEND:20300101T090000Z")
    data = _drop_event(data, b"no-start@partner")

    with pytest.raises(ValidationError) as info:
        import_calendar(data=data, options=ImportOptions(source="partner"))

    assert info.value.message_dict["events"] == [
        "every-second@partner (line 10): end: The end is before the start."
    ]
    assert Event.objects.count() == 0


def test_import_too_many_events_is_refused(db, settings, monkeypatch):
    monkeypatch.setattr(ics_parsing, "MAX_IMPORT_EVENTS", 1)

    with pytest.raises(ValidationError) as info:
        import_calendar(data=_read("outlook_export.ics"), options=ImportOptions(source="x"))

    assert "at most 1" in info.value.message_dict["file"][0]


def test_import_command_from_file(magadan, tmp_path):
    path = tmp_path / "magadan.ics"
    path.write_bytes(_read("google_export.ics"))
    out = StringIO()

    call_command("import_ics", str(path), "--source", "magadan", "--city", "magadan", stdout=out)

    assert "created 3, updated 0, unchanged 0" in out.getvalue()


def test_import_command_refusal_is_a_command_error(db, tmp_path):
    path = tmp_path / "bad.ics"
    path.write_bytes(b"\x00\x01")

    with pytest.raises(CommandError, match="binary"):
        call_command("import_ics", str(path), "--source", "x")


def test_import_command_from_url_served_locally(magadan, tmp_path):
    import http.server
    import threading

    (tmp_path / "cal.ics").write_bytes(_read("google_export.ics"))

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        out = StringIO()
        call_command("import_ics", f"{url}/cal.ics", "--source", "magadan", stdout=out)
        assert "created 3" in out.getvalue()
        with pytest.raises(CommandError, match="Could not fetch"):
            call_command("import_ics", f"{url}/missing.ics", "--source", "magadan")
    finally:
        server.shutdown()
        server.server_close()


def _imported(uid: str) -> Event:
    return ImportedEvent.objects.get(external_uid=uid).event


def _instances(event: Event, year_from: int, year_to: int):
    from events.recurrence import expand

    lo = dt.datetime(year_from, 1, 1, tzinfo=dt.UTC)
    hi = dt.datetime(year_to, 1, 1, tzinfo=dt.UTC)
    return [o for o in expand(event, lo, hi) if not o.cancelled]


def test_import_exchange_all_day_series_with_tzid_recurrence_ids(db):
    # Dates are read in the import's zone (UTC), the overrides name Magadan midnights.
    run = import_calendar(
        data=_read("exchange_allday_series.ics"), options=ImportOptions(source="x")
    )

    assert run.created == 1
    [event] = Event.objects.all()
    assert (event.precision, event.start_date, event.end_date) == ("day", dt.date(2030, 5, 9), None)
    assert event.exdates == ["2033-05-09"]
    changes = {c.original_start: c for c in event.changes.all()}
    moved = changes[dt.datetime(2031, 5, 9, tzinfo=dt.UTC)]
    # Exchange tags the locations LANGUAGE=ru-RU: they are the Russian ones.
    assert (event.location, event.location_ru) == ("", "Краеведческий музей")
    assert (moved.start_date, moved.end_date, moved.location, moved.location_ru) == (
        dt.date(2031, 5, 10),
        dt.date(2031, 5, 11),
        "",
        "Дворец культуры",
    )
    early = changes[dt.datetime(2032, 5, 9, tzinfo=dt.UTC)]
    assert early.start_date == dt.date(2032, 5, 8)
    assert [o.start_date for o in _instances(event, 2030, 2040)] == [
        dt.date(2030, 5, 9),
        dt.date(2031, 5, 10),
        dt.date(2032, 5, 8),
        dt.date(2034, 5, 9),
    ]


def test_import_exchange_all_day_override_not_at_midnight_is_refused_with_uid(db):
    data = _read("exchange_allday_series.ics").replace(
        b"RECURRENCE-ID;TZID=Magadan Standard Time:20310509T000000",
        b"RECURRENCE-ID;TZID=Magadan Standard Time:20310509T100000",
    )

    with pytest.raises(ValidationError) as info:
        import_calendar(data=data, options=ImportOptions(source="exchange"))

    [problem] = info.value.message_dict["events"]
    assert problem.startswith("040000008200E00074C5B7101A82E008")
    assert "RECURRENCE-ID 2031-05-09T10:00:00+11:00 is not a date of this all-day series" in problem
    assert Event.objects.count() == 0


def test_import_old_outlook_rrule_with_spaces_and_cdo_all_day(db):
    run = import_calendar(data=_read("outlook_cdo_export.ics"), options=ImportOptions(source="o"))

    assert run.created == 2
    call = _imported("040000008200E00074C5B7101A82E00800000000TULACALL0001")
    assert call.timezone == "Europe/Moscow"
    assert call.rrule == "FREQ=WEEKLY;COUNT=6;INTERVAL=1;BYDAY=MO,WE,FR;WKST=SU"
    assert [
        o.start.astimezone(ZoneInfo("Europe/Moscow")) for o in _instances(call, 2030, 2031)
    ] == [
        dt.datetime(2030, 9, day, 15, 0, tzinfo=ZoneInfo("Europe/Moscow"))
        for day in (16, 18, 20, 23, 25, 27)
    ]
    unity = _imported("040000008200E00074C5B7101A82E00800000000TULADAY0001")
    assert (unity.precision, unity.start_date, unity.end_date) == (
        "day",
        dt.date(2030, 11, 4),
        None,
    )
    assert unity.title_ru == "День народного единства"


def test_import_google_recurring_series_across_dst_with_overrides(db):
    run = import_calendar(
        data=_read("google_recurring_export.ics"),
        options=ImportOptions(source="google", default_timezone="America/Anchorage"),
    )

    assert run.created == 2
    call = _imported("5sk2v8q0l1m3n4o5p6q7r8s9t0@google.com")
    zone = ZoneInfo("America/Anchorage")
    assert call.timezone == "America/Anchorage"
    assert call.exdates == ["2030-03-18T09:00:00"]
    assert [o.start.astimezone(zone) for o in _instances(call, 2030, 2031)] == [
        dt.datetime(2030, 3, 4, 9, 0, tzinfo=zone),
        dt.datetime(2030, 3, 12, 11, 0, tzinfo=zone),  # moved from Monday 11 March
    ]
    cancelled = call.changes.get(cancelled=True)
    assert cancelled.original_start == dt.datetime(2030, 3, 25, 9, 0, tzinfo=zone)
    memorial = _imported("0a9b8c7d6e5f4g3h2i1j@google.com")
    assert [o.start_date for o in _instances(memorial, 2030, 2040)] == [
        dt.date(year, 5, 9) for year in range(2030, 2035)
    ]


def test_import_icloud_export_with_apple_properties_and_alarms(db):
    run = import_calendar(data=_read("icloud_export.ics"), options=ImportOptions(source="icloud"))

    assert run.created == 2
    wreath = _imported("7D2B1C9E-4F3A-4B8E-9C1D-2E3F4A5B6C7D")
    assert wreath.title_en == "ALSIB wreath-laying, Fairbanks"
    assert wreath.timezone == "America/Anchorage"
    assert wreath.local_start == dt.datetime(
        2030, 5, 8, 16, 0, tzinfo=ZoneInfo("America/Anchorage")
    )
    assert wreath.location == "Griffin Park, Fairbanks AK 99701, United States"
    festival = _imported("1E2D3C4B-5A69-4788-9A0B-C1D2E3F4A5B6")
    assert (festival.start_date, festival.end_date) == (dt.date(2030, 7, 1), None)


def test_import_thunderbird_mozilla_tzid_and_floating_time(db):
    run = import_calendar(
        data=_read("thunderbird_export.ics"),
        options=ImportOptions(source="tb", default_timezone="Europe/Moscow"),
    )

    workshop = _imported("b3f1c2a4-5d6e-4f70-8a9b-0c1d2e3f4a5b")
    assert workshop.timezone == "Europe/Moscow"
    assert workshop.local_start == dt.datetime(2030, 9, 15, 11, 0, tzinfo=ZoneInfo("Europe/Moscow"))
    assert "b3f1c2a4-5d6e-4f70-8a9b-0c1d2e3f4a5b" not in run.report["warnings"]
    reception = _imported("c4a2d3b5-6e7f-4081-9bac-1d2e3f4a5b6c")
    assert reception.local_start == dt.datetime(
        2030, 9, 16, 19, 0, tzinfo=ZoneInfo("Europe/Moscow")
    )
    assert run.report["warnings"]["c4a2d3b5-6e7f-4081-9bac-1d2e3f4a5b6c"] == [
        "Floating DTSTART read in Europe/Moscow.",
        "Floating DTEND read in Europe/Moscow.",
    ]


def test_import_nextcloud_date_series_with_date_time_until(db):
    import_calendar(
        data=_read("nextcloud_export.ics"),
        options=ImportOptions(source="nc", default_timezone="Asia/Magadan"),
    )

    russia_day = _imported("2f7c9a1e-3b5d-4e6f-8a0b-1c2d3e4f5a6b")
    assert russia_day.rrule == "FREQ=YEARLY;UNTIL=20330612"
    assert [o.start_date for o in _instances(russia_day, 2030, 2040)] == [
        dt.date(year, 6, 12) for year in range(2030, 2034)
    ]
    bridge = _imported("8d9e0f1a-2b3c-4d5e-6f70-8192a3b4c5d6")
    assert bridge.status == "tentative"
    assert bridge.local_start == dt.datetime(2030, 7, 1, 15, 0, tzinfo=ZoneInfo("Asia/Magadan"))


def test_import_event_whose_start_is_not_a_rule_instance_is_refused(db):
    with pytest.raises(ValidationError) as info:
        import_calendar(data=_read("start_not_in_rule.ics"), options=ImportOptions(source="p"))

    [problem] = info.value.message_dict["events"]
    assert problem.startswith(
        "saturday-start@partner (line 11): RRULE: The start (2030-05-11 10:00)"
    )
    assert "its first date is 2030-05-12 10:00" in problem
    assert Event.objects.count() == 0


def test_import_zero_length_event_becomes_a_moment_and_title_one_line(magadan):
    data = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\n"
        b"UID:moment@partner\r\nDTSTAMP:20240101T000000Z\r\nSUMMARY:Bells\\nat noon\r\n"
        b"DTSTART:20300509T090000Z\r\nDTEND:20300509T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )

    run = import_calendar(
        data=data, options=ImportOptions(source="magadan", city_ids=(magadan.pk,))
    )

    event = ImportedEvent.objects.get(external_uid="moment@partner").event
    assert (run.created, event.end, event.title_en) == (1, None, "Bells, at noon")
