"""Import of properties given per language (LANGUAGE=ru): the Russian title, description and
location fill the Russian columns, the others the English ones."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from events.feeds.importer import ImportOptions, import_calendar
from events.feeds.models import ImportedEvent

SAMPLES = Path(__file__).parent / "samples"
pytestmark = pytest.mark.django_db


def _imported(name: str, uid: str):
    run = import_calendar(data=(SAMPLES / name).read_bytes(), options=ImportOptions(source="x"))
    assert run.created == 1, run.report
    return ImportedEvent.objects.get(external_uid=uid).event


def test_import_russian_outlook_event_fills_the_russian_columns():
    """Outlook with a Russian interface tags SUMMARY, DESCRIPTION and the only LOCATION."""
    event = _imported(
        "outlook_russian_export.ics", "040000008200E00074C5B7101A82E00800000000RUOUTLOOK0001"
    )

    assert (event.title_en, event.title_ru) == ("", "Делегация Олбани в Туле")
    assert (event.location, event.location_ru) == ("", "Тульский кремль")
    assert (event.description_en, event.description_ru) == ("", "Делегация из Олбани в Туле.")
    assert event.location_in("en") == "Тульский кремль"  # the fallback: no English one


def test_import_second_summary_and_location_in_russian_fill_both_languages():
    """A bilingual Thunderbird file: each property twice, the second with LANGUAGE=ru; an
    override's locations the same."""
    event = _imported("thunderbird_bilingual_export.ics", "0d6b7e1a-2c3f-4a58-9e71-alsib-fairbanks")

    assert (event.title_en, event.title_ru) == (
        "ALSIB memorial wreath-laying",
        "Возложение венков к мемориалу АЛСИБ",
    )
    assert (event.location, event.location_ru) == (
        "Griffin Park, Fairbanks",
        "Гриффин-парк, Фэрбанкс",
    )
    [moved] = event.changes.all()
    assert moved.original_start == dt.datetime(2031, 5, 9, 0, 0, tzinfo=dt.UTC)
    assert (moved.location, moved.location_ru) == (
        "Pioneer Park, Fairbanks",
        "Пионер-парк, Фэрбанкс",
    )


@pytest.mark.parametrize("tag", ["ru", "ru-RU", "RU"])
def test_import_language_tag_of_the_location_is_read_whatever_its_form(tag):
    data = (
        (SAMPLES / "outlook_russian_export.ics")
        .read_bytes()
        .replace(b"LOCATION;LANGUAGE=ru:", f"LOCATION;LANGUAGE={tag}:".encode())
    )

    import_calendar(data=data, options=ImportOptions(source="x"))

    event = ImportedEvent.objects.get().event
    assert (event.location, event.location_ru) == ("", "Тульский кремль")
