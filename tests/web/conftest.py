"""A small, fixed world for the website tests: the ALSIB pair across the date line."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from events import services
from events.models import City, Event, Partnership
from events.services import ParticipationInput


@dataclass
class World:
    egvekinot: City
    fairbanks: City
    tula: City
    albany: City
    pair: Partnership
    old_pair: Partnership
    ceremony: Event
    victory_day: Event
    cancelled: Event
    tentative: Event
    internal: Event
    month_only: Event
    year_only: Event
    unknown: Event


def build_world() -> World:
    egvekinot = services.create_city(
        slug="egvekinot",
        name_en="Egvekinot",
        name_native="Эгвекинот",
        country="RU",
        region="Chukotka",
        timezone="Asia/Anadyr",
    )
    fairbanks = services.create_city(
        slug="fairbanks",
        name_en="Fairbanks",
        name_native="Fairbanks",
        country="US",
        region="Alaska",
        timezone="America/Anchorage",
    )
    tula = services.create_city(
        slug="tula", name_en="Tula", name_native="Тула", country="RU", timezone="Europe/Moscow"
    )
    albany = services.create_city(
        slug="albany",
        name_en="Albany",
        name_native="Albany",
        country="US",
        timezone="America/New_York",
    )
    pair = services.create_partnership(
        city_a_id=egvekinot.pk, city_b_id=fairbanks.pk, established_on=dt.date(1990, 5, 9)
    )
    old_pair = services.create_partnership(
        city_a_id=tula.pk,
        city_b_id=albany.pk,
        established_on=dt.date(1991, 1, 1),
        established_precision=Partnership.Precision.YEAR,
    )
    both = [
        ParticipationInput(city_id=egvekinot.pk, role="host"),
        ParticipationInput(city_id=fairbanks.pk, role="co_host"),
    ]
    ceremony = services.create_event(
        title_en="ALSIB wreath-laying",
        title_ru="Возложение венков в память об АЛСИБ",
        kind=Event.Kind.COMMEMORATION,
        status=Event.Status.CONFIRMED,
        timezone="Asia/Anadyr",
        start=dt.datetime(2020, 5, 9, 12, 0),
        end=dt.datetime(2020, 5, 9, 13, 0),
        location="ALSIB monuments",
        partnership=pair,
        participations=both,
    )
    victory_day = services.create_event(
        title_en="Victory Day ceremony",
        title_ru="Церемония Дня Победы",
        kind=Event.Kind.COMMEMORATION,
        status=Event.Status.CONFIRMED,
        timezone="Asia/Anadyr",
        start=dt.datetime(2021, 5, 9, 10, 0),
        rrule="FREQ=YEARLY",
        participations=both,
    )
    cancelled = services.create_event(
        title_en="Jazz Train to Chattanooga",
        kind=Event.Kind.FESTIVAL,
        status=Event.Status.CANCELLED,
        timezone="Europe/Moscow",
        precision=Event.Precision.DAY,
        start_date=dt.date(2099, 7, 1),
        end_date=dt.date(2099, 7, 3),
        participations=[ParticipationInput(city_id=tula.pk, role="host")],
    )
    tentative = services.create_event(
        title_en="Secret tentative visit",
        kind=Event.Kind.DELEGATION_VISIT,
        status=Event.Status.TENTATIVE,
        timezone="Europe/Moscow",
        start=dt.datetime(2099, 3, 1, 10, 0),
        participations=[ParticipationInput(city_id=tula.pk, role="host")],
    )
    internal = services.create_event(
        title_en="Internal planning call",
        kind=Event.Kind.ONLINE_MEETING,
        status=Event.Status.CONFIRMED,
        visibility=Event.Visibility.INTERNAL,
        timezone="Europe/Moscow",
        start=dt.datetime(2099, 3, 2, 10, 0),
        participations=[ParticipationInput(city_id=tula.pk, role="host")],
    )
    month_only = services.create_event(
        title_en="Delegation from Albany to Tula",
        title_ru="Делегация из Олбани в Тулу",
        kind=Event.Kind.DELEGATION_VISIT,
        status=Event.Status.CONFIRMED,
        timezone="Europe/Moscow",
        precision=Event.Precision.MONTH,
        approx_year=2020,
        approx_month=2,
        participations=[
            ParticipationInput(city_id=tula.pk, role="host"),
            ParticipationInput(city_id=albany.pk, role="guest_delegation"),
        ],
    )
    year_only = services.create_event(
        title_en="Texas-Ural conversation",
        kind=Event.Kind.ONLINE_MEETING,
        status=Event.Status.CONFIRMED,
        timezone="UTC",
        precision=Event.Precision.YEAR,
        approx_year=2021,
    )
    unknown = services.create_event(
        title_en="Student exchange",
        kind=Event.Kind.EXCHANGE,
        status=Event.Status.CONFIRMED,
        timezone="UTC",
        precision=Event.Precision.UNKNOWN,
        participations=[ParticipationInput(city_id=albany.pk)],
    )
    return World(
        egvekinot,
        fairbanks,
        tula,
        albany,
        pair,
        old_pair,
        ceremony,
        victory_day,
        cancelled,
        tentative,
        internal,
        month_only,
        year_only,
        unknown,
    )


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # PBKDF2 costs about a second per user on this machine; these tests are not about hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def ru(client):
    client.cookies["django_language"] = "ru"
    return client


@dataclass
class LocalCeremony:
    """Victory Day at 10:00 local in each city: three instants, one wall-clock time."""

    magadan: City
    anchorage: City
    tula: City
    event: Event


def build_local_ceremony(tula: City, *, rrule: str = "") -> LocalCeremony:
    magadan = services.create_city(
        slug="magadan",
        name_en="Magadan",
        name_native="Магадан",
        country="RU",
        timezone="Asia/Magadan",
    )
    anchorage = services.create_city(
        slug="anchorage",
        name_en="Anchorage",
        name_native="Anchorage",
        country="US",
        region="Alaska",
        timezone="America/Anchorage",
    )
    event = services.create_event(
        title_en="Victory Day in three cities",
        title_ru="День Победы в трёх городах",
        kind=Event.Kind.COMMEMORATION,
        status=Event.Status.CONFIRMED,
        time_mode=Event.TimeMode.LOCAL,
        timezone="Asia/Magadan",
        start=dt.datetime(2027, 5, 9, 10, 0),
        end=dt.datetime(2027, 5, 9, 11, 0),
        rrule=rrule,
        location="Magadan memorial",
        participations=[
            ParticipationInput(city_id=magadan.pk, role="host", venue="Magadan memorial"),
            ParticipationInput(city_id=anchorage.pk, role="participant", venue="Delaney Park"),
            ParticipationInput(city_id=tula.pk, role="participant", venue="Victory Square"),
        ],
    )
    return LocalCeremony(magadan, anchorage, tula, event)


@pytest.fixture
def local_ceremony(world) -> LocalCeremony:
    return build_local_ceremony(world.tula)
